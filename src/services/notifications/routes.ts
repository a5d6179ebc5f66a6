/** GET /api/v1/notifications: the tenant's delivery log, newest first, keyset-paginated. */
import type { FastifyInstance } from 'fastify';
import { isUuid, tenantOf } from '../../runtime/http.js';
import { encodeCursor, QueryParams } from '../../runtime/http-params.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { listDeliveries } from './repository.js';

const NOTIFICATION_TYPES = ['INCIDENT_CREATED', 'INCIDENT_ASSIGNED', 'INCIDENT_RESOLVED'] as const;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function registerNotificationRoutes(app: FastifyInstance, db: SqlDatabase): void {
  app.get('/api/v1/notifications', async (request) => {
    const tenantId = tenantOf(request);
    const params = new QueryParams(request, ['incidentId', 'type', 'limit', 'cursor']);
    const incidentId = params.pattern('incidentId', UUID, 'a UUID')?.toLowerCase();
    const notificationType = params.oneOf('type', NOTIFICATION_TYPES);
    const limit = params.integer('limit', 1, 200, 50);
    const afterId = params.cursor('cursor', (json) => (isUuid(json) ? json : undefined));
    params.done();

    const deliveries = await listDeliveries(db, { tenantId, incidentId, notificationType, limit, afterId });
    const last = deliveries.at(-1);
    return { notifications: deliveries, nextCursor: deliveries.length === limit && last ? encodeCursor(last.id) : null };
  });
}
