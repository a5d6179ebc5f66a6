/**
 * `log0 up` on the production stores: PostgreSQL (DATABASE_URL), ClickHouse (CLICKHOUSE_URL) and
 * Redis (REDIS_URL), each
 * reached through a TCP proxy so the test can take one down for log0 alone and bring it back.
 * What must hold: /ready names each dependency; an outage gives clear 503s, never a 500 and never
 * a lost log (the bus holds what was accepted); everything recovers by itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createClient } from '@clickhouse/client';
import { clickHouseUrl, freshDatabaseName, urlWithDatabase } from '../support/clickhouse-server.js';
import { goldenPathLog, noiseLogs } from '../support/log-generator.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { eventually, getJson, postLogs, removeDir, startPlatformProcess, type PlatformProcess } from '../support/platform-process.js';
import { REDIS_URL } from '../support/redis.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

async function ready(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: await response.json() };
}

describe('log0 up on PostgreSQL, ClickHouse and Redis', { timeout: 240_000 }, () => {
  let database: TestDatabase;
  let postgresProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let clickHouseProxy: TcpProxy;
  let clickHouseBase: string;
  const clickHouseDatabase = freshDatabaseName();
  let log0: PlatformProcess;
  const tenant = randomUUID();

  before(async () => {
    database = await createTestDatabase();
    const dbUrl = new URL(database.url);
    postgresProxy = await startTcpProxy(dbUrl.hostname, Number(dbUrl.port || 5432));
    const redisUrl = new URL(REDIS_URL);
    redisProxy = await startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    dbUrl.port = String(postgresProxy.port);
    clickHouseBase = await clickHouseUrl();
    const chUrl = new URL(clickHouseBase);
    clickHouseProxy = await startTcpProxy(chUrl.hostname, Number(chUrl.port || 8123));
    chUrl.port = String(clickHouseProxy.port);
    log0 = await startPlatformProcess({
      env: {
        DATABASE_URL: dbUrl.toString(),
        REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
        CLICKHOUSE_URL: urlWithDatabase(chUrl.toString(), clickHouseDatabase),
        LOG0_CLUSTER_WINDOW_SECONDS: '5',
        LOG0_CLUSTER_GRACE_SECONDS: '1',
        LOG0_CLUSTER_THRESHOLD: '10',
      },
    });
  });

  after(async () => {
    if (log0) {
      const code = await log0.stop();
      assert.equal(code, 0, `log0 did not stop cleanly:\n${log0.output()}`);
      removeDir(log0.dataDir);
    }
    await postgresProxy?.close();
    await redisProxy?.close();
    await clickHouseProxy?.close();
    await database?.drop();
    if (clickHouseBase) {
      const client = createClient({ url: clickHouseBase });
      await client.command({ query: `DROP DATABASE IF EXISTS ${clickHouseDatabase}` });
      await client.close();
    }
  });

  test('the banner names the stores; /ready reports each dependency', async () => {
    assert.match(
      log0.output(),
      /PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/log0_test_\w+, ClickHouse at http:\/\/127\.0\.0\.1:\d+\/log0_test_\w+, Redis at redis:\/\/127\.0\.0\.1:\d+/,
    );
    const gateway = await ready(log0.gateway);
    assert.equal(gateway.status, 200, JSON.stringify(gateway.body));
    assert.deepEqual(Object.keys(gateway.body.checks).sort(), ['bus', 'rateLimiter']);
    const incidents = await ready(log0.incidents);
    assert.equal(incidents.status, 200, JSON.stringify(incidents.body));
    assert.deepEqual(Object.keys(incidents.body.checks).sort(), ['bus', 'database', 'dedupCache', 'logStore']);
    assert.deepEqual(Object.values(incidents.body.checks), ['ok', 'ok', 'ok', 'ok']);
  });

  test('incidents are kept in PostgreSQL', async () => {
    const res = await postLogs(log0.gateway, tenant, Array.from({ length: 20 }, () => goldenPathLog(0, new Date())));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const incident = await eventually(async () => (await getJson(`${log0.incidents}/api/v1/incidents`, tenant)).incidents[0], { what: 'the incident' });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('select tenant_id, status from incidents where id = $1', [incident.id]);
      assert.deepEqual(rows, [{ tenant_id: tenant, status: 'NEW' }]);
    } finally {
      await client.end();
    }
  });

  test('every log is kept in ClickHouse once, searchable through the API', async () => {
    const logsTenant = randomUUID();
    const res = await postLogs(log0.gateway, logsTenant, noiseLogs(10, 5, new Date()));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const found = await eventually(async () => {
      const page = await getJson(`${log0.incidents}/api/v1/logs?limit=1000`, logsTenant);
      return page.logs.length === 50 ? page.logs : undefined;
    }, { what: '50 logs searchable' });
    assert.deepEqual(found.map((l: any) => l.eventId).sort(), [...res.body.eventIds].sort());
    const client = createClient({ url: urlWithDatabase(clickHouseBase, clickHouseDatabase) });
    try {
      const rows = await (await client.query({ query: `SELECT count() AS n FROM logs WHERE tenant_id = '${logsTenant}'`, format: 'JSONEachRow' })).json<{ n: string }>();
      assert.equal(Number(rows[0].n), 50, 'stored in ClickHouse');
    } finally {
      await client.close();
    }
  });

  test('ClickHouse down: log search answers 503 naming it, logs still accepted; back up: every one stored once', async () => {
    const outageTenant = randomUUID();
    clickHouseProxy.down();
    try {
      const search = await fetch(`${log0.incidents}/api/v1/logs`, { headers: { 'x-tenant-id': outageTenant } });
      assert.equal(search.status, 503);
      assert.match(((await search.json()) as { message: string }).message, /ClickHouse/);
      const readiness = await ready(log0.incidents);
      assert.equal(readiness.status, 503);
      assert.match(readiness.body.checks.logStore, /ClickHouse/);
      const accepted: string[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await postLogs(log0.gateway, outageTenant, noiseLogs(5, 5, new Date()));
        assert.equal(res.status, 202, JSON.stringify(res.body));
        accepted.push(...res.body.eventIds);
      }
      await new Promise((resolve) => setTimeout(resolve, 3000)); // the writer retries meanwhile
      clickHouseProxy.up();
      const stored = await eventually(async () => {
        const page = await getJson(`${log0.incidents}/api/v1/logs?limit=1000`, outageTenant);
        return page.logs.length >= accepted.length ? page.logs : undefined;
      }, { what: 'every log of the outage stored' });
      assert.deepEqual(stored.map((l: any) => l.eventId).sort(), accepted.sort(), 'each accepted log exactly once');
    } finally {
      clickHouseProxy.up();
    }
  });

  test('PostgreSQL down: 503s naming the database, logs still accepted; back up: the incident appears', async () => {
    postgresProxy.down();
    try {
      const list = await fetch(`${log0.incidents}/api/v1/incidents`, { headers: { 'x-tenant-id': tenant } });
      assert.equal(list.status, 503);
      const body = (await list.json()) as { error: string; message: string };
      assert.match(body.message, /PostgreSQL unavailable/);
      const readiness = await ready(log0.incidents);
      assert.equal(readiness.status, 503);
      assert.equal(readiness.body.checks.bus, 'ok');
      assert.match(readiness.body.checks.database, /PostgreSQL unavailable/);

      // A new error while the database is down: accepted, held by the bus.
      const outageTenant = randomUUID();
      const res = await postLogs(log0.gateway, outageTenant, Array.from({ length: 15 }, () => goldenPathLog(1, new Date())));
      assert.equal(res.status, 202, JSON.stringify(res.body));
      await new Promise((resolve) => setTimeout(resolve, 8000)); // the window closes during the outage

      postgresProxy.up();
      await eventually(async () => ((await ready(log0.incidents)).status === 200 ? true : undefined), { what: 'ready again' });
      // The window's threshold report (10) and its closing report (15) were both held by the bus;
      // they may be applied in separate batches, so wait for the final count, then make sure it stays.
      const incident = await eventually(
        async () => {
          const [found] = (await getJson(`${log0.incidents}/api/v1/incidents`, outageTenant)).incidents;
          return found?.occurrenceCount === 15 ? found : undefined;
        },
        { what: 'the incident of the outage counting all 15 logs' },
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const [again] = (await getJson(`${log0.incidents}/api/v1/incidents`, outageTenant)).incidents;
      assert.equal(again.id, incident.id);
      assert.equal(again.occurrenceCount, 15, 'every log of the outage counted once');
    } finally {
      postgresProxy.up();
    }
  });

  test('Redis down: the gateway answers 503 with Retry-After and publishes nothing; back up: 202 again', async () => {
    redisProxy.down();
    try {
      const outageTenant = randomUUID();
      const res = await postLogs(log0.gateway, outageTenant, [goldenPathLog(0, new Date())]);
      assert.equal(res.status, 503, JSON.stringify(res.body));
      assert.equal(res.body.error, 'rate_limiter_unavailable');
      assert.match(res.body.message, /Redis/);
      const readiness = await ready(log0.gateway);
      assert.equal(readiness.status, 503);
      assert.match(readiness.body.checks.rateLimiter, /Redis/);
      // The dedup cache is optional: reported, but the pipeline stays ready without it.
      const pipeline = await ready(log0.incidents);
      assert.equal(pipeline.status, 200, JSON.stringify(pipeline.body));
      assert.match(pipeline.body.checks.dedupCache, /Redis.*optional/);
      redisProxy.up();
      const accepted = await eventually(async () => {
        const again = await postLogs(log0.gateway, outageTenant, [goldenPathLog(0, new Date())]);
        return again.status === 202 ? again : undefined;
      }, { what: '202 after Redis is back', timeoutMs: 20_000 });
      assert.equal(accepted.body.eventIds.length, 1);
      // Only the log accepted after the outage was stored.
      const logs = await eventually(async () => {
        const page = await getJson(`${log0.incidents}/api/v1/logs?limit=100`, outageTenant);
        return page.logs.length > 0 ? page.logs : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual((await getJson(`${log0.incidents}/api/v1/logs?limit=100`, outageTenant)).logs.map((l: any) => l.eventId), logs.map((l: any) => l.eventId));
      assert.deepEqual(logs.map((l: any) => l.eventId), accepted.body.eventIds);
    } finally {
      redisProxy.up();
    }
  });
});
