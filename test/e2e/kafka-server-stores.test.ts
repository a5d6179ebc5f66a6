/**
 * log0 at scale: one process per service on a real Apache Kafka broker, with every store on its
 * server (PostgreSQL, ClickHouse, Redis), so the services that kept embedded stores scale out too:
 * two gateways (one rate limit per tenant, shared through Redis), two incident services on one
 * PostgreSQL and one ClickHouse (one killed with SIGKILL mid-stream), two notification services.
 * The golden path still ends in one incident counting every log once, every log stored once,
 * every notification recorded once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createClient } from '@clickhouse/client';
import pg from 'pg';
import { clickHouseUrl, freshDatabaseName, urlWithDatabase } from '../support/clickhouse-server.js';
import { kafkaBrokers } from '../support/kafka-broker.js';
import { chunk, goldenPathLog } from '../support/log-generator.js';
import { allLogs, eventually, getJson, postLogs, removeDir } from '../support/platform-process.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { REDIS_URL } from '../support/redis.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

const LOGS = 1200;

describe('log0 serve on Kafka, PostgreSQL, ClickHouse and Redis: every service scaled out', { timeout: 600_000 }, () => {
  let database: TestDatabase;
  let clickHouseBase: string;
  const clickHouseDatabase = freshDatabaseName();
  const processes: ServiceProcess[] = [];
  const byName = (name: string) => processes.filter((p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null);

  before(async () => {
    const brokers = await kafkaBrokers();
    database = await createTestDatabase();
    clickHouseBase = await clickHouseUrl();
    const env = {
      DATABASE_URL: database.url,
      CLICKHOUSE_URL: urlWithDatabase(clickHouseBase, clickHouseDatabase),
      REDIS_URL,
      LOG0_CLUSTER_WINDOW_SECONDS: '10',
      LOG0_CLUSTER_GRACE_SECONDS: '1',
      LOG0_CLUSTER_THRESHOLD: '10',
      LOG0_BUS_PARTITIONS: '6',
      KAFKA_SESSION_TIMEOUT_SECONDS: '10',
      // Low enough that two gateways share one bucket visibly (see the rate-limit test).
      LOG0_RATE_LIMIT_LOGS_PER_SECOND: '1000',
      LOG0_RATE_LIMIT_BURST: '3000',
    };
    for (const name of ['notifications', 'notifications', 'incidents', 'incidents', 'clustering', 'normalization', 'gateway', 'gateway']) {
      processes.push(await startServiceProcess(name, { brokers, env }));
    }
  });

  after(async () => {
    const unclean: string[] = [];
    for (const p of processes) {
      const killed = p.child.signalCode === 'SIGKILL';
      const code = await p.stop();
      if (!killed && code !== 0) unclean.push(`${p.name} exited with ${code}:\n${p.output().slice(-2000)}`);
      removeDir(p.dataDir);
    }
    await database?.drop();
    if (clickHouseBase) {
      const admin = createClient({ url: clickHouseBase });
      await admin.command({ query: `DROP DATABASE IF EXISTS ${clickHouseDatabase}` });
      await admin.close();
    }
    assert.deepEqual(unclean, [], 'every process stops cleanly on SIGTERM');
  });

  test('the golden path through two gateways and two incident services, one of them killed: one incident, every log once', async () => {
    const tenant = randomUUID();
    const gateways = byName('gateway');
    const accepted: string[] = [];
    const parts = chunk(Array.from({ length: LOGS }, (_, i) => i), 100);
    for (const [i, part] of parts.entries()) {
      const res = await postLogs(gateways[i % 2].url, tenant, part.map((n) => goldenPathLog(n % 3, new Date())));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      accepted.push(...res.body.eventIds);
      if (i === Math.floor(parts.length / 2)) await byName('incidents')[0].kill9();
    }

    const [survivor] = byName('incidents');
    const incident = await eventually(
      async () => {
        const { incidents } = await getJson(`${survivor.url}/api/v1/incidents`, tenant);
        return incidents.length === 1 && incidents[0].occurrenceCount === LOGS ? incidents[0] : undefined;
      },
      { what: `one incident counting ${LOGS}`, timeoutMs: 180_000 },
    );
    assert.equal(incident.severity, 'HIGH');

    const logs = await eventually(
      async () => {
        const found = await allLogs(survivor.url, tenant);
        return found.length >= LOGS ? found : undefined;
      },
      { what: 'every log searchable', timeoutMs: 120_000 },
    );
    assert.equal(logs.length, LOGS, 'no log twice');
    assert.deepEqual(new Set(logs.map((l) => l.eventId)), new Set(accepted));

    // One INCIDENT_CREATED delivery, whichever notification process recorded it.
    const deliveries = await eventually(async () => {
      const { notifications } = await getJson(`${byName('notifications')[0].url}/api/v1/notifications?incidentId=${incident.id}`, tenant);
      return notifications.length > 0 ? notifications : undefined;
    });
    assert.deepEqual(
      deliveries.map((d: { notificationType: string }) => d.notificationType),
      ['INCIDENT_CREATED'],
    );

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('select count(*)::int as n from incidents where tenant_id = $1', [tenant]);
      assert.deepEqual(rows, [{ n: 1 }]);
    } finally {
      await client.end();
    }
  });

  test('two gateways share one rate limit per tenant through Redis', async () => {
    const tenant = randomUUID();
    const gateways = byName('gateway');
    const body = Array.from({ length: 1000 }, () => goldenPathLog(0, new Date()));
    // Burst 3,000 logs: three full requests pass, whichever gateway takes them; the fourth and
    // fifth, at once, are refused with Retry-After.
    const statuses = await Promise.all([0, 1, 0, 1, 0].map((g) => postLogs(gateways[g].url, tenant, body).then((r) => r.status)));
    assert.deepEqual(statuses.filter((s) => s === 202).length, 3, JSON.stringify(statuses));
    assert.deepEqual(statuses.filter((s) => s === 429).length, 2, JSON.stringify(statuses));
  });
});
