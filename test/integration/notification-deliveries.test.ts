/**
 * The notification service's delivery log against each real SQL store (PGlite, PostgreSQL): a consumer batch is recorded
 * with one statement, and a notification is still recorded once however often it arrives.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.js';
import { HEADER, TOPIC } from '../../src/contracts/topics.js';
import type { NotificationEvent } from '../../src/contracts/types.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { RunningService } from '../../src/runtime/service.js';
import { NOTIFICATION_GROUP, startNotificationService } from '../../src/services/notifications/index.js';
import { listDeliveries, recordDeliveries, type Delivery } from '../../src/services/notifications/repository.js';
import { migrate } from '../../src/storage/sql/migrate.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { MemoryBus } from '../support/memory-bus.js';
import { SQL_ADAPTERS } from '../support/sql-adapters.js';

let cleanup: (() => Promise<void>) | undefined;
let db: SqlDatabase;
let bus: MemoryBus;
let app: FastifyInstance;
let service: RunningService;

for (const adapter of SQL_ADAPTERS) describe(`notification deliveries on ${adapter.name}`, () => {
  before(async () => {
    ({ db, cleanup } = await adapter.open());
    await migrate(db);
    bus = new MemoryBus();
    await bus.ensureTopics(Object.values(TOPIC).map((name) => ({ name, partitions: 3 })));
    const logger = createLogger('silent');
    app = createHttpApp({ service: 'notification-service', logger, checks: {} });
    service = await startNotificationService({ bus, logger, config: loadConfig({}), db, app });
  });

  after(async () => {
    await service?.stop();
    await app?.close();
    await bus?.close();
    await cleanup?.();
  });

  function notification(tenantId: string, incidentId = randomUUID()): NotificationEvent {
    return {
      tenantId,
      incidentId,
      fingerprint: 'a'.repeat(64),
      serviceName: 'payment-service',
      environment: 'production',
      severity: 'HIGH',
      status: 'NEW',
      occurrenceCount: 12,
      firstSeenAt: '2026-11-23T10:15:30.000Z',
      lastSeenAt: '2026-11-23T10:16:00.000Z',
      topMessages: ['Connection timeout', 'quote \' and "double", unicode é ✓'],
      aiSummary: null,
      notificationType: 'INCIDENT_CREATED',
    };
  }

  const delivery = (notificationId: string, event: NotificationEvent): Delivery => ({ notificationId, event, channel: 'log', status: 'RECORDED' });

  describe('notification deliveries', () => {
    test('a batch is recorded in order, each notification once: repeats in the batch or from earlier batches are not', async () => {
      const tenant = randomUUID();
      const other = randomUUID();
      const [n1, n2, n3] = [notification(tenant), notification(tenant), notification(tenant)];
      assert.deepEqual(
        await recordDeliveries(db, [delivery('n1', n1), delivery('n2', n2), delivery('n1', n1), delivery('n1', notification(other))]),
        [true, true, false, true],
      );
      assert.deepEqual(await recordDeliveries(db, [delivery('n2', n2), delivery('n3', n3)]), [false, true]);
      assert.deepEqual(await recordDeliveries(db, []), []);

      const recorded = await listDeliveries(db, { tenantId: tenant, limit: 10 });
      assert.deepEqual(
        recorded.map((d) => [d.incidentId, d.notificationType, d.channel, d.status]),
        [n3, n2, n1].map((n) => [n.incidentId, 'INCIDENT_CREATED', 'log', 'RECORDED']),
        'newest first: ids follow the order of recording',
      );
      assert.deepEqual(recorded.at(-1)!.event, n1);
      assert.equal((await listDeliveries(db, { tenantId: other, limit: 10 })).length, 1);
    });

    test('the service records what it consumes once per notification id, across batches and redeliveries', async () => {
      const tenant = randomUUID();
      const events = Array.from({ length: 250 }, () => notification(tenant));
      const records = events.map((event, i) => ({
        key: event.incidentId,
        value: JSON.stringify(event),
        // Every tenth notification arrives twice (a relay that crashed between produce and mark).
        headers: { [HEADER.notificationId]: `id-${i}` },
      }));
      await bus.produce(TOPIC.notificationEvents, [...records, ...records.filter((_, i) => i % 10 === 0)]);
      // Without the header, or with an empty or blank one, or one too long to be an id, the record's position identifies it.
      await bus.produce(TOPIC.notificationEvents, [
        { key: null, value: JSON.stringify(notification(tenant)) },
        ...['', '', ' ', ' ', 'x'.repeat(201)].map((id) => ({ key: null, value: JSON.stringify(notification(tenant)), headers: { [HEADER.notificationId]: id } })),
      ]);
      await bus.drained(NOTIFICATION_GROUP, TOPIC.notificationEvents);

      const [row] = await db.query<{ n: number; distinct_ids: number }>(
        'select count(*)::int as n, count(distinct notification_id)::int as distinct_ids from notification_deliveries where tenant_id = $1',
        [tenant],
      );
      assert.deepEqual(row, { n: 256, distinct_ids: 256 });
    });
  });
});
