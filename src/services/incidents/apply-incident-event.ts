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
 *
 * Both entry points apply reports with applyReports (apply-reports.ts), which decides these rules
 * for a whole batch at once and writes with a few set-based statements.
 */
import type { IncidentEvent } from '../../contracts/types.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { applyReports, type ApplyResult } from './apply-reports.js';
import { isLostRace } from './db-errors.js';
import { reportOf } from './window-report.js';

export type { ApplyResult } from './apply-reports.js';

/** Applies one IncidentEvent; idempotent, safe to run concurrently for the same event. */
export async function applyIncidentEvent(db: SqlDatabase, event: IncidentEvent): Promise<ApplyResult> {
  const reports = [reportOf(event)];
  try {
    return (await db.transaction((tx) => applyReports(tx, reports)))[0];
  } catch (err) {
    if (!isLostRace(err)) throw err;
    // Another consumer committed this incident or window first; this run sees it and updates.
    return (await db.transaction((tx) => applyReports(tx, reports)))[0];
  }
}

/**
 * Applies a batch of events in one transaction: one commit (one fsync) instead of one per event,
 * the fast path when many fingerprints cross the threshold together. All or nothing: if any event
 * fails the whole batch rolls back, and the caller applies the events one by one instead.
 */
export async function applyIncidentEvents(db: SqlDatabase, events: IncidentEvent[]): Promise<ApplyResult[]> {
  const reports = events.map(reportOf);
  return db.transaction((tx) => applyReports(tx, reports));
}
