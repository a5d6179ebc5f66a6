/**
 * Two incident-service processes on one PostgreSQL, racing on the same IncidentEvents (as after a
 * rebalance, when both may hold the same partition's messages): never two active incidents of a
 * fingerprint, every window counted once, one INCIDENT_CREATED per incident. The database decides
 * the race: the partial unique index on (tenant_id, fingerprint) where status <> 'RESOLVED'.
 * Each "process" is a full incident service with its own connection pool and its own bus.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { recordKey, TOPIC } from '../../src/contracts/topics.js';
import type { IncidentEvent } from '../../src/contracts/types.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import type { RunningService } from '../../src/runtime/service.js';
import { INCIDENT_GROUP, startIncidentService } from '../../src/services/incidents/index.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { openSqlDatabase } from '../../src/storage/open-sql-database.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { MemoryBus } from '../support/memory-bus.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const logger = createLogger('silent');
const noLogStore: LogStore = {
  append: async () => {},
  search: async () => ({ logs: [], next: null }),
  count: async () => 0,
  ping: async () => {},
  close: async () => {},
};

interface IncidentProcess {
  db: SqlDatabase;
  bus: MemoryBus;
  service: RunningService;
}

let database: TestDatabase;
const processes: IncidentProcess[] = [];

before(async () => {
  database = await createTestDatabase();
  const config = { ...loadConfig({}), database: { url: database.url } };
  // Both start (and migrate) at once, as two processes deployed together would.
  const started = await Promise.all(
    [0, 1].map(async () => {
      const db = await openSqlDatabase(config, '/nonexistent-embedded-dir', logger);
      const bus = new MemoryBus();
      await bus.ensureTopics(Object.values(TOPIC).map((name) => ({ name, partitions: 3 })));
      const app = createHttpApp({ service: 'incident-service', logger, checks: {} });
      const service = await startIncidentService({ bus, logger, config, db, logStore: noLogStore, app });
      return { db, bus, service };
    }),
  );
  processes.push(...started);
});

after(async () => {
  for (const p of processes) {
    await p.service.stop();
    await p.bus.close();
    await p.db.close();
  }
  await database?.drop();
});

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const WINDOW = 5 * 60_000;

function reportOf(tenantId: string, fingerprint: string, w: number, count: number): IncidentEvent {
  const start = T0 + w * WINDOW;
  return {
    tenantId,
    fingerprint,
    serviceName: 'checkout',
    environment: 'production',
    severity: 'HIGH',
    occurrenceCount: count,
    firstSeenAt: new Date(start + 1000).toISOString(),
    lastSeenAt: new Date(start + 2000).toISOString(),
    topMessages: ['payment gateway timed out'],
    windowStart: new Date(start).toISOString(),
    windowEnd: new Date(start + WINDOW).toISOString(),
  };
}

async function deliverTo(p: IncidentProcess, events: IncidentEvent[]): Promise<void> {
  await p.bus.produce(
    TOPIC.incidentEvents,
    events.map((e) => ({ key: recordKey(TOPIC.incidentEvents, e), value: JSON.stringify(e) })),
  );
  await p.bus.drained(INCIDENT_GROUP, TOPIC.incidentEvents);
}

test('two incident services racing on the same events open each incident once and count each window once', async () => {
  const tenant = randomUUID();
  const fingerprints = Array.from({ length: 40 }, (_, i) => createHash('sha256').update(`race-${i}`).digest('hex'));
  const [first, second] = processes;
  for (let round = 0; round < 5; round++) {
    // Window `round` of every fingerprint, reported at the threshold (count 10) and closed (12),
    // delivered to both processes at once, in opposite orders.
    const events = fingerprints.flatMap((fp) => [reportOf(tenant, fp, round, 10), reportOf(tenant, fp, round, 12)]);
    await Promise.all([deliverTo(first, events), deliverTo(second, [...events].reverse())]);
  }

  const rows = await first.db.query<{ fingerprint: string; status: string; occurrence_count: number; windows: number }>(
    `select i.fingerprint, i.status, i.occurrence_count,
            (select count(*) from incident_windows w where w.tenant_id = i.tenant_id and w.incident_id = i.id)::int as windows
       from incidents i where i.tenant_id = $1 order by i.fingerprint`,
    [tenant],
  );
  assert.equal(rows.length, fingerprints.length, 'one incident per fingerprint, never two');
  for (const row of rows) {
    assert.equal(row.status, 'NEW');
    assert.equal(row.windows, 5, `${row.fingerprint}: five windows`);
    assert.equal(row.occurrence_count, 5 * 12, `${row.fingerprint}: each window counted once, with its final count`);
  }
  const [created] = await first.db.query<{ n: number }>(
    `select count(*)::int as n from incident_outbox where tenant_id = $1 and notification_type = 'INCIDENT_CREATED'`,
    [tenant],
  );
  assert.equal(created.n, fingerprints.length, 'one INCIDENT_CREATED per incident');
});

test('the database itself refuses a second active incident of a fingerprint', async () => {
  const tenant = randomUUID();
  const fingerprint = createHash('sha256').update('direct').digest('hex');
  const insert = `insert into incidents (id, tenant_id, fingerprint, service_name, environment, severity, status, occurrence_count, first_seen_at, last_seen_at)
                  values ($1, $2, $3, 's', 'e', 'LOW', 'NEW', 1, now(), now())`;
  await processes[0].db.query(insert, [randomUUID(), tenant, fingerprint]);
  await assert.rejects(processes[1].db.query(insert, [randomUUID(), tenant, fingerprint]), (err: { code?: string }) => err.code === '23505');
});
