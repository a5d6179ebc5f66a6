/**
 * What every log store adapter shares about the LogStore port's queries and rows: the checks of a
 * query (so an adapter never builds SQL from a value the port does not define), the page a
 * search returns, and the columns of a stored log (the same in DuckDB and ClickHouse).
 */
import type { NormalizedLogEvent } from '../contracts/types.js';
import type { LogCursor, LogPage, LogQuery } from './log-store.js';

export const MAX_PAGE_SIZE = 1000;

export type LogFilter = Omit<LogQuery, 'limit' | 'after'>;

/** Columns of a stored log, in table order, in both stores (each maps them to its own types). */
export const LOG_COLUMNS = [
  'tenant_id',
  'event_id',
  'timestamp_ms',
  'service_name',
  'environment',
  'level',
  'message',
  'message_template',
  'fingerprint',
  'exception_type',
  'first_stack_frame',
  'trace',
  'trace_id',
  'attributes_json',
] as const;

/** Rejects queries the port does not define, naming the offending field. */
export function validateFilter(filter: LogFilter): void {
  if (typeof filter.tenantId !== 'string' || filter.tenantId.length === 0) {
    throw new TypeError('tenantId must be a non-empty string');
  }
  for (const field of ['serviceName', 'environment', 'level', 'fingerprint', 'text'] as const) {
    const value = filter[field];
    if (value !== undefined && typeof value !== 'string') throw new TypeError(`${field} must be a string`);
  }
  for (const field of ['from', 'to'] as const) {
    const value = filter[field];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw new TypeError(`${field} must be an integer (epoch milliseconds)`);
    }
  }
}

export function validateQuery(query: LogQuery): void {
  validateFilter(query);
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(query.limit)}`);
  }
  if (query.after !== undefined) validateCursor(query.after);
}

function validateCursor(after: LogCursor): void {
  if (typeof after !== 'object' || after === null) throw new TypeError('after must be a cursor { timestamp, eventId }');
  if (!Number.isSafeInteger(after.timestamp)) throw new TypeError('after.timestamp must be an integer (epoch milliseconds)');
  if (typeof after.eventId !== 'string') throw new TypeError('after.eventId must be a string');
}

/** The page of a search: a cursor after its last log when the page is full (more may follow). */
export function pageOf(logs: NormalizedLogEvent[], limit: number): LogPage {
  const last = logs.length === limit ? logs[logs.length - 1] : undefined;
  return { logs, next: last ? { timestamp: Date.parse(last.timestamp), eventId: last.eventId } : null };
}
