/**
 * The SQL of the incident service, one row at a time (applying IncidentEvents is set-based:
 * batch-repository.ts). Every query on tenant data is scoped by `tenant_id = $1`; the only
 * exceptions are the outbox relay's queries at the end, which work for all tenants at once and
 * are never reachable from a request.
 *
 * Functions take a SqlExecutor: the database, or the transaction they are part of.
 */
import type { IncidentStatus, NotificationEvent, NotificationType, Severity } from '../../contracts/types.js';
import type { SqlExecutor } from '../../storage/sql-database.js';
import { storableJson, storableText } from '../../storage/sql/storable-text.js';
import type { HistoryEntry, Incident } from './incident.js';
import { incidentColumns, iso, textOrNull, toIncident } from './rows.js';

const INCIDENT = incidentColumns();

// ---------------------------------------------------------------------------------------------
// Incidents

export async function findIncident(x: SqlExecutor, tenantId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Incident | null> {
  const rows = await x.query(`select ${INCIDENT} from incidents where tenant_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [tenantId, id]);
  return rows[0] ? toIncident(rows[0]) : null;
}

/** Sets the status (and assignee, when given); stamps resolved_at when the status is RESOLVED. */
export async function updateIncidentStatus(
  x: SqlExecutor,
  tenantId: string,
  id: string,
  status: IncidentStatus,
  assignedToUserId: string | null,
): Promise<Incident> {
  const rows = await x.query(
    `update incidents
        set status = $3,
            assigned_to_user_id = coalesce($4::uuid, assigned_to_user_id),
            resolved_at = case when $3 = 'RESOLVED' then now() else null end,
            updated_at = now()
      where tenant_id = $1 and id = $2
      returning ${INCIDENT}`,
    [tenantId, id, status, assignedToUserId],
  );
  if (!rows[0]) throw new Error(`incident ${id} vanished while its status changed`);
  return toIncident(rows[0]);
}

export interface IncidentFilter {
  status?: IncidentStatus;
  severity?: Severity;
  serviceName?: string;
  environment?: string;
}

/** Position in the newest-first order (last_seen_at desc, id desc). */
export interface IncidentCursor {
  lastSeenAt: string;
  id: string;
}

/** Newest first; up to `limit` incidents strictly after `after`. */
export async function listIncidents(
  x: SqlExecutor,
  tenantId: string,
  filter: IncidentFilter,
  limit: number,
  after: IncidentCursor | undefined,
): Promise<Incident[]> {
  const params: unknown[] = [tenantId];
  const where = ['tenant_id = $1'];
  const add = (condition: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.status) add((n) => `status = ${n}`, filter.status);
  if (filter.severity) add((n) => `severity = ${n}`, filter.severity);
  // As stored (storable-text.ts): a filter with U+0000 finds the incidents whose names had one.
  if (filter.serviceName) add((n) => `service_name = ${n}`, storableText(filter.serviceName));
  if (filter.environment) add((n) => `environment = ${n}`, storableText(filter.environment));
  if (after) {
    params.push(after.lastSeenAt, after.id);
    where.push(`(last_seen_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit);
  const rows = await x.query(
    `select ${INCIDENT} from incidents where ${where.join(' and ')} order by last_seen_at desc, id desc limit $${params.length}`,
    params,
  );
  return rows.map(toIncident);
}

// ---------------------------------------------------------------------------------------------
// History

export async function insertHistory(
  x: SqlExecutor,
  tenantId: string,
  incidentId: string,
  entry: Omit<HistoryEntry, 'changedAt'>,
): Promise<void> {
  await x.query(
    `insert into incident_state_history (tenant_id, incident_id, from_status, to_status, actor, assigned_to_user_id, notes)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [tenantId, incidentId, entry.fromStatus, entry.toStatus, entry.actor && storableText(entry.actor), entry.assignedToUserId, entry.notes && storableText(entry.notes)],
  );
}

export async function listHistory(x: SqlExecutor, tenantId: string, incidentId: string): Promise<HistoryEntry[]> {
  const rows = await x.query(
    `select from_status, to_status, actor, assigned_to_user_id, notes, changed_at
       from incident_state_history where tenant_id = $1 and incident_id = $2 order by id`,
    [tenantId, incidentId],
  );
  return rows.map((row) => ({
    fromStatus: (row.from_status ?? null) as IncidentStatus | null,
    toStatus: row.to_status as IncidentStatus,
    actor: textOrNull(row.actor),
    assignedToUserId: textOrNull(row.assigned_to_user_id),
    notes: textOrNull(row.notes),
    changedAt: iso(row.changed_at),
  }));
}

// ---------------------------------------------------------------------------------------------
// Outbox

export async function insertOutbox(x: SqlExecutor, id: string, event: NotificationEvent): Promise<void> {
  await x.query(
    `insert into incident_outbox (id, tenant_id, incident_id, notification_type, payload) values ($2, $1, $3, $4, $5::jsonb)`,
    [event.tenantId, id, event.incidentId, event.notificationType, storableJson(event)],
  );
}

export interface OutboxEntry {
  id: string;
  notificationType: NotificationType;
  payload: NotificationEvent;
}

/** All tenants: the oldest unpublished notifications, in the order they were written. */
export async function listUnpublishedOutbox(x: SqlExecutor, limit: number): Promise<OutboxEntry[]> {
  const rows = await x.query(
    `select id, notification_type, payload from incident_outbox where published_at is null order by seq limit $1`,
    [limit],
  );
  return rows.map((row) => ({
    id: String(row.id),
    notificationType: row.notification_type as NotificationType,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as NotificationEvent,
  }));
}

/** All tenants: marks these notifications as published. */
export async function markOutboxPublished(x: SqlExecutor, ids: string[]): Promise<void> {
  await x.query(
    `update incident_outbox set published_at = now()
      where published_at is null and id in (select value::uuid from jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(ids)],
  );
}

/** All tenants: forgets notifications published before `before`. Returns how many. */
export async function deletePublishedOutbox(x: SqlExecutor, before: Date): Promise<number> {
  const rows = await x.query<{ deleted: unknown }>(
    `with gone as (delete from incident_outbox where published_at < $1 returning 1) select count(*) as deleted from gone`,
    [before.toISOString()],
  );
  return Number(rows[0]?.deleted ?? 0);
}
