/**
 * The SQL of applying IncidentEvents, set-based: each function is one statement over a whole set
 * of rows, so a batch of events costs a handful of statements instead of several per event (on
 * PGlite every statement is a parse, a plan and a trip to its worker thread).
 *
 * The rows travel as one JSON array parameter read with json_to_recordset: plain PostgreSQL,
 * the same text for every batch size, and no driver-specific array encoding. Each input row
 * carries its position `i`; lookups return it, so results line up with their inputs.
 *
 * Every statement is tenant-scoped: rows are matched on tenant_id as well as their key. Lock
 * statements lock in key order, so two transactions locking overlapping sets do not deadlock
 * over the order of their inputs.
 */
import type { NotificationEvent } from '../../contracts/types.js';
import type { SqlExecutor } from '../../storage/sql-database.js';
import { storableJson } from '../../storage/sql/storable-text.js';
import type { HistoryEntry, Incident } from './incident.js';
import { incidentColumns, toIncident, toWindow, windowColumns, type IncidentWindow, type Row } from './rows.js';

/** Runs `sql` with the rows as its $1 (a JSON array), skipping the statement when there are none. */
async function forRows(x: SqlExecutor, sql: string, rows: object[]): Promise<Row[]> {
  if (rows.length === 0) return [];
  return x.query(sql, [storableJson(rows)]);
}

/** Lines rows carrying `i` up with the n inputs they answer; undefined where none answered. */
function byPosition<T>(rows: Row[], n: number, map: (row: Row) => T): Array<T | undefined> {
  const result = new Array<T | undefined>(n).fill(undefined);
  for (const row of rows) result[Number(row.i)] = map(row);
  return result;
}

export interface WindowKey {
  tenantId: string;
  fingerprint: string;
  windowStart: string;
}

/** The windows among `keys` already recorded, locked; undefined for the new ones. */
export async function lockWindows(x: SqlExecutor, keys: WindowKey[]): Promise<Array<IncidentWindow | undefined>> {
  const rows = await forRows(
    x,
    `select k.i, ${windowColumns('w')}
       from json_to_recordset($1::json) as k(i int, tenant_id uuid, fingerprint text, window_start timestamptz)
       join incident_windows w on w.tenant_id = k.tenant_id and w.fingerprint = k.fingerprint and w.window_start = k.window_start
      order by w.tenant_id, w.fingerprint, w.window_start
        for update of w`,
    keys.map((k, i) => ({ i, tenant_id: k.tenantId, fingerprint: k.fingerprint, window_start: k.windowStart })),
  );
  return byPosition(rows, keys.length, toWindow);
}

/** These incidents, locked; undefined for an id that does not exist. */
export async function lockIncidents(x: SqlExecutor, ids: Array<{ tenantId: string; id: string }>): Promise<Array<Incident | undefined>> {
  const rows = await forRows(
    x,
    `select k.i, ${incidentColumns('inc')}
       from json_to_recordset($1::json) as k(i int, tenant_id uuid, id uuid)
       join incidents inc on inc.tenant_id = k.tenant_id and inc.id = k.id
      order by inc.tenant_id, inc.id
        for update of inc`,
    ids.map((k, i) => ({ i, tenant_id: k.tenantId, id: k.id })),
  );
  return byPosition(rows, ids.length, toIncident);
}

/** Each fingerprint's incident that is not resolved yet (there is at most one), locked; undefined where none. */
export async function lockActiveIncidents(
  x: SqlExecutor,
  fingerprints: Array<{ tenantId: string; fingerprint: string }>,
): Promise<Array<Incident | undefined>> {
  const rows = await forRows(
    x,
    `select k.i, ${incidentColumns('inc')}
       from json_to_recordset($1::json) as k(i int, tenant_id uuid, fingerprint text)
       join incidents inc on inc.tenant_id = k.tenant_id and inc.fingerprint = k.fingerprint and inc.status <> 'RESOLVED'
      order by inc.tenant_id, inc.fingerprint
        for update of inc`,
    fingerprints.map((k, i) => ({ i, tenant_id: k.tenantId, fingerprint: k.fingerprint })),
  );
  return byPosition(rows, fingerprints.length, toIncident);
}

/** What opening an incident takes; the rest (status NEW, the link to a resolved predecessor, timestamps) the database sets. */
export type OpeningIncident = Pick<
  Incident,
  'id' | 'tenantId' | 'fingerprint' | 'serviceName' | 'environment' | 'severity' | 'occurrenceCount' | 'firstSeenAt' | 'lastSeenAt' | 'topMessages'
>;

/**
 * Opens these incidents in status NEW, each linked to its fingerprint's latest resolved incident
 * if any. Undefined where the fingerprint already has an active incident (another consumer opened
 * it concurrently): the partial unique index decides, as for one incident.
 */
export async function openIncidents(
  x: SqlExecutor,
  incidents: OpeningIncident[],
): Promise<Array<Incident | undefined>> {
  const rows = await forRows(
    x,
    `insert into incidents (id, tenant_id, fingerprint, service_name, environment, severity, status,
                            occurrence_count, first_seen_at, last_seen_at, top_messages, previous_incident_id)
     select n.id, n.tenant_id, n.fingerprint, n.service_name, n.environment, n.severity, 'NEW',
            n.occurrence_count, n.first_seen_at, n.last_seen_at, n.top_messages,
            (select r.id from incidents r
              where r.tenant_id = n.tenant_id and r.fingerprint = n.fingerprint and r.status = 'RESOLVED'
              order by r.resolved_at desc, r.id desc limit 1)
       from json_to_recordset($1::json) as n(i int, id uuid, tenant_id uuid, fingerprint text, service_name text, environment text,
                                             severity text, occurrence_count bigint, first_seen_at timestamptz,
                                             last_seen_at timestamptz, top_messages jsonb)
      order by n.i
     on conflict (tenant_id, fingerprint) where status <> 'RESOLVED' do nothing
     returning ${incidentColumns()}`,
    incidents.map((n, i) => ({
      i,
      id: n.id,
      tenant_id: n.tenantId,
      fingerprint: n.fingerprint,
      service_name: n.serviceName,
      environment: n.environment,
      severity: n.severity,
      occurrence_count: n.occurrenceCount,
      first_seen_at: n.firstSeenAt,
      last_seen_at: n.lastSeenAt,
      top_messages: n.topMessages,
    })),
  );
  const opened = new Map(rows.map((row) => [String(row.id), toIncident(row)]));
  return incidents.map((n) => opened.get(n.id));
}

function windowRecord(w: IncidentWindow) {
  return {
    tenant_id: w.tenantId,
    fingerprint: w.fingerprint,
    window_start: w.windowStart,
    window_end: w.windowEnd,
    incident_id: w.incidentId,
    occurrence_count: w.occurrenceCount,
    first_seen_at: w.firstSeenAt,
    last_seen_at: w.lastSeenAt,
    final: w.final,
  };
}

/** The column definition of windowRecord's rows in json_to_recordset. */
const WINDOW_RECORD = `(tenant_id uuid, fingerprint text, window_start timestamptz, window_end timestamptz, incident_id uuid,
                        occurrence_count bigint, first_seen_at timestamptz, last_seen_at timestamptz, final boolean)`;

export async function insertWindows(x: SqlExecutor, windows: IncidentWindow[]): Promise<void> {
  await forRows(
    x,
    `insert into incident_windows (tenant_id, fingerprint, window_start, window_end, incident_id, occurrence_count, first_seen_at, last_seen_at, final)
     select tenant_id, fingerprint, window_start, window_end, incident_id, occurrence_count, first_seen_at, last_seen_at, final
       from json_to_recordset($1::json) as w${WINDOW_RECORD}`,
    windows.map(windowRecord),
  );
}

/** Stores the merged counts and seen ranges of known windows (the key and incident never change). */
export async function updateWindows(x: SqlExecutor, windows: IncidentWindow[]): Promise<void> {
  await forRows(
    x,
    `update incident_windows w
        set window_end = c.window_end, occurrence_count = c.occurrence_count, first_seen_at = c.first_seen_at,
            last_seen_at = c.last_seen_at, final = c.final, updated_at = now()
       from json_to_recordset($1::json) as c${WINDOW_RECORD}
      where w.tenant_id = c.tenant_id and w.fingerprint = c.fingerprint and w.window_start = c.window_start`,
    windows.map(windowRecord),
  );
}

export interface IncidentRefresh {
  tenantId: string;
  id: string;
  topMessages: string[];
  severity: Incident['severity'];
}

/**
 * Recomputes each incident's counters from its windows (count = sum, seen range = union) and
 * stores the given messages and severity. Returns the incidents as updated, in input order.
 */
export async function refreshIncidentsFromWindows(x: SqlExecutor, refreshes: IncidentRefresh[]): Promise<Incident[]> {
  const rows = await forRows(
    x,
    `update incidents
        set occurrence_count = totals.occurrence_count,
            first_seen_at = totals.first_seen_at,
            last_seen_at = totals.last_seen_at,
            top_messages = c.top_messages,
            severity = c.severity,
            updated_at = now()
       from json_to_recordset($1::json) as c(i int, tenant_id uuid, id uuid, top_messages jsonb, severity text),
            lateral (select sum(w.occurrence_count) as occurrence_count, min(w.first_seen_at) as first_seen_at, max(w.last_seen_at) as last_seen_at
                       from incident_windows w where w.tenant_id = c.tenant_id and w.incident_id = c.id) as totals
      where incidents.tenant_id = c.tenant_id and incidents.id = c.id
      returning c.i, ${incidentColumns('incidents')}`,
    refreshes.map((r, i) => ({ i, tenant_id: r.tenantId, id: r.id, top_messages: r.topMessages, severity: r.severity })),
  );
  const refreshed = byPosition(rows, refreshes.length, toIncident);
  return refreshes.map((r, i) => {
    const incident = refreshed[i];
    if (!incident) throw new Error(`incident ${r.id} vanished while its windows were updated`);
    return incident;
  });
}

/** History entries, recorded in input order. */
export async function insertHistoryEntries(
  x: SqlExecutor,
  entries: Array<{ tenantId: string; incidentId: string; entry: Omit<HistoryEntry, 'changedAt'> }>,
): Promise<void> {
  await forRows(
    x,
    `insert into incident_state_history (tenant_id, incident_id, from_status, to_status, actor, assigned_to_user_id, notes)
     select tenant_id, incident_id, from_status, to_status, actor, assigned_to_user_id, notes
       from json_to_recordset($1::json) as h(i int, tenant_id uuid, incident_id uuid, from_status text, to_status text,
                                             actor text, assigned_to_user_id uuid, notes text)
      order by i`,
    entries.map(({ tenantId, incidentId, entry }, i) => ({
      i,
      tenant_id: tenantId,
      incident_id: incidentId,
      from_status: entry.fromStatus,
      to_status: entry.toStatus,
      actor: entry.actor,
      assigned_to_user_id: entry.assignedToUserId,
      notes: entry.notes,
    })),
  );
}

/** Notifications into the outbox, in input order (their publication order). */
export async function insertOutboxEntries(x: SqlExecutor, entries: Array<{ id: string; event: NotificationEvent }>): Promise<void> {
  await forRows(
    x,
    `insert into incident_outbox (id, tenant_id, incident_id, notification_type, payload)
     select id, tenant_id, incident_id, notification_type, payload
       from json_to_recordset($1::json) as o(i int, id uuid, tenant_id uuid, incident_id uuid, notification_type text, payload jsonb)
      order by i`,
    entries.map(({ id, event }, i) => ({
      i,
      id,
      tenant_id: event.tenantId,
      incident_id: event.incidentId,
      notification_type: event.notificationType,
      payload: event,
    })),
  );
}
