/**
 * The incident service's behaviour against a real SQL database (each adapter's test file gives
 * one: PGlite in a temp dir, a fresh database on a PostgreSQL server) and a real Fastify app
 * (inject), with an in-memory bus. Each test works in its own tenant, so tests share one database.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BusRecord } from '../../src/bus/port.js';
import { loadConfig } from '../../src/config/config.js';
import { HEADER, recordKey, TOPIC } from '../../src/contracts/topics.js';
import type { DlqEvent, IncidentEvent, NormalizedLogEvent, NotificationEvent } from '../../src/contracts/types.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { RunningService } from '../../src/runtime/service.js';
import { applyIncidentEvent } from '../../src/services/incidents/apply-incident-event.js';
import type { HistoryEntry, Incident } from '../../src/services/incidents/incident.js';
import { INCIDENT_GROUP, startIncidentService } from '../../src/services/incidents/index.js';
import { openIncidents, type OpeningIncident } from '../../src/services/incidents/batch-repository.js';
import type { LogPage, LogQuery, LogStore } from '../../src/storage/log-store.js';
import { defaultMigrationsDir, migrate, readMigrations } from '../../src/storage/sql/migrate.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { MemoryBus } from '../support/memory-bus.js';
import type { SqlAdapter } from '../support/sql-adapters.js';

/** A LogStore that records the queries it gets and answers with one canned page. */
class RecordingLogStore implements LogStore {
  queries: LogQuery[] = [];
  page: LogPage = { logs: [], next: null };
  async append(): Promise<void> {}
  async search(query: LogQuery): Promise<LogPage> {
    this.queries.push(query);
    return this.page;
  }
  async count(): Promise<number> {
    return 0;
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {}
}

const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
const at = (ms: number) => new Date(ms).toISOString();

const validateNotification = messageValidator('NotificationEvent');

let db: SqlDatabase;
let bus: MemoryBus;
let app: FastifyInstance;
let service: RunningService;
const logStore = new RecordingLogStore();


// ---------------------------------------------------------------------------------------------
// Helpers

function fingerprintOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** The report of one window: window w (0, 1, …) of the fingerprint, `count` occurrences so far. */
function windowEvent(tenantId: string, fingerprint: string, w: number, count: number, extra: Partial<IncidentEvent> = {}): IncidentEvent {
  const windowStart = T0 + w * WINDOW;
  return {
    tenantId,
    fingerprint,
    serviceName: 'payment-service',
    environment: 'production',
    severity: 'HIGH',
    occurrenceCount: count,
    firstSeenAt: at(windowStart + 1000),
    lastSeenAt: at(windowStart + 1000 + count * 100),
    topMessages: ['Connection timeout to payment-gateway after 30000ms'],
    windowStart: at(windowStart),
    windowEnd: at(windowStart + WINDOW),
    ...extra,
  };
}

async function deliver(...events: object[]): Promise<void> {
  await bus.produce(
    TOPIC.incidentEvents,
    events.map((e) => ({ key: recordKey(TOPIC.incidentEvents, e), value: JSON.stringify(e) })),
  );
  await bus.drained(INCIDENT_GROUP, TOPIC.incidentEvents);
}

async function call(method: 'GET' | 'PATCH', url: string, tenantId: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const response = await app.inject({
    method,
    url,
    headers: { ...(tenantId ? { 'x-tenant-id': tenantId } : {}), ...headers },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined };
}

type IncidentWithHistory = Incident & { history: HistoryEntry[] };

async function getIncident(tenantId: string, id: string): Promise<IncidentWithHistory> {
  const { status, body } = await call('GET', `/api/v1/incidents/${id}`, tenantId);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

async function listIncidents(tenantId: string, query = ''): Promise<{ incidents: Incident[]; nextCursor: string | null }> {
  const { status, body } = await call('GET', `/api/v1/incidents${query}`, tenantId);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

async function onlyIncident(tenantId: string): Promise<Incident> {
  const { incidents } = await listIncidents(tenantId);
  assert.equal(incidents.length, 1, `expected one incident, got ${incidents.length}`);
  return incidents[0];
}

async function eventually<T>(probe: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

interface PublishedNotification {
  record: BusRecord;
  event: NotificationEvent;
}

function publishedFor(tenantId: string): PublishedNotification[] {
  return bus
    .records(TOPIC.notificationEvents)
    .map((record) => ({ record, event: JSON.parse(record.value.toString('utf8')) as NotificationEvent }))
    .filter((n) => n.event.tenantId === tenantId);
}

/** Notification types per incident, in publication order (ordering is only promised per incident: its partition). */
function typesByIncident(notifications: NotificationEvent[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const n of notifications) (result[n.incidentId] ??= []).push(n.notificationType);
  return result;
}

/** Waits until the outbox is empty, then returns the tenant's notifications (all checked against the contract). */
async function notificationsOf(tenantId: string): Promise<NotificationEvent[]> {
  await eventually(async () => {
    const [row] = await db.query<{ n: number }>('select count(*)::int as n from incident_outbox where published_at is null and tenant_id = $1', [tenantId]);
    assert.equal(row.n, 0, 'outbox not drained yet');
  });
  const published = publishedFor(tenantId);
  for (const { record, event } of published) {
    assert.deepEqual(validateNotification(event), { ok: true, value: event });
    assert.equal(record.key, event.incidentId, 'notification-events is keyed by incidentId');
    assert.match(record.headers[HEADER.notificationId] ?? '', /^[0-9a-f-]{36}$/);
  }
  return published.map((p) => p.event);
}

const assign = (tenantId: string, id: string, body: unknown) => call('PATCH', `/api/v1/incidents/${id}/assign`, tenantId, body);
const acknowledge = (tenantId: string, id: string, body?: unknown) => call('PATCH', `/api/v1/incidents/${id}/acknowledge`, tenantId, body);
const resolve = (tenantId: string, id: string, body?: unknown) => call('PATCH', `/api/v1/incidents/${id}/resolve`, tenantId, body);

// ---------------------------------------------------------------------------------------------

/** The incident service's behaviour on one SQL adapter (incidents.test.ts runs it on each). */
export function incidentServiceSuite(adapter: SqlAdapter): void {
let cleanup: (() => Promise<void>) | undefined;
describe(`incident service on ${adapter.name}`, () => {
  before(async () => {
    ({ db, cleanup } = await adapter.open());
    await migrate(db);
    bus = new MemoryBus();
    await bus.ensureTopics(Object.values(TOPIC).map((name) => ({ name, partitions: 3 })));
    const logger = createLogger('silent');
    app = createHttpApp({ service: 'incident-service', logger, checks: { database: () => db.ping() } });
    service = await startIncidentService({ bus, logger, config: loadConfig({}), db, logStore, app });
    await app.ready();
  });

  after(async () => {
    await service?.stop();
    await app?.close();
    await cleanup?.();
    await bus?.close();
  });

  describe('incident events', () => {
    test('the first event of a fingerprint opens an incident and announces it', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('opens');
      const event = windowEvent(tenant, fp, 0, 10, { severity: 'MEDIUM', environment: 'staging', topMessages: ['m1', 'm2'] });
      await deliver(event);

      const incident = await onlyIncident(tenant);
      assert.equal(incident.status, 'NEW');
      assert.equal(incident.tenantId, tenant);
      assert.equal(incident.fingerprint, fp);
      assert.equal(incident.serviceName, 'payment-service');
      assert.equal(incident.environment, 'staging');
      assert.equal(incident.severity, 'MEDIUM');
      assert.equal(incident.occurrenceCount, 10);
      assert.equal(incident.firstSeenAt, event.firstSeenAt);
      assert.equal(incident.lastSeenAt, event.lastSeenAt);
      assert.deepEqual(incident.topMessages, ['m1', 'm2']);
      assert.equal(incident.assignedToUserId, null);
      assert.equal(incident.previousIncidentId, null);
      assert.equal(incident.aiSummary, null);
      assert.equal(incident.resolvedAt, null);

      const detail = await getIncident(tenant, incident.id);
      assert.deepEqual(
        detail.history.map((h) => [h.fromStatus, h.toStatus, h.actor]),
        [[null, 'NEW', 'system']],
      );

      const notifications = await notificationsOf(tenant);
      assert.equal(notifications.length, 1);
      assert.deepEqual(notifications[0], {
        tenantId: tenant,
        incidentId: incident.id,
        fingerprint: fp,
        serviceName: 'payment-service',
        environment: 'staging',
        severity: 'MEDIUM',
        status: 'NEW',
        occurrenceCount: 10,
        firstSeenAt: event.firstSeenAt,
        lastSeenAt: event.lastSeenAt,
        topMessages: ['m1', 'm2'],
        aiSummary: null,
        notificationType: 'INCIDENT_CREATED',
      });
    });

    test('the threshold and closing events of one window count once: max, not sum', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('same window');
      await deliver(windowEvent(tenant, fp, 0, 10));
      await deliver(windowEvent(tenant, fp, 0, 25, { final: true }));
      const incident = await onlyIncident(tenant);
      assert.equal(incident.occurrenceCount, 25);
      assert.equal(incident.lastSeenAt, windowEvent(tenant, fp, 0, 25).lastSeenAt);

      // A late, smaller report of the same window changes nothing; neither does a redelivery.
      await deliver(windowEvent(tenant, fp, 0, 10), windowEvent(tenant, fp, 0, 25, { final: true }));
      const again = await onlyIncident(tenant);
      assert.deepEqual(again, incident, 'redelivered reports must not touch the incident');
      assert.equal((await notificationsOf(tenant)).length, 1);
    });

    test('a new window of an active incident adds its count and messages', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('new window');
      const first = windowEvent(tenant, fp, 0, 25, { topMessages: ['a', 'b'], severity: 'MEDIUM' });
      const second = windowEvent(tenant, fp, 1, 12, { topMessages: ['c', 'a', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].slice(0, 10) });
      await deliver(first, second);

      const incident = await onlyIncident(tenant);
      assert.equal(incident.occurrenceCount, 37);
      assert.equal(incident.firstSeenAt, first.firstSeenAt);
      assert.equal(incident.lastSeenAt, second.lastSeenAt);
      assert.deepEqual(incident.topMessages, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
      assert.equal(incident.severity, 'HIGH', 'severity escalates with a more severe window');

      // The second window's closing event raises only that window.
      await deliver(windowEvent(tenant, fp, 1, 20, { final: true }));
      assert.equal((await onlyIncident(tenant)).occurrenceCount, 45);
      assert.deepEqual(
        (await notificationsOf(tenant)).map((n) => n.notificationType),
        ['INCIDENT_CREATED'],
      );
    });

    test('events without windowStart (seed 000 producers) are told apart by firstSeenAt', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('no window');
      const strip = (e: IncidentEvent): IncidentEvent => {
        const { windowStart: _s, windowEnd: _e, ...rest } = e;
        return rest;
      };
      await deliver(strip(windowEvent(tenant, fp, 0, 10)), strip(windowEvent(tenant, fp, 0, 30)), strip(windowEvent(tenant, fp, 1, 10)));
      assert.equal((await onlyIncident(tenant)).occurrenceCount, 40);
    });

    test('concurrent identical events open exactly one incident', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('concurrent');
      const event = windowEvent(tenant, fp, 0, 10);
      const results = await Promise.all(Array.from({ length: 20 }, () => applyIncidentEvent(db, event)));
      assert.equal(results.filter((r) => r.outcome === 'opened').length, 1);
      assert.ok(results.every((r) => r.outcome === 'opened' || r.outcome === 'unchanged'));

      // And through the bus, delivered twice in one batch and once more later.
      await deliver(event, event);
      await deliver(event);
      const incident = await onlyIncident(tenant);
      assert.equal(incident.occurrenceCount, 10);
      assert.equal((await getIncident(tenant, incident.id)).history.length, 1);
      assert.equal((await notificationsOf(tenant)).length, 1);
    });

    test('the database itself refuses a second active incident per fingerprint', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('backstop');
      const base: OpeningIncident = {
        id: randomUUID(),
        tenantId: tenant,
        fingerprint: fp,
        serviceName: 's',
        environment: 'e',
        severity: 'LOW',
        occurrenceCount: 1,
        firstSeenAt: at(T0),
        lastSeenAt: at(T0),
        topMessages: [],
      };
      assert.ok((await openIncidents(db, [base]))[0]);
      assert.equal((await openIncidents(db, [{ ...base, id: randomUUID() }]))[0], undefined, 'ON CONFLICT must yield');
      // Whatever the path, any second non-resolved incident of the fingerprint is refused.
      for (const [status, assignee] of [['NEW', null], ['ASSIGNED', randomUUID()], ['ACKNOWLEDGED', randomUUID()]]) {
        await assert.rejects(
          db.query(
            `insert into incidents (id, tenant_id, fingerprint, service_name, environment, severity, status, assigned_to_user_id,
                                    occurrence_count, first_seen_at, last_seen_at)
             values ($1, $2, $3, 's', 'e', 'LOW', $4, $5, 1, now(), now())`,
            [randomUUID(), tenant, fp, status, assignee],
          ),
          (err: { code?: string; constraint?: string }) => err.code === '23505' && err.constraint === 'incidents_one_active_per_fingerprint',
          String(status),
        );
      }
      // A resolved one may sit beside the active one.
      await db.query(
        `insert into incidents (id, tenant_id, fingerprint, service_name, environment, severity, status, occurrence_count, first_seen_at, last_seen_at, resolved_at)
         values ($1, $2, $3, 's', 'e', 'LOW', 'RESOLVED', 1, now(), now(), now())`,
        [randomUUID(), tenant, fp],
      );
    });

    test('a recurrence after resolution opens a new incident linked to the resolved one', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('recurrence');
      await deliver(windowEvent(tenant, fp, 0, 10));
      const first = await onlyIncident(tenant);
      assert.equal((await resolve(tenant, first.id)).status, 200);

      await deliver(windowEvent(tenant, fp, 3, 15));
      const { incidents } = await listIncidents(tenant);
      assert.equal(incidents.length, 2);
      const second = incidents.find((i) => i.id !== first.id)!;
      assert.equal(second.status, 'NEW');
      assert.equal(second.previousIncidentId, first.id);
      assert.equal(second.occurrenceCount, 15);
      assert.equal((await getIncident(tenant, first.id)).status, 'RESOLVED');

      // A third occurrence links to the latest resolved incident.
      assert.equal((await resolve(tenant, second.id)).status, 200);
      await deliver(windowEvent(tenant, fp, 6, 11));
      const third = (await listIncidents(tenant, '?status=NEW')).incidents;
      assert.equal(third.length, 1);
      assert.equal(third[0].previousIncidentId, second.id);

      assert.deepEqual(typesByIncident(await notificationsOf(tenant)), {
        [first.id]: ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'],
        [second.id]: ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'],
        [third[0].id]: ['INCIDENT_CREATED'],
      });
    });

    test('a late event for a resolved incident’s window updates its count but never reopens it', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('late');
      await deliver(windowEvent(tenant, fp, 0, 10));
      const incident = await onlyIncident(tenant);
      assert.equal((await resolve(tenant, incident.id)).status, 200);

      await deliver(windowEvent(tenant, fp, 0, 40, { final: true }));
      const after = await onlyIncident(tenant);
      assert.equal(after.id, incident.id);
      assert.equal(after.status, 'RESOLVED');
      assert.equal(after.occurrenceCount, 40);
      assert.deepEqual(
        (await notificationsOf(tenant)).map((n) => n.notificationType),
        ['INCIDENT_CREATED', 'INCIDENT_RESOLVED'],
      );
    });

    test('a continuation adds a quieter window to the open incident, and never opens or reopens one', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('continuation');
      const orphan = fingerprintOf('continuation without incident');
      await deliver(
        windowEvent(tenant, fp, 0, 12),
        windowEvent(tenant, fp, 1, 3, { final: true, continuation: true }),
        windowEvent(tenant, orphan, 1, 4, { final: true, continuation: true }),
      );
      const incident = await onlyIncident(tenant);
      assert.equal(incident.fingerprint, fp, 'a continuation alone opened an incident');
      assert.equal(incident.occurrenceCount, 15);

      assert.equal((await resolve(tenant, incident.id)).status, 200);
      await deliver(windowEvent(tenant, fp, 2, 5, { final: true, continuation: true }));
      const after = await onlyIncident(tenant);
      assert.equal(after.status, 'RESOLVED');
      assert.equal(after.occurrenceCount, 15, 'a continuation after resolution counted');
    });

    test('an event the database cannot store goes to the DLQ; the ones around it are applied', async () => {
      const tenant = randomUUID();
      const good = windowEvent(tenant, fingerprintOf('good'), 0, 10);
      const bad = windowEvent(tenant, fingerprintOf('bad'), 0, 10, { firstSeenAt: at(T0 + MINUTE), lastSeenAt: at(T0) });
      const alsoGood = windowEvent(tenant, fingerprintOf('also good'), 0, 10);
      await deliver(good, bad, alsoGood);

      const { incidents } = await listIncidents(tenant);
      assert.deepEqual(incidents.map((i) => i.fingerprint).sort(), [good.fingerprint, alsoGood.fingerprint].sort());
      const dead = bus
        .records(TOPIC.dlq)
        .map((r) => JSON.parse(r.value.toString('utf8')) as DlqEvent)
        .filter((d) => (d.originalEvent as IncidentEvent).tenantId === tenant);
      assert.equal(dead.length, 1);
      assert.equal(dead[0].failedAt, 'incident-service');
      assert.match(dead[0].errorMessage, /firstSeenAt .* is after lastSeenAt/);
      assert.equal(messageValidator('DlqEvent')(dead[0]).ok, true);
    });
  });

  describe('text PostgreSQL cannot hold (U+0000, unpaired surrogates)', () => {
    test('becomes U+FFFD: the incident opens, filters find it, notes with it are recorded', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('unstorable');
      await deliver(
        windowEvent(tenant, fp, 0, 10, {
          serviceName: 'svc\u0000x',
          environment: 'env\ud800',
          topMessages: ['boom \u0000 failed', 'lone \udc00 surrogate', 'emoji 😀 stays'],
        }),
      );
      const incident = await onlyIncident(tenant);
      assert.equal(incident.serviceName, 'svc\ufffdx');
      assert.equal(incident.environment, 'env\ufffd');
      assert.deepEqual(incident.topMessages, ['boom \ufffd failed', 'lone \ufffd surrogate', 'emoji 😀 stays']);
      assert.equal(bus.records(TOPIC.dlq).filter((r) => r.value.toString('utf8').includes(tenant)).length, 0, 'nothing dead-lettered');
      const [notification] = await notificationsOf(tenant);
      assert.equal(notification.serviceName, 'svc\ufffdx');

      for (const query of ['?service=svc%00x', '?service=svc%EF%BF%BDx', '?environment=env%EF%BF%BD']) {
        assert.deepEqual((await listIncidents(tenant, query)).incidents.map((i) => i.id), [incident.id], query);
      }
      // Lengths are counted in characters (code points) as the contracts count them.
      const emoji = '😀'.repeat(255);
      await deliver(windowEvent(tenant, fingerprintOf('emoji'), 0, 10, { serviceName: emoji }));
      const byEmoji = await listIncidents(tenant, `?service=${encodeURIComponent(emoji)}`);
      assert.deepEqual(byEmoji.incidents.map((i) => i.serviceName), [emoji]);
      const tooLong = await call('GET', `/api/v1/incidents?service=${encodeURIComponent(emoji + '😀')}`, tenant);
      assert.equal(tooLong.status, 400);

      const assigned = await call('PATCH', `/api/v1/incidents/${incident.id}/assign`, tenant, {
        assignedToUserId: randomUUID(),
        notes: 'on it \u0000 now',
      });
      assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
      const detail = await getIncident(tenant, incident.id);
      assert.equal(detail.history.at(-1)!.notes, 'on it \ufffd now');
    });
  });

  describe('lifecycle API', () => {
    async function openIncident(tenant: string, name = 'lifecycle'): Promise<Incident> {
      await deliver(windowEvent(tenant, fingerprintOf(name), 0, 10));
      return onlyIncident(tenant);
    }

    test('assign, reassign, acknowledge, resolve: each recorded, assign and resolve announced', async () => {
      const tenant = randomUUID();
      const incident = await openIncident(tenant);
      const alice = randomUUID();
      const bob = randomUUID();

      const assigned = await assign(tenant, incident.id, { assignedToUserId: alice, notes: 'on it' });
      assert.equal(assigned.status, 200);
      assert.equal(assigned.body.status, 'ASSIGNED');
      assert.equal(assigned.body.assignedToUserId, alice);

      const reassigned = await assign(tenant, incident.id, { assignedToUserId: bob.toUpperCase() });
      assert.equal(reassigned.status, 200);
      assert.equal(reassigned.body.assignedToUserId, bob);

      // Assigning to the current assignee again (a retry, a double click) changes nothing.
      const repeated = await assign(tenant, incident.id, { assignedToUserId: bob });
      assert.equal(repeated.status, 200);
      assert.equal(repeated.body.updatedAt, reassigned.body.updatedAt);

      const acknowledged = await acknowledge(tenant, incident.id, { notes: 'looking' });
      assert.equal(acknowledged.status, 200);
      assert.equal(acknowledged.body.status, 'ACKNOWLEDGED');
      assert.equal(acknowledged.body.assignedToUserId, bob);

      const resolved = await resolve(tenant, incident.id, { notes: 'gateway timeout raised' });
      assert.equal(resolved.status, 200);
      assert.equal(resolved.body.status, 'RESOLVED');
      assert.ok(resolved.body.resolvedAt);
      assert.equal(resolved.body.assignedToUserId, bob);

      const detail = await getIncident(tenant, incident.id);
      assert.deepEqual(
        detail.history.map((h) => [h.fromStatus, h.toStatus, h.assignedToUserId, h.notes]),
        [
          [null, 'NEW', null, null],
          ['NEW', 'ASSIGNED', alice, 'on it'],
          ['ASSIGNED', 'ASSIGNED', bob, null],
          ['ASSIGNED', 'ACKNOWLEDGED', null, 'looking'],
          ['ACKNOWLEDGED', 'RESOLVED', null, 'gateway timeout raised'],
        ],
      );

      const notifications = await notificationsOf(tenant);
      assert.deepEqual(
        notifications.map((n) => [n.notificationType, n.status, n.assignedToUserId]),
        [
          ['INCIDENT_CREATED', 'NEW', undefined],
          ['INCIDENT_ASSIGNED', 'ASSIGNED', alice],
          ['INCIDENT_ASSIGNED', 'ASSIGNED', bob],
          ['INCIDENT_RESOLVED', 'RESOLVED', undefined],
        ],
      );
    });

    test('resolve straight from NEW and from ASSIGNED', async () => {
      const tenant = randomUUID();
      const fromNew = await openIncident(tenant, 'resolve new');
      assert.equal((await resolve(tenant, fromNew.id)).body.status, 'RESOLVED');

      const tenant2 = randomUUID();
      const fromAssigned = await openIncident(tenant2, 'resolve assigned');
      assert.equal((await assign(tenant2, fromAssigned.id, { assignedToUserId: randomUUID() })).status, 200);
      assert.equal((await resolve(tenant2, fromAssigned.id)).body.status, 'RESOLVED');
    });

    test('every illegal transition is a 409 naming the allowed actions, and changes nothing', async () => {
      const tenant = randomUUID();
      const incident = await openIncident(tenant);
      const expectConflict = async (request: Promise<{ status: number; body: any }>, status: string, allowed: string[]) => {
        const { status: code, body } = await request;
        assert.equal(code, 409, JSON.stringify(body));
        assert.equal(body.error, 'illegal_transition');
        assert.equal(body.status, status);
        assert.deepEqual(body.allowedActions, allowed);
        assert.match(body.message, new RegExp(status));
      };

      await expectConflict(acknowledge(tenant, incident.id), 'NEW', ['assign', 'resolve']);

      await assign(tenant, incident.id, { assignedToUserId: randomUUID() });
      await acknowledge(tenant, incident.id);
      await expectConflict(assign(tenant, incident.id, { assignedToUserId: randomUUID() }), 'ACKNOWLEDGED', ['resolve']);
      await expectConflict(acknowledge(tenant, incident.id), 'ACKNOWLEDGED', ['resolve']);

      await resolve(tenant, incident.id);
      const before = await getIncident(tenant, incident.id);
      await expectConflict(resolve(tenant, incident.id), 'RESOLVED', []);
      await expectConflict(acknowledge(tenant, incident.id), 'RESOLVED', []);
      await expectConflict(assign(tenant, incident.id, { assignedToUserId: randomUUID() }), 'RESOLVED', []);
      assert.deepEqual(await getIncident(tenant, incident.id), before);
      assert.deepEqual(
        (await notificationsOf(tenant)).map((n) => n.notificationType),
        ['INCIDENT_CREATED', 'INCIDENT_ASSIGNED', 'INCIDENT_RESOLVED'],
      );
    });

    test('acknowledge and resolve accept no body, an empty JSON body, or notes', async () => {
      const tenant = randomUUID();
      const incident = await openIncident(tenant);
      await assign(tenant, incident.id, { assignedToUserId: randomUUID() });
      const empty = await app.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${incident.id}/acknowledge`,
        headers: { 'x-tenant-id': tenant, 'content-type': 'application/json' },
        payload: '',
      });
      assert.equal(empty.statusCode, 200, empty.body);
      assert.equal((await resolve(tenant, incident.id)).status, 200);
    });

    test('notifications wait in the outbox while the bus is down, then go out once each, in order', async () => {
      const tenant = randomUUID();
      const incident = await openIncident(tenant);
      await notificationsOf(tenant);
      bus.failNextProduces = 3;
      assert.equal((await assign(tenant, incident.id, { assignedToUserId: randomUUID() })).status, 200);
      assert.equal((await resolve(tenant, incident.id)).status, 200);
      const notifications = await notificationsOf(tenant);
      assert.equal(bus.failNextProduces, 0, 'the relay must have retried past the failures');
      assert.deepEqual(
        notifications.map((n) => n.notificationType),
        ['INCIDENT_CREATED', 'INCIDENT_ASSIGNED', 'INCIDENT_RESOLVED'],
      );
      const ids = publishedFor(tenant).map((p) => p.record.headers[HEADER.notificationId]);
      assert.equal(new Set(ids).size, ids.length, 'each outbox row is published once');
    });
  });

  describe('tenant isolation', () => {
    test('another tenant’s incident does not exist for you', async () => {
      const owner = randomUUID();
      const stranger = randomUUID();
      await deliver(windowEvent(owner, fingerprintOf('isolation'), 0, 10));
      await deliver(windowEvent(stranger, fingerprintOf('isolation'), 0, 10));
      const mine = await onlyIncident(owner);
      const theirs = await onlyIncident(stranger);
      assert.notEqual(mine.id, theirs.id, 'the same fingerprint in two tenants is two incidents');

      assert.equal((await call('GET', `/api/v1/incidents/${mine.id}`, stranger)).status, 404);
      assert.equal((await call('GET', `/api/v1/incidents/${mine.id}/logs`, stranger)).status, 404);
      assert.equal((await assign(stranger, mine.id, { assignedToUserId: randomUUID() })).status, 404);
      assert.equal((await acknowledge(stranger, mine.id)).status, 404);
      assert.equal((await resolve(stranger, mine.id)).status, 404);
      assert.equal((await getIncident(owner, mine.id)).status, 'NEW');

      const listed = await listIncidents(stranger);
      assert.deepEqual(
        listed.incidents.map((i) => i.id),
        [theirs.id],
      );
    });

    test('an unknown id is a 404; no tenant header is a 401', async () => {
      const tenant = randomUUID();
      const missing = await call('GET', `/api/v1/incidents/${randomUUID()}`, tenant);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error, 'not_found');
      assert.equal((await resolve(tenant, randomUUID())).status, 404);
      assert.equal((await call('GET', '/api/v1/incidents', null)).status, 401);
      assert.equal((await call('GET', '/api/v1/logs', 'not-a-uuid')).status, 401);
    });
  });

  describe('validation', () => {
    const fields = (body: { issues?: Array<{ field: string }> }) => (body.issues ?? []).map((i) => i.field).sort();

    test('a malformed id is a 400 naming id', async () => {
      const tenant = randomUUID();
      for (const url of ['/api/v1/incidents/42', '/api/v1/incidents/42/logs']) {
        const { status, body } = await call('GET', url, tenant);
        assert.equal(status, 400, url);
        assert.deepEqual(fields(body), ['id']);
      }
      const { status, body } = await assign(tenant, 'nope', { assignedToUserId: randomUUID() });
      assert.equal(status, 400);
      assert.deepEqual(fields(body), ['id']);
    });

    test('bad bodies are 400s naming each field', async () => {
      const tenant = randomUUID();
      await deliver(windowEvent(tenant, fingerprintOf('validation'), 0, 10));
      const incident = await onlyIncident(tenant);

      const missing = await assign(tenant, incident.id, {});
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_body');
      assert.deepEqual(fields(missing.body), ['assignedToUserId']);

      const noBody = await call('PATCH', `/api/v1/incidents/${incident.id}/assign`, tenant);
      assert.equal(noBody.status, 400);
      assert.deepEqual(fields(noBody.body), ['assignedToUserId']);

      const several = await assign(tenant, incident.id, { assignedToUserId: 'bob', notes: 'x'.repeat(2001), priority: 1 });
      assert.equal(several.status, 400);
      assert.deepEqual(fields(several.body), ['assignedToUserId', 'notes', 'priority']);

      const resolveExtra = await resolve(tenant, incident.id, { note: 'typo' });
      assert.equal(resolveExtra.status, 400);
      assert.deepEqual(fields(resolveExtra.body), ['note']);

      const notJson = await app.inject({
        method: 'PATCH',
        url: `/api/v1/incidents/${incident.id}/resolve`,
        headers: { 'x-tenant-id': tenant, 'content-type': 'application/json' },
        payload: '{notes:',
      });
      assert.equal(notJson.statusCode, 400);

      assert.equal((await getIncident(tenant, incident.id)).status, 'NEW', 'a refused request changes nothing');
    });

    test('bad query parameters are 400s naming each parameter', async () => {
      const tenant = randomUUID();
      const cases: Array<[string, string[]]> = [
        ['?limit=0', ['limit']],
        ['?limit=201', ['limit']],
        ['?limit=ten', ['limit']],
        ['?status=OPEN', ['status']],
        ['?severity=urgent&service=', ['service', 'severity']],
        ['?cursor=bm9wZQ', ['cursor']],
        ['?cursor=***', ['cursor']],
        [`?cursor=${Buffer.from(JSON.stringify({ t: '1', id: randomUUID() })).toString('base64url')}`, ['cursor']],
        // Well-formed, but no incident can be seen at these instants (PostgreSQL has no year 0).
        ...['0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z'].map(
          (t): [string, string[]] => [`?cursor=${Buffer.from(JSON.stringify({ t, id: randomUUID() })).toString('base64url')}`, ['cursor']],
        ),
        ['?staus=NEW', ['staus']],
        ['?status=NEW&status=RESOLVED', ['status']],
      ];
      for (const [query, expected] of cases) {
        const { status, body } = await call('GET', `/api/v1/incidents${query}`, tenant);
        assert.equal(status, 400, query);
        assert.equal(body.error, 'invalid_parameter', query);
        assert.deepEqual(fields(body), expected, query);
      }
    });
  });

  describe('incident list', () => {
    test('newest first, filtered, walked page by page with the cursor', async () => {
      const tenant = randomUUID();
      const events = Array.from({ length: 7 }, (_, i) =>
        windowEvent(tenant, fingerprintOf(`list ${i}`), i, 10 + i, {
          severity: i % 2 === 0 ? 'HIGH' : 'LOW',
          serviceName: i < 4 ? 'checkout' : 'search',
          environment: i === 6 ? 'staging' : 'production',
        }),
      );
      await deliver(...events);
      const { incidents: all } = await listIncidents(tenant, '?limit=200');
      assert.equal(all.length, 7);
      assert.deepEqual(
        all.map((i) => i.lastSeenAt),
        events.map((e) => e.lastSeenAt).reverse(),
      );

      const walked: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { incidents: Incident[]; nextCursor: string | null } = await listIncidents(tenant, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        walked.push(...page.incidents.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(walked, all.map((i) => i.id));

      const exact = await listIncidents(tenant, '?limit=7');
      assert.equal(exact.nextCursor, null, 'no cursor when nothing follows');

      assert.equal((await listIncidents(tenant, '?severity=high')).incidents.length, 4);
      assert.equal((await listIncidents(tenant, '?service=search')).incidents.length, 3);
      assert.equal((await listIncidents(tenant, '?environment=staging&service=search')).incidents.length, 1);
      await resolve(tenant, all[0].id);
      assert.deepEqual(
        (await listIncidents(tenant, '?status=RESOLVED')).incidents.map((i) => i.id),
        [all[0].id],
      );
      assert.equal((await listIncidents(tenant, '?status=new')).incidents.length, 6);
    });
  });

  describe('log search', () => {
    const log: NormalizedLogEvent = {
      eventId: randomUUID(),
      tenantId: randomUUID(),
      serviceName: 'payment-service',
      environment: 'production',
      timestamp: at(T0),
      level: 'ERROR',
      message: 'Connection timeout',
      messageTemplate: 'Connection timeout',
      fingerprint: fingerprintOf('log'),
      schemaVersion: 'v1',
    };

    test('passes the filters to the log store and pages with an opaque cursor', async () => {
      const tenant = randomUUID();
      logStore.queries = [];
      logStore.page = { logs: [log], next: { timestamp: T0, eventId: log.eventId } };
      const fp = fingerprintOf('search');
      const first = await call(
        'GET',
        `/api/v1/logs?service=payment-service&environment=production&level=error&fingerprint=${fp.toUpperCase()}&from=2026-11-23T10:00:00Z&to=${T0 + MINUTE}&q=timeout&limit=5`,
        tenant,
      );
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body.logs, [log]);
      assert.equal(typeof first.body.nextCursor, 'string');
      assert.deepEqual(logStore.queries[0], {
        tenantId: tenant,
        serviceName: 'payment-service',
        environment: 'production',
        level: 'ERROR',
        fingerprint: fp,
        from: Date.parse('2026-11-23T10:00:00Z'),
        to: T0 + MINUTE,
        text: 'timeout',
        limit: 5,
      });

      logStore.page = { logs: [], next: null };
      const second = await call('GET', `/api/v1/logs?cursor=${first.body.nextCursor}`, tenant);
      assert.equal(second.status, 200);
      assert.equal(second.body.nextCursor, null);
      assert.deepEqual(logStore.queries[1], { tenantId: tenant, limit: 100, after: { timestamp: T0, eventId: log.eventId } });
    });

    test('bad parameters are 400s naming each', async () => {
      const tenant = randomUUID();
      const cases: Array<[string, string[]]> = [
        ['?limit=1001', ['limit']],
        ['?limit=0', ['limit']],
        ['?from=yesterday', ['from']],
        ['?to=2026-02-30T00:00:00Z', ['to']],
        ['?from=2026-11-23T11:00:00Z&to=2026-11-23T10:00:00Z', ['to']],
        ['?fingerprint=abc', ['fingerprint']],
        ['?cursor=eyJ0IjoxfQ', ['cursor']],
        ['?level=&q=', ['level', 'q']],
        ['?service=x&tenant=y', ['tenant']],
      ];
      for (const [query, expected] of cases) {
        const { status, body } = await call('GET', `/api/v1/logs${query}`, tenant);
        assert.equal(status, 400, query);
        assert.deepEqual(fields(body), expected, query);
      }
    });

    const fields = (body: { issues?: Array<{ field: string }> }) => (body.issues ?? []).map((i) => i.field).sort();

    test('an incident’s logs: its tenant and fingerprint, from firstSeenAt to lastSeenAt inclusive', async () => {
      const tenant = randomUUID();
      const fp = fingerprintOf('incident logs');
      await deliver(windowEvent(tenant, fp, 0, 10), windowEvent(tenant, fp, 1, 10));
      const incident = await onlyIncident(tenant);
      logStore.queries = [];
      logStore.page = { logs: [log], next: null };

      const { status, body } = await call('GET', `/api/v1/incidents/${incident.id}/logs?limit=20`, tenant);
      assert.equal(status, 200);
      assert.deepEqual(body, { logs: [log], nextCursor: null });
      assert.deepEqual(logStore.queries, [
        {
          tenantId: tenant,
          fingerprint: fp,
          from: Date.parse(incident.firstSeenAt),
          to: Date.parse(incident.lastSeenAt) + 1,
          limit: 20,
        },
      ]);
      assert.deepEqual(fields((await call('GET', `/api/v1/incidents/${incident.id}/logs?level=ERROR`, tenant)).body), ['level']);
    });
  });

  describe('schema', () => {
    test('every table but schema_migrations has tenant_id uuid not null', async () => {
      const rows = await db.query<{ table_name: string; data_type: string | null; is_nullable: string | null }>(
        `select t.table_name, c.data_type, c.is_nullable
           from information_schema.tables t
           left join information_schema.columns c
             on c.table_schema = t.table_schema and c.table_name = t.table_name and c.column_name = 'tenant_id'
          where t.table_schema = 'public' and t.table_type = 'BASE TABLE' and t.table_name <> 'schema_migrations'
          order by t.table_name`,
      );
      const tables = rows.map((r) => r.table_name);
      for (const mine of ['incident_outbox', 'incident_state_history', 'incident_windows', 'incidents']) assert.ok(tables.includes(mine), mine);
      for (const row of rows) assert.deepEqual([row.table_name, row.data_type, row.is_nullable], [row.table_name, 'uuid', 'NO']);
    });

    test('migrating again applies nothing; every shipped file is recorded with its checksum', async () => {
      assert.deepEqual(await migrate(db), []);
      const applied = await db.query<{ version: number; name: string; checksum: string }>('select version, name, checksum from schema_migrations order by version');
      const shipped = readMigrations(defaultMigrationsDir());
      assert.deepEqual(
        applied.map((r) => [r.version, r.name, r.checksum]),
        shipped.map((m) => [m.version, m.name, m.checksum]),
      );
      assert.deepEqual(applied[0].name, 'incidents');
    });
  });

});
}
