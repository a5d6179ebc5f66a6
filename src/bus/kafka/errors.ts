/**
 * Reading @platformatic/kafka's errors (nested MultipleErrors / ResponseError carrying protocol
 * error ids) and turning them into the errors log0 acts on: TransientError when the cluster is
 * unreachable or busy (callers answer 503 and retry), a plain Error otherwise.
 */
import { TransientError, errorMessage } from '../../runtime/errors.js';

/** Protocol errors after which a retry against a fresh coordinator/leader may succeed. */
const RETRIABLE_PROTOCOL_ERRORS = new Set([
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'KAFKA_STORAGE_ERROR',
  'NOT_CONTROLLER',
  'THROTTLING_QUOTA_EXCEEDED',
  'CONCURRENT_TRANSACTIONS',
]);

/** Coordinator errors: forget the cached coordinator and look it up again. */
export const COORDINATOR_MOVED = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE']);

/** The member's generation or id is no longer valid: it must rejoin the group. */
export const MEMBERSHIP_LOST = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

interface LibraryError {
  code?: string;
  apiId?: string;
  canRetry?: boolean;
  errors?: unknown[];
  cause?: unknown;
  response?: unknown;
}

function walk(err: unknown, visit: (e: LibraryError & Error) => void, depth = 0): void {
  if (!err || typeof err !== 'object' || depth > 8) return;
  const e = err as LibraryError & Error;
  visit(e);
  if (Array.isArray(e.errors)) for (const inner of e.errors) walk(inner, visit, depth + 1);
  if (e.cause) walk(e.cause, visit, depth + 1);
}

/** Kafka protocol error ids (e.g. 'REBALANCE_IN_PROGRESS') found anywhere in an error. */
export function protocolErrorIds(err: unknown): Set<string> {
  const ids = new Set<string>();
  walk(err, (e) => {
    if (typeof e.apiId === 'string') ids.add(e.apiId);
  });
  return ids;
}

export function hasProtocolError(err: unknown, ids: ReadonlySet<string> | string): boolean {
  const found = protocolErrorIds(err);
  if (typeof ids === 'string') return found.has(ids);
  for (const id of found) if (ids.has(id)) return true;
  return false;
}

/** The response a ResponseError carries (the library attaches the partially successful response). */
export function errorResponse<T>(err: unknown): T | undefined {
  let response: unknown;
  walk(err, (e) => {
    if (response === undefined && e.response !== undefined && e.response !== null && typeof e.response === 'object') {
      response = e.response;
    }
  });
  return response as T | undefined;
}

/** True for failures a later retry may get past: network, timeouts, coordinator/leader moves. */
export function isTransientKafkaError(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  let transient = false;
  walk(err, (e) => {
    if (e instanceof TransientError) transient = true;
    if (e.code === 'PLT_KFK_NETWORK' || e.code === 'PLT_KFK_TIMEOUT') transient = true;
    if (typeof e.apiId === 'string' && RETRIABLE_PROTOCOL_ERRORS.has(e.apiId)) transient = true;
    const sys = (e as { code?: string }).code;
    if (sys === 'ECONNREFUSED' || sys === 'ECONNRESET' || sys === 'ETIMEDOUT' || sys === 'EPIPE') transient = true;
  });
  return transient;
}

/** One line describing a library error, including the nested protocol errors and causes. */
export function describeKafkaError(err: unknown): string {
  const parts: string[] = [];
  walk(err, (e) => {
    const message = errorMessage(e);
    const id = typeof e.apiId === 'string' ? `${e.apiId}: ` : '';
    const text = `${id}${message}`;
    if (message && !parts.includes(text)) parts.push(text);
  });
  if (parts.length === 0) return errorMessage(err);
  return parts.slice(0, 4).join(' <- ');
}

/**
 * Wraps a failure of `what` for the caller: TransientError when retrying later may succeed,
 * an Error otherwise. Errors already produced by this adapter pass through unchanged.
 */
export function busError(what: string, err: unknown): Error {
  if (err instanceof KafkaBusError || err instanceof TransientError) return err;
  const message = `kafka bus: ${what}: ${describeKafkaError(err)}`;
  return isTransientKafkaError(err) ? new TransientError(message, { cause: err }) : new Error(message, { cause: err });
}

/** A failure this adapter diagnosed itself (bad input, unknown topic, …); its message is final. */
export class KafkaBusError extends Error {
  override readonly name = 'KafkaBusError';
}

/** Rejects with a TransientError naming `what` unless the promise settles within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TransientError(`kafka bus: ${what}: no answer from the Kafka cluster within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
