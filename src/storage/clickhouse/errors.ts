/**
 * Which ClickHouse failures are worth retrying. The pipeline retries a TransientError and
 * dead-letters other errors, so the split matters: an unreachable or overloaded server must
 * never cost a log, while a query ClickHouse rejects as malformed would fail the same way forever.
 *
 * Anything that is not an error reported by the server itself (connection refused or reset,
 * DNS failure, request timeout, a proxy's HTML error page) means the server could not be
 * reached: transient. Errors the server reports are transient only for the codes below, which
 * are about load or the server's state, not the query.
 */
import { ClickHouseError } from '@clickhouse/client';
import { TransientError } from '../../runtime/errors.js';

/** Server error codes (ClickHouse ErrorCodes.cpp) that a later retry can clear. */
const TRANSIENT_SERVER_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '164', // READONLY (e.g. a replica in read-only mode)
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '203', // NO_FREE_CONNECTION
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '285', // TOO_FEW_LIVE_REPLICAS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '394', // QUERY_WAS_CANCELLED
  '425', // SYSTEM_ERROR
  '999', // KEEPER_EXCEPTION
]);

/**
 * The server's error code, if the server reported the error. @clickhouse/client recognizes
 * only the current message format ("Code: 60. DB::Exception: … (UNKNOWN_TABLE)") as a
 * ClickHouseError; 18.16 answers "Code: 60, e.displayText() = DB::Exception: …", which reaches
 * us as a plain Error, so the message is read here too.
 */
export function serverErrorCode(error: unknown): string | undefined {
  if (error instanceof ClickHouseError) return error.code;
  if (!(error instanceof Error)) return undefined;
  return /^Code: (\d+)[.,].*Exception/s.exec(error.message)?.[1];
}

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  const code = serverErrorCode(error);
  if (code !== undefined) return TRANSIENT_SERVER_CODES.has(code);
  // Our own validation errors are thrown before any request: never transient.
  if (error instanceof TypeError || error instanceof RangeError) return false;
  return true;
}

/** The error callers should see for a failed request: a TransientError when retrying can help. */
export function storeError(error: unknown, operation: string): Error {
  if (error instanceof TransientError) return error;
  const message = `ClickHouse ${operation} failed: ${error instanceof Error ? error.message : String(error)}`;
  if (isTransient(error)) return new TransientError(message, { cause: error });
  return new Error(message, { cause: error });
}

/** Runs one request, turning its failure into storeError(…). */
export async function request<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw storeError(error, operation);
  }
}
