/**
 * The notification service: consumes notification-events and delivers each notification.
 * Slack delivery arrives in a later issue; until then every notification is recorded in the
 * delivery log (channel 'log'), readable at GET /api/v1/notifications.
 */
import type { FastifyInstance } from 'fastify';
import type { BusRecord } from '../../bus/port.js';
import { HEADER, TOPIC } from '../../contracts/topics.js';
import { BatchWriter, SQL_FLUSH_INTERVAL_MS } from '../../runtime/batch-writer.js';
import { consumeMessages } from '../../runtime/consumer.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { recordDeliveries, type Delivery } from './repository.js';
import { registerNotificationRoutes } from './routes.js';

export const NOTIFICATION_GROUP = 'notification-service.delivery-recorder';
const MAX_NOTIFICATION_ID_CHARS = 200;

export async function startNotificationService(
  ctx: ServiceContext & { db: SqlDatabase; app: FastifyInstance },
): Promise<RunningService> {
  const { bus, db } = ctx;
  const logger = ctx.logger.child({ service: 'notification-service' });
  registerNotificationRoutes(ctx.app, db);

  // The deliveries of every partition that arrive while one insert runs, or within 250 ms of its
  // start, are recorded with one statement: each commit has a fixed cost on the embedded database.
  const recorder = new BatchWriter<Delivery>(
    async (deliveries) => {
      const recorded = await recordDeliveries(db, deliveries);
      deliveries.forEach(({ event }, i) => {
        if (!recorded[i]) return;
        logger.debug({ tenantId: event.tenantId, incidentId: event.incidentId, type: event.notificationType }, 'notification recorded');
      });
    },
    { batchRows: 1000, flushIntervalMs: SQL_FLUSH_INTERVAL_MS },
  );

  /**
   * The outbox id the incident service sends as a header (a UUID), so a notification published
   * twice is recorded once; without a usable one (another producer's record: none, blank, or too
   * long for an id), the record's position, which is unique, stands in: never a shared value that
   * would make later notifications look like repeats and be dropped.
   */
  const notificationIdOf = (record: BusRecord): string => {
    const header = record.headers[HEADER.notificationId];
    return header !== undefined && header.trim() !== '' && header.length <= MAX_NOTIFICATION_ID_CHARS
      ? header
      : `${record.topic}:${record.partition}:${record.offset}`;
  };

  const consumer = await consumeMessages({
    bus,
    logger,
    service: 'notification-service',
    groupId: NOTIFICATION_GROUP,
    topic: TOPIC.notificationEvents,
    message: 'NotificationEvent',
    handle: (messages) =>
      recorder.append(
        messages.map(({ value, record }) => ({
          notificationId: notificationIdOf(record),
          event: value,
          channel: 'log',
          status: 'RECORDED',
        })),
      ),
  });

  return { stop: () => consumer.stop() };
}
