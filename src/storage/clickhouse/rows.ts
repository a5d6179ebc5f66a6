/**
 * Conversion between NormalizedLogEvent and rows of the logs table: objects for a JSONEachRow
 * insert one way, JSONEachRow result rows the other. Runs for every stored and returned log,
 * so it stays a flat field copy.
 */
import { parseDateTime } from '../../contracts/date-time.js';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import { wellFormed } from './well-formed.js';

/** A row as inserted with JSONEachRow (keys = schema.ts LOG_COLUMNS). */
export interface LogRow {
  tenant_id: string;
  event_id: string;
  timestamp_ms: number;
  service_name: string;
  environment: string;
  level: string;
  message: string;
  message_template: string;
  fingerprint: string;
  exception_type: string | null;
  first_stack_frame: string | null;
  trace: string | null;
  trace_id: string | null;
  attributes_json: string | null;
}

/** A row as read back: JSONEachRow renders Int64 as a quoted string by default. */
export type StoredRow = Omit<LogRow, 'timestamp_ms'> & { timestamp_ms: string | number };

function text(log: NormalizedLogEvent, field: keyof NormalizedLogEvent): string {
  const value = log[field];
  if (typeof value !== 'string') throw new TypeError(`log ${String(log.eventId)}: ${field} must be a string`);
  return wellFormed(value);
}

function optionalText(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : wellFormed(value);
}

/**
 * The row for a log. Checks what the table needs, so a bad log rejects its own append before
 * it joins a shared insert batch (writer.ts), where it would fail everyone's logs.
 */
export function toRow(log: NormalizedLogEvent): LogRow {
  const timestampMs = parseDateTime(log.timestamp);
  if (!Number.isFinite(timestampMs)) {
    throw new TypeError(`log ${String(log.eventId)}: timestamp ${JSON.stringify(log.timestamp)} is not an ISO-8601 date-time`);
  }
  return {
    tenant_id: text(log, 'tenantId'),
    event_id: text(log, 'eventId'),
    timestamp_ms: timestampMs,
    service_name: text(log, 'serviceName'),
    environment: text(log, 'environment'),
    level: text(log, 'level'),
    message: text(log, 'message'),
    message_template: text(log, 'messageTemplate'),
    fingerprint: text(log, 'fingerprint'),
    exception_type: optionalText(log.exceptionType),
    first_stack_frame: optionalText(log.firstStackFrame),
    trace: optionalText(log.trace),
    trace_id: optionalText(log.traceId),
    attributes_json: log.attributes === undefined || log.attributes === null ? null : wellFormed(JSON.stringify(log.attributes)),
  };
}

/** The identity a redelivered log shares with its first delivery (the table's sort key). */
export function rowIdentity(row: LogRow): string {
  // Length-prefixed, so no tenant/event id pair can spell another's key.
  return `${row.timestamp_ms}:${row.tenant_id.length}:${row.tenant_id}${row.event_id}`;
}

/** A stored row back to the event: null optionals omitted, timestamp as ISO-8601 with ms, UTC. */
export function fromRow(row: StoredRow): NormalizedLogEvent {
  // Built in the contract's field order, so serialized logs read naturally.
  const log = {
    eventId: row.event_id,
    tenantId: row.tenant_id,
    serviceName: row.service_name,
    environment: row.environment,
    timestamp: new Date(Number(row.timestamp_ms)).toISOString(),
    level: row.level,
    message: row.message,
    messageTemplate: row.message_template,
    fingerprint: row.fingerprint,
  } as NormalizedLogEvent;
  if (row.exception_type !== null) log.exceptionType = row.exception_type;
  if (row.first_stack_frame !== null) log.firstStackFrame = row.first_stack_frame;
  if (row.trace !== null) log.trace = row.trace;
  if (row.attributes_json !== null) log.attributes = JSON.parse(row.attributes_json) as object;
  if (row.trace_id !== null) log.traceId = row.trace_id;
  log.schemaVersion = 'v1';
  return log;
}
