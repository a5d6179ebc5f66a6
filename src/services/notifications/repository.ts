/** SQL of the notification delivery log; every statement is tenant-scoped. */
import { v7 as uuidv7 } from 'uuid';
import type { NotificationEvent } from '../../contracts/types.js';
import type { SqlExecutor } from '../../storage/sql-database.js';
import { storableJson } from '../../storage/sql/storable-text.js';

export interface DeliveryRecord {
  id: string;
  tenantId: string;
  incidentId: string;
  notificationType: string;
  channel: string;
  status: string;
  recordedAt: string;
  event: NotificationEvent;
}

export interface DeliveryQuery {
  tenantId: string;
  incidentId?: string;
  notificationType?: string;
  limit: number;
  /** Continue after this delivery id (ids are UUIDv7, so id order is recording order). */
  afterId?: string;
}

interface Row {
  id: string;
  tenant_id: string;
  incident_id: string;
  notification_type: string;
  channel: string;
  status: string;
  recorded_at: Date | string;
  payload: NotificationEvent | string;
}

const toIso = (v: Date | string) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

function toRecord(row: Row): DeliveryRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    incidentId: row.incident_id,
    notificationType: row.notification_type,
    channel: row.channel,
    status: row.status,
    recordedAt: toIso(row.recorded_at),
    event: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
  };
}

export interface Delivery {
  /** The idempotency key: recording it again for the same tenant and channel does nothing. */
  notificationId: string;
  event: NotificationEvent;
  channel: string;
  status: string;
}

/**
 * Records deliveries with one statement (one commit for a whole consumer batch, not one per
 * notification), in order. Returns, for each, false when it was already recorded: by an earlier
 * delivery of the notification, or earlier in this list.
 */
export async function recordDeliveries(db: SqlExecutor, deliveries: Delivery[]): Promise<boolean[]> {
  if (deliveries.length === 0) return [];
  const ids = deliveries.map(() => uuidv7());
  const rows = await db.query<{ id: string }>(
    `INSERT INTO notification_deliveries
       (id, tenant_id, notification_id, incident_id, notification_type, channel, status, payload)
     SELECT id, tenant_id, notification_id, incident_id, notification_type, channel, status, payload
       FROM json_to_recordset($1::json) AS d(i int, id uuid, tenant_id uuid, notification_id text, incident_id uuid,
                                             notification_type text, channel text, status text, payload jsonb)
      ORDER BY i
     ON CONFLICT (tenant_id, notification_id, channel) DO NOTHING
     RETURNING id`,
    [
      storableJson(
        deliveries.map((d, i) => ({
          i,
          id: ids[i],
          tenant_id: d.event.tenantId,
          notification_id: d.notificationId,
          incident_id: d.event.incidentId,
          notification_type: d.event.notificationType,
          channel: d.channel,
          status: d.status,
          payload: d.event,
        })),
      ),
    ],
  );
  const recorded = new Set(rows.map((row) => String(row.id)));
  return ids.map((id) => recorded.has(id));
}

export async function listDeliveries(db: SqlExecutor, q: DeliveryQuery): Promise<DeliveryRecord[]> {
  const params: unknown[] = [q.tenantId];
  const where = ['tenant_id = $1'];
  if (q.incidentId) {
    params.push(q.incidentId);
    where.push(`incident_id = $${params.length}`);
  }
  if (q.notificationType) {
    params.push(q.notificationType);
    where.push(`notification_type = $${params.length}`);
  }
  if (q.afterId) {
    params.push(q.afterId);
    where.push(`id < $${params.length}`);
  }
  params.push(q.limit);
  const rows = await db.query<Row>(
    `SELECT id, tenant_id, incident_id, notification_type, channel, status, recorded_at, payload
       FROM notification_deliveries
      WHERE ${where.join(' AND ')}
      ORDER BY id DESC
      LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRecord);
}
