/** SQL of the notification delivery log; every statement is tenant-scoped. */
import { v7 as uuidv7 } from 'uuid';
import type { NotificationEvent } from '../../contracts/types.js';
import type { SqlExecutor } from '../../storage/sql-database.js';

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

/** Records a delivery; returns false when this notification was already recorded (redelivery). */
export async function recordDelivery(
  db: SqlExecutor,
  notificationId: string,
  event: NotificationEvent,
  channel: string,
  status: string,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO notification_deliveries
       (id, tenant_id, notification_id, incident_id, notification_type, channel, status, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id, notification_id, channel) DO NOTHING
     RETURNING id`,
    [uuidv7(), event.tenantId, notificationId, event.incidentId, event.notificationType, channel, status, JSON.stringify(event)],
  );
  return rows.length > 0;
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
