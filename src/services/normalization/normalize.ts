/**
 * RawLogEvent → NormalizedLogEvent: a pure function of the raw event, so reprocessing a log always gives
 * the same result, and the same fingerprint.
 *
 * The output always validates against the NormalizedLogEvent schema, whose limits are stricter in places
 * than what the steps produce:
 *  - message: trimmed; a message of only whitespace is kept as it came (the schema wants ≥ 1 character);
 *  - level: uppercasing may lengthen it (`ß` → `SS`), so it is cut to 32 characters;
 *  - messageTemplate: placeholders are longer than most values they replace (`5` → `<number>`), so it is
 *    cut to 10,000 characters; exceptionType to 1,000 and firstStackFrame to 2,000. The fingerprint is
 *    computed from the values as published, so consumers can recompute it from the event.
 * Optional fields appear only with a value: exceptionType and firstStackFrame when the trace names them,
 * trace when the raw event has one (kept as received, for the log store).
 */
import type { NormalizedLogEvent, RawLogEvent } from '../../contracts/types.js';
import { fingerprint } from './fingerprint.js';
import { normalizeLevel } from './level.js';
import { parseStackTrace } from './stack-trace.js';
import { messageTemplate } from './template.js';

/** maxLength of the NormalizedLogEvent fields, in characters (code points). */
const MAX_LENGTH = { level: 32, messageTemplate: 10_000, exceptionType: 1_000, firstStackFrame: 2_000 } as const;

export function normalizeLog(raw: RawLogEvent): NormalizedLogEvent {
  const trimmed = raw.message.trim();
  const message = trimmed === '' ? raw.message : trimmed;
  const template = truncate(messageTemplate(message), MAX_LENGTH.messageTemplate);
  const trace = parseStackTrace(raw.trace);
  const exceptionType = trace.exceptionType === null ? null : truncate(trace.exceptionType, MAX_LENGTH.exceptionType);
  const firstStackFrame = trace.firstStackFrame === null ? null : truncate(trace.firstStackFrame, MAX_LENGTH.firstStackFrame);

  const normalized: NormalizedLogEvent = {
    eventId: raw.eventId,
    tenantId: raw.tenantId,
    serviceName: raw.serviceName,
    environment: raw.environment,
    timestamp: raw.logTimestamp ?? raw.receivedAt,
    level: truncate(normalizeLevel(raw.level), MAX_LENGTH.level),
    message,
    messageTemplate: template,
    fingerprint: fingerprint(raw.serviceName, template, exceptionType, firstStackFrame),
    schemaVersion: 'v1',
  };
  if (exceptionType !== null) normalized.exceptionType = exceptionType;
  if (firstStackFrame !== null) normalized.firstStackFrame = firstStackFrame;
  if (raw.trace != null) normalized.trace = raw.trace;
  return normalized;
}

/**
 * At most `max` UTF-16 units, hence at most `max` code points (the schema's unit); never cuts a surrogate
 * pair in half.
 */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const lastKept = text.charCodeAt(max - 1);
  const endsInHighSurrogate = lastKept >= 0xd800 && lastKept <= 0xdbff;
  return text.slice(0, endsInHighSurrogate ? max - 1 : max);
}
