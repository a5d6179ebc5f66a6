/**
 * Applies window reports inside a transaction with set-based statements (batch-repository.ts):
 * a few statements per batch instead of several per report. The rules are those of
 * apply-incident-event.ts; this module only decides them for many reports at once.
 *
 * Reports of different fingerprints touch disjoint rows (a window, and the incident it counts
 * into, belong to one fingerprint), so their order does not matter and they go together. Reports
 * of one fingerprint must see each other's effects, so they go in rounds: round k takes the k-th
 * pending report of each fingerprint, and reads what the previous rounds wrote. A batch where
 * every fingerprint appears once is one round.
 */
import { v7 as uuidv7 } from 'uuid';
import type { SqlExecutor } from '../../storage/sql-database.js';
import * as batch from './batch-repository.js';
import { higherSeverity, mergeTopMessages, notificationOf, type Incident } from './incident.js';
import type { IncidentWindow } from './rows.js';
import { fingerprintKey, mergeReport, windowRow, type WindowReport } from './window-report.js';

export type ApplyResult =
  | { outcome: 'opened'; incident: Incident }
  | { outcome: 'updated'; incident: Incident }
  /** A redelivery, or a report with nothing new: no write at all. */
  | { outcome: 'unchanged'; incidentId: string }
  /** A continuation for a fingerprint with no open incident: continuations never open one. */
  | { outcome: 'skipped' };

interface Pending {
  report: WindowReport;
  /** Position in the caller's list, where its result goes. */
  index: number;
  /** Its incident was opened by another consumer between our read and our insert. */
  lostRace: boolean;
}

/** Applies the reports in order (as if one by one); returns one result per report. */
export async function applyReports(tx: SqlExecutor, reports: WindowReport[]): Promise<ApplyResult[]> {
  const results = new Array<ApplyResult>(reports.length);
  let pending: Pending[] = reports.map((report, index) => ({ report, index, lostRace: false }));
  while (pending.length > 0) {
    const { round, rest } = nextRound(pending);
    const lost = await applyRound(tx, round, results);
    // A report that lost the race to open its incident is read again, before its fingerprint's later reports.
    pending = [...lost, ...rest].sort((a, b) => a.index - b.index);
  }
  return results;
}

/** The first pending report of each fingerprint, and the others. */
function nextRound(pending: Pending[]): { round: Pending[]; rest: Pending[] } {
  const taken = new Set<string>();
  const round: Pending[] = [];
  const rest: Pending[] = [];
  for (const item of pending) {
    const key = fingerprintKey(item.report);
    if (taken.has(key)) {
      rest.push(item);
    } else {
      taken.add(key);
      round.push(item);
    }
  }
  return { round, rest };
}

/** The writes a round decided on, made together once every report of the round is decided. */
interface RoundWrites {
  windowUpdates: IncidentWindow[];
  windowInserts: IncidentWindow[];
  refreshes: Array<batch.IncidentRefresh & { index: number }>;
  opens: Array<{ item: Pending; incident: batch.OpeningIncident }>;
}

/** Applies reports of distinct fingerprints; returns those that lost the race to open their incident. */
async function applyRound(tx: SqlExecutor, round: Pending[], results: ApplyResult[]): Promise<Pending[]> {
  const writes: RoundWrites = { windowUpdates: [], windowInserts: [], refreshes: [], opens: [] };

  const windows = await batch.lockWindows(tx, round.map((p) => p.report));
  const known = round.flatMap((item, k) => {
    const window = windows[k];
    return window ? [{ item, window }] : [];
  });
  const fresh = round.filter((_, k) => !windows[k]);

  const windowIncidents = await batch.lockIncidents(
    tx,
    known.map(({ window }) => ({ tenantId: window.tenantId, id: window.incidentId })),
  );
  known.forEach(({ item, window }, k) => {
    const incident = windowIncidents[k];
    if (!incident) throw new Error(`window ${window.windowStart} of ${window.fingerprint} points at a missing incident ${window.incidentId}`);
    decideKnownWindow(writes, results, item, window, incident);
  });

  const active = await batch.lockActiveIncidents(tx, fresh.map((p) => p.report));
  fresh.forEach((item, k) => decideNewWindow(writes, results, item, active[k]));

  const lost = await openDecidedIncidents(tx, writes, results);
  await batch.updateWindows(tx, writes.windowUpdates);
  await batch.insertWindows(tx, writes.windowInserts);
  const refreshed = await batch.refreshIncidentsFromWindows(tx, writes.refreshes);
  writes.refreshes.forEach(({ index }, k) => (results[index] = { outcome: 'updated', incident: refreshed[k] }));
  return lost;
}

/** Known window: keep max(count), widen its range; the incident follows, whatever its status. */
function decideKnownWindow(writes: RoundWrites, results: ApplyResult[], item: Pending, window: IncidentWindow, incident: Incident): void {
  const { report, index } = item;
  const merged = mergeReport(window, report);
  const topMessages = mergeTopMessages(incident.topMessages, report.topMessages);
  const severity = higherSeverity(incident.severity, report.severity);
  const incidentChanged = severity !== incident.severity || topMessages.length !== incident.topMessages.length;
  if (!merged.changed && !incidentChanged) {
    results[index] = { outcome: 'unchanged', incidentId: incident.id };
    return;
  }
  if (merged.changed) writes.windowUpdates.push(merged.window);
  writes.refreshes.push({ index, tenantId: report.tenantId, id: incident.id, topMessages, severity });
}

/** New window: joins the active incident, or opens one (never for a continuation). */
function decideNewWindow(writes: RoundWrites, results: ApplyResult[], item: Pending, active: Incident | undefined): void {
  const { report, index } = item;
  if (active) {
    writes.windowInserts.push(windowRow(active.id, report));
    writes.refreshes.push({
      index,
      tenantId: report.tenantId,
      id: active.id,
      topMessages: mergeTopMessages(active.topMessages, report.topMessages),
      severity: higherSeverity(active.severity, report.severity),
    });
    return;
  }
  // Below the threshold: it only adds to an open incident (e.g. one resolved meanwhile stays resolved).
  if (report.continuation) {
    results[index] = { outcome: 'skipped' };
    return;
  }
  if (item.lostRace) throw new Error(`incident for ${report.fingerprint} conflicted on insert but is not active`);
  writes.opens.push({
    item,
    incident: {
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
    },
  });
}

/**
 * Opens the incidents decided on, each with its first window, its history entry and its
 * INCIDENT_CREATED notification. Returns the reports whose fingerprint got an active incident
 * from another consumer in the meantime (PostgreSQL only): the next round reads their fingerprint
 * again and adds them to that incident, as applying them one at a time does.
 */
async function openDecidedIncidents(tx: SqlExecutor, writes: RoundWrites, results: ApplyResult[]): Promise<Pending[]> {
  const opened = await batch.openIncidents(tx, writes.opens.map((o) => o.incident));
  const lost: Pending[] = [];
  const created: Incident[] = [];
  writes.opens.forEach(({ item }, k) => {
    const incident = opened[k];
    if (!incident) {
      lost.push({ ...item, lostRace: true });
      return;
    }
    writes.windowInserts.push(windowRow(incident.id, item.report));
    results[item.index] = { outcome: 'opened', incident };
    created.push(incident);
  });
  await batch.insertHistoryEntries(
    tx,
    created.map((incident) => ({
      tenantId: incident.tenantId,
      incidentId: incident.id,
      entry: { fromStatus: null, toStatus: 'NEW', actor: 'system', assignedToUserId: null, notes: null },
    })),
  );
  await batch.insertOutboxEntries(
    tx,
    created.map((incident) => ({ id: uuidv7(), event: notificationOf(incident, 'INCIDENT_CREATED') })),
  );
  return lost;
}
