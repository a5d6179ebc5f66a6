/** GET /api/v1/notifications: the tenant's delivery log, newest first, keyset-paginated. */
import type { FastifyInstance } from 'fastify';
import { decodeCursor, encodeCursor } from '../../runtime/cursor.js';
import { HttpError } from '../../runtime/errors.js';
import { isUuid, tenantOf } from '../../runtime/http.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { listDeliveries } from './repository.js';

const NOTIFICATION_TYPES = ['INCIDENT_CREATED', 'INCIDENT_ASSIGNED', 'INCIDENT_RESOLVED'];
const QUERY_PARAMETERS = new Set(['incidentId', 'type', 'limit', 'cursor']);

function badParameter(field: string, message: string): HttpError {
  return new HttpError(400, 'invalid_parameter', `${field} ${message}`, { field });
}

export function registerNotificationRoutes(app: FastifyInstance, db: SqlDatabase): void {
  app.get('/api/v1/notifications', async (request) => {
    const tenantId = tenantOf(request);
    const query = request.query as Record<string, unknown>;
    for (const [name, value] of Object.entries(query)) {
      if (!QUERY_PARAMETERS.has(name)) throw badParameter(name, 'is not a known parameter');
      if (typeof value !== 'string') throw badParameter(name, 'must be given once');
    }
    const { incidentId, type, limit: rawLimit, cursor } = query as Record<string, string | undefined>;
    if (incidentId !== undefined && !isUuid(incidentId)) throw badParameter('incidentId', 'must be a UUID');
    if (type !== undefined && !NOTIFICATION_TYPES.includes(type)) {
      throw badParameter('type', `must be one of ${NOTIFICATION_TYPES.join(', ')}`);
    }
    const limit = rawLimit === undefined ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badParameter('limit', 'must be an integer from 1 to 200');
    const afterId = cursor === undefined ? undefined : decodeCursor(cursor, isUuid);

    const deliveries = await listDeliveries(db, {
      tenantId,
      incidentId: incidentId?.toLowerCase(),
      notificationType: type,
      limit,
      afterId,
    });
    const last = deliveries.at(-1);
    return { notifications: deliveries, nextCursor: deliveries.length === limit && last ? encodeCursor(last.id) : null };
  });
}
