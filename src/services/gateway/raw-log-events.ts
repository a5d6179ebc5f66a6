/**
 * Turns a POST /api/v1/logs body into RawLogEvents: applies the X-SERVICE-NAME / X-ENVIRONMENT
 * defaults, validates every log against the contract's LogInput, and either returns one event per
 * log (in request order) or every problem, addressed by array index and field. Never half-applies:
 * one bad entry rejects the batch.
 */
import { v7 as uuidv7 } from 'uuid';
import { FIRST_DATE_TIME_MS, isCanonicalIsoDateTime, LAST_DATE_TIME_MS } from '../../contracts/date-time.js';
import type { LogInput, RawLogEvent } from '../../contracts/types.js';
import { httpBodyValidator, type ValidationIssue } from '../../contracts/validators.js';

export const MAX_LOGS_PER_REQUEST = 1000;

export interface IngestDefaults {
  serviceName?: string;
  environment?: string;
}

export type IngestResult =
  | { ok: true; events: RawLogEvent[] }
  | { ok: false; status: 400 | 413; issues: ValidationIssue[] };

let validateLogInput: ReturnType<typeof httpBodyValidator<LogInput>> | undefined;

function withDefaults(entry: unknown, defaults: IngestDefaults): unknown {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
  const log = entry as Record<string, unknown>;
  if ((log.serviceName === undefined && defaults.serviceName) || (log.environment === undefined && defaults.environment)) {
    return {
      ...log,
      serviceName: log.serviceName ?? defaults.serviceName,
      environment: log.environment ?? defaults.environment,
    };
  }
  return log;
}

function isoTimestamp(value: LogInput['timestamp']): string | null | 'invalid' | 'out of range' {
  if (value === undefined || value === null) return null;
  // Already in the form toISOString would give: keep it, no Date round trip.
  if (typeof value === 'string' && isCanonicalIsoDateTime(value)) return value;
  const time = new Date(value).getTime();
  if (Number.isNaN(time)) return 'invalid';
  // A valid date-time with an offset can still name an instant outside years 0000–9999 in UTC
  // (9999-12-31T23:59:59-00:01), which toISOString writes with a six-digit year: not a date-time.
  if (time < FIRST_DATE_TIME_MS || time > LAST_DATE_TIME_MS) return 'out of range';
  return new Date(time).toISOString();
}

export function toRawLogEvents(body: unknown, tenantId: string, defaults: IngestDefaults, receivedAt: Date): IngestResult {
  validateLogInput ??= httpBodyValidator<LogInput>('LogInput');
  const batch = Array.isArray(body);
  const entries: unknown[] = batch ? body : [body];
  if (batch && entries.length === 0) {
    return { ok: false, status: 400, issues: [{ field: '(root)', message: 'must contain at least one log' }] };
  }
  if (entries.length > MAX_LOGS_PER_REQUEST) {
    return {
      ok: false,
      status: 413,
      issues: [{ field: '(root)', message: `must contain at most ${MAX_LOGS_PER_REQUEST} logs, got ${entries.length}` }],
    };
  }

  const issues: ValidationIssue[] = [];
  const events: RawLogEvent[] = new Array(entries.length);
  const received = receivedAt.toISOString();
  for (let i = 0; i < entries.length; i++) {
    const prefix = batch ? `[${i}]` : '';
    const at = (field: string) => (field === '(root)' ? prefix || '(root)' : batch ? `${prefix}.${field}` : field);
    const result = validateLogInput(withDefaults(entries[i], defaults));
    if (!result.ok) {
      for (const issue of result.issues) issues.push({ field: at(issue.field), message: issue.message });
      continue;
    }
    const log = result.value;
    const logTimestamp = isoTimestamp(log.timestamp);
    if (logTimestamp === 'invalid') {
      issues.push({ field: at('timestamp'), message: 'is not a valid date-time' });
      continue;
    }
    if (logTimestamp === 'out of range') {
      issues.push({ field: at('timestamp'), message: 'must be between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in UTC' });
      continue;
    }
    const event: RawLogEvent = {
      eventId: uuidv7(),
      tenantId,
      serviceName: log.serviceName,
      environment: log.environment,
      receivedAt: received,
      level: log.level ?? '',
      message: log.message,
    };
    if (logTimestamp) event.logTimestamp = logTimestamp;
    if (typeof log.trace === 'string') event.trace = log.trace;
    events[i] = event;
  }
  return issues.length > 0 ? { ok: false, status: 400, issues } : { ok: true, events };
}
