/**
 * Conversion between NormalizedLogEvent and the columns of the logs table (see schema.ts for
 * the column order). Kept allocation-light: it runs for every stored and every returned log.
 */
import type { DuckDBBlobValue, DuckDBValue } from '@duckdb/node-api';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import { LOG_COLUMNS } from './schema.js';

/** A log ready for the appender: its timestamp parsed once, its identity for deduplication. */
export interface StagedLog {
  log: NormalizedLogEvent;
  timestampMs: number;
}

/**
 * Parses and checks what the table needs; a log failing here rejects its whole batch before
 * anything is written, so a batch is stored entirely or not at all.
 */
export function stageLog(log: NormalizedLogEvent): StagedLog {
  const timestampMs = Date.parse(log.timestamp);
  if (!Number.isFinite(timestampMs)) {
    throw new TypeError(`log ${String(log.eventId)}: timestamp ${JSON.stringify(log.timestamp)} is not an ISO-8601 date-time`);
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

/** Column-major values of logs [start, end) in LOG_COLUMNS order, as the appender's data chunk wants them. */
export function toColumns(logs: readonly StagedLog[], start: number, end: number): DuckDBValue[][] {
  const size = end - start;
  const columns: DuckDBValue[][] = Array.from({ length: 14 }, () => new Array<DuckDBValue>(size));
  for (let i = 0; i < size; i++) {
    const { log, timestampMs } = logs[start + i];
    columns[0][i] = log.tenantId;
    columns[1][i] = log.eventId;
    columns[2][i] = BigInt(timestampMs);
    columns[3][i] = log.serviceName;
    columns[4][i] = log.environment;
    columns[5][i] = log.level;
    columns[6][i] = log.message;
    columns[7][i] = log.messageTemplate;
    columns[8][i] = log.fingerprint;
    columns[9][i] = log.exceptionType ?? null;
    columns[10][i] = log.firstStackFrame ?? null;
    columns[11][i] = log.trace ?? null;
    columns[12][i] = log.traceId ?? null;
    columns[13][i] = log.attributes === undefined || log.attributes === null ? null : JSON.stringify(log.attributes);
  }
  return columns;
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
