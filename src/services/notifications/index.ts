/**
 * The notification service: consumes notification-events and delivers each notification.
 * Slack delivery arrives in a later issue; until then every notification is recorded in the
 * delivery log (channel 'log'), readable at GET /api/v1/notifications.
 */
import type { FastifyInstance } from 'fastify';
import { HEADER, TOPIC } from '../../contracts/topics.js';
import { consumeMessages } from '../../runtime/consumer.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { recordDeliveries } from './repository.js';
import { registerNotificationRoutes } from './routes.js';

export const NOTIFICATION_GROUP = 'notification-service.delivery-recorder';

export async function startNotificationService(
  ctx: ServiceContext & { db: SqlDatabase; app: FastifyInstance },
): Promise<RunningService> {
  const { bus, db } = ctx;
  const logger = ctx.logger.child({ service: 'notification-service' });
  registerNotificationRoutes(ctx.app, db);

  const consumer = await consumeMessages({
    bus,
    logger,
    service: 'notification-service',
    groupId: NOTIFICATION_GROUP,
    topic: TOPIC.notificationEvents,
    message: 'NotificationEvent',
    handle: async (messages) => {
      const recorded = await recordDeliveries(
        db,
        messages.map(({ value, record }) => ({
          notificationId: record.headers[HEADER.notificationId] ?? `${record.topic}:${record.partition}:${record.offset}`,
          event: value,
          channel: 'log',
          status: 'RECORDED',
        })),
      );
      messages.forEach(({ value }, i) => {
        if (!recorded[i]) return;
        logger.debug({ tenantId: value.tenantId, incidentId: value.incidentId, type: value.notificationType }, 'notification recorded');
      });
    },
  });

  return { stop: () => consumer.stop() };
}
