/**
 * Conversion between NormalizedLogEvent and the columns of the logs table (see schema.ts for
 * the column order). Kept allocation-light: it runs for every stored and every returned log.
 */
import type { DuckDBAppender, DuckDBBlobValue, DuckDBValue } from '@duckdb/node-api';
import { parseDateTime } from '../../contracts/date-time.js';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import { LOG_COLUMNS } from './schema.js';

/** A log ready for the appender: its timestamp parsed once, its identity for deduplication. */
export interface StagedLog {
  log: NormalizedLogEvent;
  timestampMs: number;
}

/** The text columns a log fills (LOG_COLUMNS order, timestamp and attributes aside) and whether they are NOT NULL. */
const TEXT_FIELDS: ReadonlyArray<readonly [keyof NormalizedLogEvent, string, boolean]> = [
  ['tenantId', 'tenant_id', true],
  ['eventId', 'event_id', true],
  ['serviceName', 'service_name', true],
  ['environment', 'environment', true],
  ['level', 'level', true],
  ['message', 'message', true],
  ['messageTemplate', 'message_template', true],
  ['fingerprint', 'fingerprint', true],
  ['exceptionType', 'exception_type', false],
  ['firstStackFrame', 'first_stack_frame', false],
  ['trace', 'trace', false],
  ['traceId', 'trace_id', false],
];

/**
 * Parses and checks everything the table needs, so appending a staged log as a row cannot fail
 * on its values: a log failing here rejects its own batch before any of it is written, and never
 * leaves a row half-appended in an appender that other batches share (direct-appends.ts).
 */
export function stageLog(log: NormalizedLogEvent): StagedLog {
  const timestampMs = parseDateTime(log.timestamp);
  if (!Number.isFinite(timestampMs)) {
    throw new TypeError(`log ${String(log.eventId)}: timestamp ${JSON.stringify(log.timestamp)} is not an ISO-8601 date-time`);
  }
  for (const [field, column, required] of TEXT_FIELDS) {
    const value = log[field];
    if (typeof value === 'string') continue;
    if (value === undefined || value === null) {
      if (!required) continue;
      throw new TypeError(`log ${String(log.eventId)}: ${field} is missing (column ${column} is NOT NULL)`);
    }
    throw new TypeError(`log ${String(log.eventId)}: ${field} must be a string, got ${typeof value}`);
  }
  return { log, timestampMs };
}

/**
 * Drops logs of the batch that repeat an earlier one's identity (tenantId, eventId, timestamp),
 * keeping the first. The identity includes the timestamp because stored duplicates are found by
 * a scan restricted to the batch's timestamps (see writer.ts); a redelivered log is the same
 * message, so it always carries the same timestamp.
 */
export function dropRepeatsWithinBatch(logs: readonly StagedLog[]): StagedLog[] {
  // Keyed by eventId alone (no key building per log); the rest of the identity is compared on a hit.
  const firstByEventId = new Map<string, StagedLog[]>();
  const unique: StagedLog[] = [];
  for (const staged of logs) {
    const earlier = firstByEventId.get(staged.log.eventId);
    if (!earlier) {
      firstByEventId.set(staged.log.eventId, [staged]);
    } else if (earlier.some((e) => e.log.tenantId === staged.log.tenantId && e.timestampMs === staged.timestampMs)) {
      continue;
    } else {
      earlier.push(staged);
    }
    unique.push(staged);
  }
  return unique;
}

/**
 * Appends one log as a row, its values in LOG_COLUMNS order. Row by row, each value goes straight
 * into the appender's native buffer: measured against filling data chunks (100k logs, DuckDB
 * alone), 6.9–8.3 µs of CPU per row instead of 9.1–12, and no JS copy of the batch's values.
 */
export function appendLogRow(appender: DuckDBAppender, { log, timestampMs }: StagedLog): void {
  appendText(appender, log.tenantId, 'tenantId');
  appendText(appender, log.eventId, 'eventId');
  appender.appendBigInt(BigInt(timestampMs));
  appendText(appender, log.serviceName, 'serviceName');
  appendText(appender, log.environment, 'environment');
  appendText(appender, log.level, 'level');
  appendText(appender, log.message, 'message');
  appendText(appender, log.messageTemplate, 'messageTemplate');
  appendText(appender, log.fingerprint, 'fingerprint');
  appendText(appender, log.exceptionType, 'exceptionType');
  appendText(appender, log.firstStackFrame, 'firstStackFrame');
  appendText(appender, log.trace, 'trace');
  appendText(appender, log.traceId, 'traceId');
  appendText(appender, log.attributes === undefined || log.attributes === null ? null : JSON.stringify(log.attributes), 'attributes');
  appender.endRow();
}

/** A missing value is NULL (stageLog has refused a log missing a NOT NULL one). */
function appendText(appender: DuckDBAppender, value: unknown, field: string): void {
  if (typeof value === 'string') appender.appendVarchar(value);
  else if (value === undefined || value === null) appender.appendNull();
  else throw new TypeError(`${field} must be a string, got ${typeof value}`);
}

/**
 * The select list that fromRow reads. Text columns are fetched as their UTF-8 bytes: the
 * DuckDB Node API decodes VARCHAR with a default TextDecoder, which silently drops a leading
 * U+FEFF (byte order mark), so a message starting with one would not come back as appended.
 */
export const SELECTED_COLUMNS = LOG_COLUMNS.map((column) => (column === 'timestamp_ms' ? column : `encode(${column})`)).join(', ');

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function text(value: DuckDBValue): string {
  return utf8.decode((value as DuckDBBlobValue).bytes);
}

/**
 * A row of `SELECT ${SELECTED_COLUMNS}` back to the event. Optional fields stored as NULL are
 * omitted, the timestamp is rendered as ISO-8601 with milliseconds.
 */
export function fromRow(row: readonly DuckDBValue[]): NormalizedLogEvent {
  // Built in the contract's field order, so serialized logs read naturally.
  const log = {
    eventId: text(row[1]),
    tenantId: text(row[0]),
    serviceName: text(row[3]),
    environment: text(row[4]),
    timestamp: new Date(Number(row[2] as bigint)).toISOString(),
    level: text(row[5]),
    message: text(row[6]),
    messageTemplate: text(row[7]),
    fingerprint: text(row[8]),
  } as NormalizedLogEvent;
  if (row[9] !== null) log.exceptionType = text(row[9]);
  if (row[10] !== null) log.firstStackFrame = text(row[10]);
  if (row[11] !== null) log.trace = text(row[11]);
  if (row[13] !== null) log.attributes = JSON.parse(text(row[13])) as object;
  if (row[12] !== null) log.traceId = text(row[12]);
  log.schemaVersion = 'v1';
  return log;
}
