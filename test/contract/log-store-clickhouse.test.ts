/**
 * The LogStore contract on the ClickHouse adapter against a real server (scripts/clickhouse.sh
 * starts Debian's 18.16 unless CLICKHOUSE_URL names one), plus what only this adapter has to
 * prove: redeliveries never show twice though the table merges them only eventually, appends
 * are batched yet each resolves only once searchable, retention, and unreachable = transient.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import { TransientError } from '../../src/runtime/errors.js';
import type { LogStore } from '../../src/storage/log-store.js';
import {
  applyLogRetention,
  clientFor,
  createClickHouseLogStore,
  parseClickHouseUrl,
  type ClickHouseLogStore,
  type ClickHouseLogStoreOptions,
  type LogRetention,
} from '../../src/storage/clickhouse/index.js';
import { DISTINCT_COUNT_MAX_ROWS, distinctCountSql } from '../../src/storage/clickhouse/query.js';
import { identifier, sql } from '../../src/storage/clickhouse/quote.js';
import { clickHouseUrl, freshDatabaseName, startCountingProxy, urlWithDatabase } from '../support/clickhouse-server.js';
import { logStoreContractSuite } from './log-store.contract.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 2026-11-23T10:00:00.000Z */
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

let base: string;
before(async () => {
  base = await clickHouseUrl();
});

/** Every database a test made, dropped at the end even when a test failed half-way. */
const databases = new Set<string>();
after(async () => {
  if (!base) return;
  const admin = clientFor(parseClickHouseUrl(base));
  try {
    for (const database of databases) await admin.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(database)}`.text });
  } finally {
    await admin.close();
  }
});

async function dropDatabase(database: string): Promise<void> {
  const admin = clientFor(parseClickHouseUrl(base));
  try {
    await admin.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(database)}`.text });
    databases.delete(database);
  } finally {
    await admin.close();
  }
}

function newDatabaseUrl(): { database: string; url: string } {
  const database = freshDatabaseName();
  databases.add(database);
  return { database, url: urlWithDatabase(base, database) };
}

logStoreContractSuite('clickhouse', async () => {
  const { database, url } = newDatabaseUrl();
  const open = () => createClickHouseLogStore({ url, batchRows: 10_000, flushIntervalMs: 5 });
  let current: LogStore = await open();
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await open();
      return current;
    },
    cleanup: async () => {
      await current.close();
      await dropDatabase(database);
    },
  };
});

// ---------------------------------------------------------------------------------------------

let sequence = 0;
function log(tenantId: string, overrides: Partial<NormalizedLogEvent> = {}): NormalizedLogEvent {
  sequence += 1;
  return {
    eventId: `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`,
    tenantId,
    serviceName: 'checkout',
    environment: 'production',
    timestamp: new Date(T0 + (sequence % 50) * MINUTE).toISOString(),
    level: 'ERROR',
    message: `payment failed #${sequence}`,
    messageTemplate: 'payment failed #<number>',
    fingerprint: 'f'.repeat(64),
    schemaVersion: 'v1',
    ...overrides,
  };
}

function logs(tenantId: string, count: number, overrides: Partial<NormalizedLogEvent> = {}): NormalizedLogEvent[] {
  return Array.from({ length: count }, () => log(tenantId, overrides));
}

async function allEventIds(store: LogStore, tenantId: string, limit = 1000): Promise<string[]> {
  const ids: string[] = [];
  let after;
  for (;;) {
    const page = await store.search({ tenantId, limit, after });
    ids.push(...page.logs.map((l) => l.eventId));
    if (!page.next) return ids;
    after = page.next;
  }
}

function sortedIds(appended: readonly NormalizedLogEvent[]): string[] {
  return [...new Set(appended.map((l) => l.eventId))].sort((a, b) => {
    const ta = Date.parse(appended.find((l) => l.eventId === a)!.timestamp);
    const tb = Date.parse(appended.find((l) => l.eventId === b)!.timestamp);
    return tb - ta || (a < b ? 1 : a > b ? -1 : 0);
  });
}

/** A store on a fresh database, with a raw client on the same database for looking behind it. */
interface Fixture {
  url: string;
  database: string;
  raw: ClickHouseClient;
  open(options?: Partial<ClickHouseLogStoreOptions>): Promise<ClickHouseLogStore>;
  rows<T>(query: string): Promise<T[]>;
  /** Physically stored rows of a tenant, copies included (no FINAL). */
  rawCount(tenantId: string): Promise<number>;
  dispose(): Promise<void>;
}

async function fixture(): Promise<Fixture> {
  const { database, url } = newDatabaseUrl();
  const stores: ClickHouseLogStore[] = [];
  const raw = clientFor(parseClickHouseUrl(url));
  const self: Fixture = {
    url,
    database,
    raw,
    async open(options = {}) {
      const store = await createClickHouseLogStore({ url, batchRows: 10_000, flushIntervalMs: 5, ...options });
      stores.push(store);
      return store;
    },
    async rows<T>(query: string) {
      return (await raw.query({ query, format: 'JSONEachRow' })).json<T>();
    },
    async rawCount(tenantId) {
      const [row] = await self.rows<{ n: string }>(sql`SELECT count() AS n FROM logs WHERE tenant_id = ${tenantId}`.text);
      return Number(row.n);
    },
    async dispose() {
      for (const store of stores) await store.close();
      await raw.close();
      await dropDatabase(database);
    },
  };
  // The schema exists once a store opened; open one so raw queries work from the start.
  await self.open();
  return self;
}

async function waitForMutations(f: Fixture): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const [row] = await f.rows<{ n: string }>(`SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND is_done = 0`);
    if (Number(row.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('mutations did not finish in 30 s');
}

// ---------------------------------------------------------------------------------------------

describe('ClickHouse log store, server only', () => {
  describe('redelivery never shows twice', () => {
    test('sequential and concurrent redeliveries: searched and counted once, before and after OPTIMIZE', async () => {
      const f = await fixture();
      try {
        const store = await f.open();
        const tenantId = randomUUID();
        const batch = logs(tenantId, 120);
        await store.append(batch);
        await store.append(batch); // a second insert: a second part holding the same rows
        await Promise.all([store.append(batch.slice(0, 60)), store.append(batch), store.append(batch.slice(30))]);
        await store.append([...batch.slice(10, 20), ...batch.slice(10, 20)]);
        const expected = sortedIds(batch);

        assert.ok((await f.rawCount(tenantId)) > batch.length, 'copies are stored, so the reads deduplicate');
        assert.equal(await store.count({ tenantId }), batch.length);
        assert.equal(await store.count({ tenantId, text: 'payment failed' }), batch.length);
        // Both ways count takes (chosen by the number of matching rows) count each log once.
        for (const rows of [2, DISTINCT_COUNT_MAX_ROWS + 1]) {
          const [row] = await f.rows<{ n: string }>(distinctCountSql({ tenantId, level: 'ERROR' }, undefined, rows).text);
          assert.equal(Number(row.n), batch.length, `count for ${rows} matching rows`);
        }
        assert.deepEqual(await allEventIds(store, tenantId), expected);
        // Small pages: copies straddle page ends, and a page of copies must still fill up.
        assert.deepEqual(await allEventIds(store, tenantId, 7), expected);
        assert.deepEqual(await allEventIds(store, tenantId, 1), expected);

        await f.raw.command({ query: 'OPTIMIZE TABLE logs FINAL' });
        assert.equal(await f.rawCount(tenantId), batch.length, 'OPTIMIZE FINAL merged the copies away');
        assert.equal(await store.count({ tenantId }), batch.length);
        assert.deepEqual(await allEventIds(store, tenantId, 7), expected);

        await store.append(batch); // redelivered after the merge
        assert.equal(await store.count({ tenantId }), batch.length);
        assert.deepEqual(await allEventIds(store, tenantId, 13), expected);
      } finally {
        await f.dispose();
      }
    });

    test('a page made entirely of copies still fills with distinct logs', async () => {
      const f = await fixture();
      try {
        const store = await f.open();
        const tenantId = randomUUID();
        const batch = logs(tenantId, 30, { timestamp: new Date(T0).toISOString() });
        for (let i = 0; i < 5; i++) await store.append(batch);
        const page = await store.search({ tenantId, limit: 25 });
        assert.equal(page.logs.length, 25);
        assert.equal(new Set(page.logs.map((l) => l.eventId)).size, 25);
        assert.deepEqual(page.logs.map((l) => l.eventId), sortedIds(batch).slice(0, 25));
        assert.notEqual(page.next, null);
        const rest = await store.search({ tenantId, limit: 25, after: page.next ?? undefined });
        assert.deepEqual(rest.logs.map((l) => l.eventId), sortedIds(batch).slice(25));
        assert.equal(rest.next, null);
      } finally {
        await f.dispose();
      }
    });
  });

  describe('batching', () => {
    test('concurrent small appends share few inserts, and each resolves only once its logs are searchable', async () => {
      const f = await fixture();
      const proxy = await startCountingProxy(base);
      try {
        const viaProxy = urlWithDatabase(proxy.url, f.database);
        const store = await createClickHouseLogStore({ url: viaProxy, batchRows: 1_000, flushIntervalMs: 200 });
        const observer = await f.open();
        try {
          const before = proxy.inserts;
          const tenants = Array.from({ length: 50 }, () => randomUUID());
          const startedAt = Date.now();
          const checks = tenants.map((tenantId) =>
            store.append(logs(tenantId, 10)).then(async () => {
              // Checked through another store on a direct connection: durable and searchable.
              assert.equal(await observer.count({ tenantId }), 10);
              assert.equal((await observer.search({ tenantId, limit: 100 })).logs.length, 10);
            }),
          );
          await Promise.all(checks);
          const inserts = proxy.inserts - before;
          assert.ok(inserts >= 1 && inserts <= 2, `50 appends took ${inserts} inserts`);
          assert.ok(Date.now() - startedAt >= 150, 'the appends waited for the flush interval');

          // batchRows reached: inserted at once, without waiting for the (long) interval.
          const eager = await createClickHouseLogStore({ url: viaProxy, batchRows: 100, flushIntervalMs: 60_000 });
          try {
            const tenantId = randomUUID();
            const t = Date.now();
            await Promise.all([eager.append(logs(tenantId, 60)), eager.append(logs(tenantId, 40))]);
            assert.ok(Date.now() - t < 10_000, 'a full batch is inserted at once');
            assert.equal(await observer.count({ tenantId }), 100);
          } finally {
            await eager.close();
          }
        } finally {
          await store.close();
        }
      } finally {
        await proxy.close();
        await f.dispose();
      }
    });

    test('close inserts what is buffered, and the pending appends resolve', async () => {
      const f = await fixture();
      try {
        const store = await f.open({ batchRows: 100_000, flushIntervalMs: 600_000 });
        const tenantId = randomUUID();
        // After a quiet spell the first append goes in at once; the next waits out the interval.
        const started = performance.now();
        await store.append(logs(randomUUID(), 1));
        assert.ok(performance.now() - started < 5_000, 'the first append is not held back');
        let resolved = false;
        const pending = store.append(logs(tenantId, 25)).then(() => (resolved = true));
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(resolved, false, 'still buffered');
        assert.equal(await f.rawCount(tenantId), 0);
        await store.close();
        await pending;
        assert.equal(await f.rawCount(tenantId), 25);
        await assert.rejects(store.append(logs(tenantId, 1)), /closed/);
        await assert.rejects(store.search({ tenantId, limit: 1 }), /closed/);
      } finally {
        await f.dispose();
      }
    });

    test('a failed insert rejects every append in its batch, and later batches still go in', async () => {
      const f = await fixture();
      const proxy = await startCountingProxy(base);
      const store = await createClickHouseLogStore({ url: urlWithDatabase(proxy.url, f.database), batchRows: 1_000, flushIntervalMs: 50 });
      try {
        const tenantId = randomUUID();
        const batch = [store.append(logs(tenantId, 3)), store.append(logs(tenantId, 4))];
        await proxy.close(); // the server is gone while they wait for the flush
        for (const append of batch) await assert.rejects(append, TransientError);
        assert.equal(await f.rawCount(tenantId), 0);
      } finally {
        await store.close().catch(() => {});
        await f.dispose();
      }
    });

    test('a log the table cannot take rejects only its own append', async () => {
      const f = await fixture();
      try {
        const store = await f.open({ flushIntervalMs: 50 });
        const tenantId = randomUUID();
        const good = store.append(logs(tenantId, 5));
        await assert.rejects(store.append([log(tenantId, { timestamp: 'yesterday' })]), /timestamp/);
        await assert.rejects(store.append([{ ...log(tenantId), serviceName: null } as unknown as NormalizedLogEvent]), /serviceName/);
        await good;
        assert.equal(await store.count({ tenantId }), 5);
      } finally {
        await f.dispose();
      }
    });
  });

  describe('retention', () => {
    /** Logs of a tenant at the given ages (ms before T0). */
    function aged(tenantId: string, ages: number[]): NormalizedLogEvent[] {
      return ages.map((age) => log(tenantId, { timestamp: new Date(T0 - age).toISOString() }));
    }

    async function partitions(f: Fixture): Promise<string[]> {
      const rows = await f.rows<{ partition_id: string }>(
        `SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase() AND table = 'logs' AND active ORDER BY partition_id`,
      );
      return rows.map((row) => row.partition_id);
    }

    test('drops whole days older than the longest retention, at open and when applied', async () => {
      const f = await fixture();
      try {
        const tenantId = randomUUID();
        const writer = await f.open();
        const appended = aged(tenantId, [0, 1 * DAY, 2 * DAY, 3 * DAY - HOUR, 3 * DAY + HOUR, 4 * DAY, 10 * DAY, 400 * DAY]);
        await writer.append(appended);
        assert.deepEqual(await partitions(f), ['20251019', '20261113', '20261119', '20261120', '20261121', '20261122', '20261123']);

        const retention: LogRetention = { defaultDays: 3, tenantDays: new Map() };
        let now = T0;
        const store = await f.open({ retention, now: () => now });
        // Opening applied it: days ending before T0 - 3 days are gone. 2026-11-20 stays: it holds
        // T0 - 3d + 1h, still kept, next to T0 - 3d - 1h, no longer kept.
        assert.deepEqual(await partitions(f), ['20261120', '20261121', '20261122', '20261123']);
        // Reads hide to the millisecond what is older than 3 days.
        assert.equal(await store.count({ tenantId }), 4);
        assert.equal(await writer.count({ tenantId }), 5, 'a store without retention sees the rest of 2026-11-20');

        now = T0 + DAY;
        const run = await store.applyRetention();
        assert.deepEqual(run, { droppedPartitions: ['20261120'], deleteIssued: false });
        assert.equal(await store.count({ tenantId }), 3);

        // The exported function does the same on any client of the database.
        await writer.append(aged(tenantId, [20 * DAY]));
        assert.deepEqual(await applyLogRetention(f.raw, retention, T0 + DAY), { droppedPartitions: ['20261103'], deleteIssued: false });
      } finally {
        await f.dispose();
      }
    });

    test('a tenant with a shorter retention: hidden at once, deleted by the cleanup, other tenants untouched', async () => {
      const f = await fixture();
      try {
        const short = randomUUID();
        const long = randomUUID();
        const normal = randomUUID();
        const retention: LogRetention = { defaultDays: 7, tenantDays: new Map([[short, 1], [long, 30]]) };
        const store = await f.open({ retention, now: () => T0 });
        const ages = [0, 20 * HOUR, 1 * DAY + HOUR, 2 * DAY, 6 * DAY, 8 * DAY, 20 * DAY];
        for (const tenantId of [short, long, normal]) await store.append(aged(tenantId, ages));

        // Before any cleanup: everything is stored, reads apply each tenant's retention.
        for (const tenantId of [short, long, normal]) assert.equal(await f.rawCount(tenantId), ages.length);
        assert.equal(await store.count({ tenantId: short }), 2);
        assert.equal((await store.search({ tenantId: short, limit: 100 })).logs.length, 2);
        assert.equal(await store.count({ tenantId: short, from: T0 - 3 * DAY }), 2);
        assert.equal(await store.count({ tenantId: normal }), 5);
        assert.equal(await store.count({ tenantId: long }), 7);

        const run = await store.applyRetention();
        assert.deepEqual(run, { droppedPartitions: [], deleteIssued: true });
        await waitForMutations(f);
        // Deleted up to midnight before each cutoff: the short tenant keeps T0 - 1d - 1h (hidden,
        // deleted tomorrow); the default tenant loses only what is older than 7 days.
        assert.equal(await f.rawCount(short), 3);
        assert.equal(await f.rawCount(normal), 5);
        assert.equal(await f.rawCount(long), ages.length);
        assert.equal(await store.count({ tenantId: short }), 2);
        assert.equal(await store.count({ tenantId: normal }), 5);
        assert.equal(await store.count({ tenantId: long }), 7);

        // Nothing left to delete: no new mutation (each rewrites the table's parts).
        assert.deepEqual(await store.applyRetention(), { droppedPartitions: [], deleteIssued: false });
      } finally {
        await f.dispose();
      }
    });

    test('rejects a retention that is not a positive whole number of days', async () => {
      const f = await fixture();
      try {
        await assert.rejects(f.open({ retention: { defaultDays: 0, tenantDays: new Map() } }), /defaultDays/);
        await assert.rejects(f.open({ retention: { defaultDays: 3, tenantDays: new Map([['t', 1.5]]) } }), /tenant t/);
      } finally {
        await f.dispose();
      }
    });
  });

  describe('timestamps', () => {
    test('far past and future logs, and one batch spanning 120 days (over the 100 partitions current releases allow by default), are stored and found exactly', async () => {
      const f = await fixture();
      try {
        const store = await f.open();
        const tenantId = randomUUID();
        const extremes = ['1960-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', '2106-02-07T06:28:16.000Z', '2150-01-01T00:00:00.001Z', '9999-12-31T23:59:59.999Z'];
        const appended = [
          ...extremes.map((timestamp) => log(tenantId, { timestamp })),
          ...Array.from({ length: 120 }, (_, i) => log(tenantId, { timestamp: new Date(T0 - i * DAY - i).toISOString() })),
        ];
        await store.append(appended);
        await store.append(appended.slice(0, 3));
        const page = await store.search({ tenantId, limit: 1000 });
        assert.deepEqual(page.logs.map((l) => l.eventId), sortedIds(appended));
        assert.deepEqual(
          page.logs.filter((l) => extremes.includes(l.timestamp)).map((l) => l.timestamp),
          [...extremes].reverse(),
        );
        assert.equal(await store.count({ tenantId, to: 0 }), 1);
        assert.equal(await store.count({ tenantId, from: Date.parse('2100-01-01T00:00:00Z') }), 3);
        assert.equal(await store.count({ tenantId, from: T0 - 100 * DAY, to: T0 + 1 }), 100); // i = 0..99
      } finally {
        await f.dispose();
      }
    });
  });

  describe('tenant isolation', () => {
    test('tenant ids that look like SQL, prefixes or hostile text each see only their own logs', async () => {
      const f = await fixture();
      try {
        const store = await f.open();
        const tenants = ["' OR '1'='1", "a'", 'a', 'a\u0000', 'a\\', 'A', 'é', 'e\u0301', '%', '_', "'; DROP TABLE logs; --", randomUUID()];
        const byTenant = new Map(tenants.map((tenantId, i) => [tenantId, logs(tenantId, i + 1)]));
        await store.append([...byTenant.values()].flat());
        for (const [tenantId, own] of byTenant) {
          assert.equal(await store.count({ tenantId }), own.length, JSON.stringify(tenantId));
          const page = await store.search({ tenantId, limit: 100 });
          assert.deepEqual(page.logs.map((l) => l.eventId).sort(), own.map((l) => l.eventId).sort(), JSON.stringify(tenantId));
        }
        assert.equal(await f.rawCount("' OR '1'='1"), 1);
      } finally {
        await f.dispose();
      }
    });
  });

  describe('an unreachable server is a TransientError', () => {
    test('opening against a closed port', async () => {
      const proxy = await startCountingProxy(base);
      await proxy.close();
      await assert.rejects(
        createClickHouseLogStore({ url: urlWithDatabase(proxy.url, freshDatabaseName()), batchRows: 10, flushIntervalMs: 10 }),
        TransientError,
      );
    });

    test('ping, search, count and append once the server is gone', async () => {
      const f = await fixture();
      const proxy = await startCountingProxy(base);
      const store = await createClickHouseLogStore({ url: urlWithDatabase(proxy.url, f.database), batchRows: 10, flushIntervalMs: 10 });
      try {
        await store.ping();
        await proxy.close();
        await assert.rejects(store.ping(), TransientError);
        const tenantId = randomUUID();
        await assert.rejects(store.search({ tenantId, limit: 1 }), TransientError);
        await assert.rejects(store.count({ tenantId }), TransientError);
        await assert.rejects(store.append(logs(tenantId, 2)), TransientError);
      } finally {
        await store.close().catch(() => {});
        await f.dispose();
      }
    });

    test('a query the server rejects is not transient', async () => {
      const f = await fixture();
      try {
        await f.raw.command({ query: 'DROP TABLE logs' });
        // Re-created on open: a store heals a missing table.
        const store = await f.open();
        await store.ping();
        await f.raw.command({ query: 'DROP TABLE logs' });
        const error = await store.count({ tenantId: randomUUID() }).then(
          () => assert.fail('count succeeded without a table'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof Error && !(error instanceof TransientError), String(error));
      } finally {
        await f.dispose();
      }
    });
  });

  describe('schema', () => {
    test('refuses a database written with another schema version', async () => {
      const f = await fixture();
      try {
        await f.raw.insert({ table: 'log_store_meta', values: [{ key: 'schema_version', value: '999' }], format: 'JSONEachRow' });
        await assert.rejects(f.open(), /schema version 999/);
      } finally {
        await f.dispose();
      }
    });

    test('the database in the URL is created when missing, and reused when present', async () => {
      const { database, url } = newDatabaseUrl();
      const first = await createClickHouseLogStore({ url, batchRows: 10, flushIntervalMs: 5 });
      const tenantId = randomUUID();
      await first.append(logs(tenantId, 3));
      await first.close();
      const second = await createClickHouseLogStore({ url, batchRows: 10, flushIntervalMs: 5 });
      try {
        assert.equal(second.database, database);
        assert.equal(await second.count({ tenantId }), 3);
      } finally {
        await second.close();
        await dropDatabase(database);
      }
    });
  });
});
