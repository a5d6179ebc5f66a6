/**
 * IncidentEvent → incident, in one transaction.
 *
 * Clustering reports a window of a fingerprint when its count crosses the threshold, and again
 * with the final count when the window closes; the bus may deliver either more than once. A window
 * is therefore identified by (tenant, fingerprint, windowStart) and counted once, with the largest
 * count reported for it; the incident's occurrenceCount is the sum over its windows.
 *
 *  - known window: keep max(count), widen its seen range; the incident's counters follow. This also
 *    holds when the incident is RESOLVED since: a late or redelivered report never reopens it.
 *  - new window, the fingerprint has an active incident: the window joins it.
 *  - new window, no active incident: open one (NEW), linked to the fingerprint's latest resolved
 *    incident if any, with its history entry and an INCIDENT_CREATED notification in the outbox.
 *
 * Two consumers racing on the same event cannot open two incidents: the insert is
 * `ON CONFLICT DO NOTHING` against the one-active-incident-per-fingerprint index, and a unique
 * violation anywhere else rolls the transaction back and runs it once more, then as an update.
 */
import { v7 as uuidv7 } from 'uuid';
import type { IncidentEvent, Severity } from '../../contracts/types.js';
import { PoisonMessageError } from '../../runtime/errors.js';
import type { SqlDatabase, SqlExecutor } from '../../storage/sql-database.js';
import { isLostRace } from './db-errors.js';
import { higherSeverity, mergeTopMessages, notificationOf, type Incident } from './incident.js';
import * as repo from './repository.js';

export type ApplyResult =
  | { outcome: 'opened'; incident: Incident }
  | { outcome: 'updated'; incident: Incident }
  /** A redelivery, or a report with nothing new: no write at all. */
  | { outcome: 'unchanged'; incidentId: string }
  /** A continuation for a fingerprint with no open incident: continuations never open one. */
  | { outcome: 'skipped' };

/** One report of a window, timestamps normalized to ISO-8601 UTC with milliseconds. */
interface WindowReport {
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
const EARLIEST_STORABLE = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_STORABLE = Date.parse('9999-12-31T23:59:59.999Z');

function instant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms < EARLIEST_STORABLE || ms > LATEST_STORABLE) {
    throw new PoisonMessageError(`${field}: ${JSON.stringify(value)} is not a date-time log0 can store`);
  }
  return new Date(ms).toISOString();
}

function reportOf(event: IncidentEvent): WindowReport {
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

/** Applies one IncidentEvent; idempotent, safe to run concurrently for the same event. */
export async function applyIncidentEvent(db: SqlDatabase, event: IncidentEvent): Promise<ApplyResult> {
  const report = reportOf(event);
  try {
    return await db.transaction((tx) => applyReport(tx, report));
  } catch (err) {
    if (!isLostRace(err)) throw err;
    // Another consumer committed this incident or window first; this run sees it and updates.
    return db.transaction((tx) => applyReport(tx, report));
  }
}

/**
 * Applies a batch of events in one transaction: one commit (one fsync) instead of one per event,
 * the fast path when many fingerprints cross the threshold together. All or nothing: if any event
 * fails the whole batch rolls back, and the caller applies the events one by one instead.
 */
export async function applyIncidentEvents(db: SqlDatabase, events: IncidentEvent[]): Promise<ApplyResult[]> {
  const reports = events.map(reportOf);
  return db.transaction(async (tx) => {
    const results: ApplyResult[] = [];
    for (const report of reports) results.push(await applyReport(tx, report));
    return results;
  });
}

async function applyReport(tx: SqlExecutor, report: WindowReport): Promise<ApplyResult> {
  const known = await repo.lockWindow(tx, report.tenantId, report.fingerprint, report.windowStart);
  if (known) return updateKnownWindow(tx, known, report);

  const active = await repo.lockActiveIncident(tx, report.tenantId, report.fingerprint);
  if (active) return addWindow(tx, active, report);
  // Below the threshold: it only adds to an open incident (e.g. one resolved meanwhile stays resolved).
  if (report.continuation) return { outcome: 'skipped' };

  const opened = await openIncident(tx, report);
  if (opened) return opened;

  // Another consumer opened the incident between our read and our insert (PostgreSQL only).
  const winner = await repo.lockActiveIncident(tx, report.tenantId, report.fingerprint);
  if (!winner) throw new Error(`incident for ${report.fingerprint} conflicted on insert but is not active`);
  return addWindow(tx, winner, report);
}

function earlier(a: string, b: string): string {
  return a <= b ? a : b;
}

function later(a: string, b: string): string {
  return a >= b ? a : b;
}

async function updateKnownWindow(tx: SqlExecutor, window: repo.IncidentWindow, report: WindowReport): Promise<ApplyResult> {
  const merged: repo.IncidentWindow = {
    ...window,
    windowEnd: window.windowEnd ?? report.windowEnd,
    occurrenceCount: Math.max(window.occurrenceCount, report.occurrenceCount),
    firstSeenAt: earlier(window.firstSeenAt, report.firstSeenAt),
    lastSeenAt: later(window.lastSeenAt, report.lastSeenAt),
    final: window.final || report.final,
  };
  const incident = await repo.findIncident(tx, report.tenantId, window.incidentId, { forUpdate: true });
  if (!incident) throw new Error(`window ${window.windowStart} of ${window.fingerprint} points at a missing incident ${window.incidentId}`);

  const topMessages = mergeTopMessages(incident.topMessages, report.topMessages);
  const severity = higherSeverity(incident.severity, report.severity);
  const windowChanged =
    merged.windowEnd !== window.windowEnd ||
    merged.occurrenceCount !== window.occurrenceCount ||
    merged.firstSeenAt !== window.firstSeenAt ||
    merged.lastSeenAt !== window.lastSeenAt ||
    merged.final !== window.final;
  const incidentChanged = severity !== incident.severity || topMessages.length !== incident.topMessages.length;
  if (!windowChanged && !incidentChanged) return { outcome: 'unchanged', incidentId: incident.id };

  if (windowChanged) await repo.updateWindow(tx, merged);
  const updated = await repo.refreshIncidentFromWindows(tx, report.tenantId, incident.id, { topMessages, severity });
  return { outcome: 'updated', incident: updated };
}

async function addWindow(tx: SqlExecutor, incident: Incident, report: WindowReport): Promise<ApplyResult> {
  await repo.insertWindow(tx, windowRow(incident.id, report));
  const updated = await repo.refreshIncidentFromWindows(tx, report.tenantId, incident.id, {
    topMessages: mergeTopMessages(incident.topMessages, report.topMessages),
    severity: higherSeverity(incident.severity, report.severity),
  });
  return { outcome: 'updated', incident: updated };
}

async function openIncident(tx: SqlExecutor, report: WindowReport): Promise<ApplyResult | null> {
  const previousIncidentId = await repo.findLatestResolvedIncidentId(tx, report.tenantId, report.fingerprint);
  const incident = await repo.insertIncidentUnlessActive(tx, {
    // Time-ordered ids keep the primary key index append-mostly.
    id: uuidv7(),
    tenantId: report.tenantId,
    fingerprint: report.fingerprint,
    serviceName: report.serviceName,
    environment: report.environment,
    severity: report.severity,
    occurrenceCount: report.occurrenceCount,
    firstSeenAt: report.firstSeenAt,
    lastSeenAt: report.lastSeenAt,
    topMessages: mergeTopMessages([], report.topMessages),
    previousIncidentId,
  });
  if (!incident) return null;
  await repo.insertWindow(tx, windowRow(incident.id, report));
  await repo.insertHistory(tx, incident.tenantId, incident.id, {
    fromStatus: null,
    toStatus: 'NEW',
    actor: 'system',
    assignedToUserId: null,
    notes: null,
  });
  await repo.insertOutbox(tx, uuidv7(), notificationOf(incident, 'INCIDENT_CREATED'));
  return { outcome: 'opened', incident };
}

function windowRow(incidentId: string, report: WindowReport): repo.IncidentWindow {
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
