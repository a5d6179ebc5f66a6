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
 *
 * A tenant's fingerprint rules (fingerprint-rules.ts), when given, run after log0's own templating:
 * their masks change the published messageTemplate, and a fixed fingerprint replaces template,
 * exception and frame in the hash (`serviceName|fingerprint-rule:<name>||`). Still a pure function of
 * the raw event and the rules file.
 */
import type { NormalizedLogEvent, RawLogEvent } from '../../contracts/types.js';
import { fingerprint } from './fingerprint.js';
import { FingerprintRules } from './fingerprint-rules.js';
import { normalizeLevel } from './level.js';
import { parseStackTrace } from './stack-trace.js';
import { messageTemplate } from './template.js';

/** maxLength of the NormalizedLogEvent fields, in characters (code points). */
const MAX_LENGTH = { level: 32, messageTemplate: 10_000, exceptionType: 1_000, firstStackFrame: 2_000 } as const;

/**
 * With `explain`, the names of the tenant's fingerprint rules that matched are added to
 * explain.rulesApplied (for `log0 normalize`); the pipeline passes none and allocates nothing for it.
 */
export function normalizeLog(
  raw: RawLogEvent,
  rules: FingerprintRules = FingerprintRules.none,
  explain?: { rulesApplied: string[] },
): NormalizedLogEvent {
  const trimmed = raw.message.trim();
  const message = trimmed === '' ? raw.message : trimmed;
  const trace = parseStackTrace(raw.trace);
  const exceptionType = trace.exceptionType === null ? null : truncate(trace.exceptionType, MAX_LENGTH.exceptionType);
  const firstStackFrame = trace.firstStackFrame === null ? null : truncate(trace.firstStackFrame, MAX_LENGTH.firstStackFrame);
  const level = truncate(normalizeLevel(raw.level), MAX_LENGTH.level);
  let template = messageTemplate(message);
  let fixedFingerprint: string | null = null;
  if (!rules.isEmpty) {
    const outcome = rules.apply({ ...raw, level, message, messageTemplate: template, exceptionType, firstStackFrame });
    ({ messageTemplate: template, fixedFingerprint } = outcome);
    explain?.rulesApplied.push(...outcome.applied);
  }
  template = truncate(template, MAX_LENGTH.messageTemplate);

  const normalized: NormalizedLogEvent = {
    eventId: raw.eventId,
    tenantId: raw.tenantId,
    serviceName: raw.serviceName,
    environment: raw.environment,
    timestamp: raw.logTimestamp ?? raw.receivedAt,
    level,
    message,
    messageTemplate: template,
    fingerprint:
      fixedFingerprint === null
        ? fingerprint(raw.serviceName, template, exceptionType, firstStackFrame)
        : fingerprint(raw.serviceName, `fingerprint-rule:${fixedFingerprint}`, null, null),
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
