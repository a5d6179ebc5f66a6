/**
 * An IncidentEvent as the incident service applies it: one report of a clustering window, with
 * its timestamps normalized, and how a report merges into the window row it reports again.
 */
import type { IncidentEvent, Severity } from '../../contracts/types.js';
import { PoisonMessageError } from '../../runtime/errors.js';
import type { IncidentWindow } from './rows.js';

/** One report of a window, timestamps normalized to ISO-8601 UTC with milliseconds. */
export interface WindowReport {
  tenantId: string;
  fingerprint: string;
  serviceName: string;
  environment: string;
  severity: Severity;
  windowStart: string;
  windowEnd: string | null;
  occurrenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  topMessages: string[];
  final: boolean;
  continuation: boolean;
}

/** Years 1 to 9999: PostgreSQL has no year 0, and ISO strings beyond 9999 no longer sort as text. */
export const EARLIEST_STORABLE = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_STORABLE = Date.parse('9999-12-31T23:59:59.999Z');

function instant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < EARLIEST_STORABLE || ms > LATEST_STORABLE) {
    throw new PoisonMessageError(`${field}: ${JSON.stringify(value)} is not a date-time log0 can store`);
  }
  return new Date(ms).toISOString();
}

export function reportOf(event: IncidentEvent): WindowReport {
  const firstSeenAt = instant(event.firstSeenAt, 'firstSeenAt');
  const lastSeenAt = instant(event.lastSeenAt, 'lastSeenAt');
  if (firstSeenAt > lastSeenAt) throw new PoisonMessageError(`firstSeenAt ${firstSeenAt} is after lastSeenAt ${lastSeenAt}`);
  return {
    tenantId: event.tenantId.toLowerCase(),
    fingerprint: event.fingerprint,
    serviceName: event.serviceName,
    environment: event.environment,
    severity: event.severity,
    // Producers of seed 000 send no windowStart; the window's first event identifies it as well.
    windowStart: event.windowStart !== undefined ? instant(event.windowStart, 'windowStart') : firstSeenAt,
    windowEnd: event.windowEnd !== undefined ? instant(event.windowEnd, 'windowEnd') : null,
    occurrenceCount: event.occurrenceCount,
    firstSeenAt,
    lastSeenAt,
    topMessages: event.topMessages,
    final: event.final === true,
    continuation: event.continuation === true,
  };
}

/** The (tenant, fingerprint) a report belongs to: reports with the same key touch the same rows. */
export function fingerprintKey(report: WindowReport): string {
  return `${report.tenantId}/${report.fingerprint}`;
}

/** The row of a window reported for the first time, counted into `incidentId`. */
export function windowRow(incidentId: string, report: WindowReport): IncidentWindow {
  return {
    tenantId: report.tenantId,
    fingerprint: report.fingerprint,
    windowStart: report.windowStart,
    windowEnd: report.windowEnd,
    incidentId,
    occurrenceCount: report.occurrenceCount,
    firstSeenAt: report.firstSeenAt,
    lastSeenAt: report.lastSeenAt,
    final: report.final,
  };
}

function earlier(a: string, b: string): string {
  return a <= b ? a : b;
}

function later(a: string, b: string): string {
  return a >= b ? a : b;
}

/**
 * A known window reported again: the largest count, the widest seen range, the end and the
 * closing flag once known. `changed` is false for a redelivery or a smaller, older report.
 */
export function mergeReport(window: IncidentWindow, report: WindowReport): { window: IncidentWindow; changed: boolean } {
  const merged: IncidentWindow = {
    ...window,
    windowEnd: window.windowEnd ?? report.windowEnd,
    occurrenceCount: Math.max(window.occurrenceCount, report.occurrenceCount),
    firstSeenAt: earlier(window.firstSeenAt, report.firstSeenAt),
    lastSeenAt: later(window.lastSeenAt, report.lastSeenAt),
    final: window.final || report.final,
  };
  const changed =
    merged.windowEnd !== window.windowEnd ||
    merged.occurrenceCount !== window.occurrenceCount ||
    merged.firstSeenAt !== window.firstSeenAt ||
    merged.lastSeenAt !== window.lastSeenAt ||
    merged.final !== window.final;
  return { window: merged, changed };
}
