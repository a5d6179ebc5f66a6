/**
 * The LogStore contract on the embedded DuckDB adapter, plus what only an embedded store has
 * to prove: a kill -9 loses no acknowledged append, and the file format is checked on open;
 * and its retention, the ClickHouse store's policy applied by plain range DELETEs.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { createDuckDbLogStore, type DuckDbLogStore, type DuckDbLogStoreOptions, type DuckDbRetentionRun } from '../../src/storage/duckdb/index.js';
import { retentionDeletes } from '../../src/storage/duckdb/retention.js';
import { openLogStore } from '../../src/storage/open-log-store.js';
import type { LogRetention } from '../../src/storage/retention-policy.js';
import { MAX_DEDUP_RANGES, timeRangesCovering } from '../../src/storage/duckdb/time-ranges.js';
import { logStoreContractSuite } from './log-store.contract.js';
import { CRASH_BATCH_SIZE, crashBatchLogs, crashEventId } from './log-store-duckdb.crash-helper.js';

const root = mkdtempSync(join(tmpdir(), 'log0-duckdb-log-store-'));
after(() => rm(root, { recursive: true, force: true }));

let storeCount = 0;
function freshPath(): string {
  storeCount += 1;
  return join(root, `store-${storeCount}`, 'logs.duckdb');
}

logStoreContractSuite('duckdb', async () => {
  const path = freshPath();
  let current = await createDuckDbLogStore({ path });
  return {
    store: current,
    reopen: async () => {
      await current.close();
      current = await createDuckDbLogStore({ path });
      return current;
    },
    cleanup: async () => {
      await current.close();
      await rm(join(path, '..'), { recursive: true, force: true });
    },
  };
});

async function allEventIds(store: LogStore, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  let after;
  for (;;) {
    const page = await store.search({ tenantId, limit: 1000, after });
    ids.push(...page.logs.map((log) => log.eventId));
    if (!page.next) return ids;
    after = page.next;
  }
}

describe('DuckDB log store, embedded only', () => {
  test('every acknowledged append survives kill -9, exactly once, and the batch in flight is all or nothing', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const helper = fileURLToPath(new URL('./log-store-duckdb.crash-helper.js', import.meta.url));
    const child = spawn(process.execPath, [helper, path, tenantId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));

    // Kill at a varying point; the helper checkpoints every few batches.
    const killAfter = 20 + Math.floor(Math.random() * 30);
    let lastAck = -1;
    for await (const line of createInterface({ input: child.stdout })) {
      const match = /^ack (\d+)$/.exec(line);
      assert.ok(match, `unexpected helper output: ${line}`);
      lastAck = Number(match[1]);
      if (lastAck >= killAfter) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        child.kill('SIGKILL');
        break;
      }
    }
    assert.equal(await exited, 'SIGKILL', `helper ended on its own: ${stderr}`);
    assert.ok(lastAck >= killAfter, `helper acknowledged only ${lastAck + 1} batches: ${stderr}`);

    const store = await createDuckDbLogStore({ path });
    try {
      const ids = await allEventIds(store, tenantId);
      const seen = new Set(ids);
      assert.equal(seen.size, ids.length, 'no eventId is stored twice');
      for (let batch = 0; batch <= lastAck; batch++) {
        for (let index = 0; index < CRASH_BATCH_SIZE; index++) {
          assert.ok(seen.has(crashEventId(batch, index)), `acknowledged ${crashEventId(batch, index)} is missing`);
        }
      }
      // Batches after the last one seen acknowledged: each stored entirely or not at all.
      let extra = 0;
      for (let batch = lastAck + 1; seen.has(crashEventId(batch, 0)) || seen.has(crashEventId(batch, CRASH_BATCH_SIZE - 1)); batch++) {
        const stored = Array.from({ length: CRASH_BATCH_SIZE }, (_, index) => seen.has(crashEventId(batch, index)));
        assert.ok(stored.every(Boolean), `batch ${batch} is partially stored`);
        extra++;
      }
      assert.equal(ids.length, (lastAck + 1 + extra) * CRASH_BATCH_SIZE, 'nothing but whole batches is stored');
      // The stored logs are intact, not just present.
      const [newest] = (await store.search({ tenantId, limit: 1 })).logs;
      const newestBatch = lastAck + extra;
      const expected = crashBatchLogs(tenantId, newestBatch).find((log) => log.eventId === newest.eventId);
      assert.ok(expected, `newest stored log ${newest.eventId} belongs to batch ${newestBatch}`);
      assert.deepEqual(newest, Object.fromEntries(Object.entries(expected).filter(([, value]) => value !== null)));
    } finally {
      await store.close();
    }
  });

  for (const options of [{}, { neverStored: true }]) {
    test(`a batch failing half-way stores nothing and the store stays usable (${options.neverStored ? 'never-stored' : 'checked'} append)`, async () => {
      const path = freshPath();
      const store = await createDuckDbLogStore({ path });
      try {
        const tenantId = randomUUID();
        const good = crashBatchLogs(tenantId, 0);
        const brokenTimestamp = [...good.slice(0, 10), { ...good[10], eventId: randomUUID(), timestamp: 'yesterday' }];
        await assert.rejects(store.append(brokenTimestamp, options), /timestamp/);
        // A NOT NULL violation inside the appender, after thousands of rows went in.
        const lateNull = [1, 2, 3, 4, 5].flatMap((batch) => crashBatchLogs(tenantId, batch));
        lateNull.push({ ...lateNull[0], eventId: randomUUID(), serviceName: null } as unknown as NormalizedLogEvent);
        await assert.rejects(store.append(lateNull, options));
        assert.equal(await store.count({ tenantId }), 0);
        // A value of the wrong type half-way through a row: refused before that row ends, none kept.
        const halfRow = [...good.slice(0, 10), { ...good[10], eventId: randomUUID(), level: 5 } as unknown as NormalizedLogEvent];
        await assert.rejects(store.append(halfRow, options), /level must be a string/);
        assert.equal(await store.count({ tenantId }), 0);
        await store.append(good, options);
        await store.append(crashBatchLogs(tenantId, 1));
        assert.equal(await store.count({ tenantId }), 2 * CRASH_BATCH_SIZE);
      } finally {
        await store.close();
      }
    });
  }

  test('appends arriving within the flush interval wait for it and go in together; a bad log fails only its own append', async () => {
    const path = freshPath();
    const store = await createDuckDbLogStore({ path, flushIntervalMs: 2000 });
    try {
      const tenantId = randomUUID();
      const started = performance.now();
      await store.append(crashBatchLogs(tenantId, 0), { neverStored: true }); // after a quiet spell: at once
      const first = performance.now() - started;
      const badTimestamp = { ...crashBatchLogs(tenantId, 8)[0], timestamp: 'yesterday' };
      // Passes the store's own check, fails inside DuckDB (NOT NULL), in the write it shares.
      const nullService = { ...crashBatchLogs(tenantId, 9)[0], serviceName: null } as unknown as NormalizedLogEvent;
      const outcomes = await Promise.allSettled([
        store.append(crashBatchLogs(tenantId, 1), { neverStored: true }),
        store.append([badTimestamp]),
        store.append([nullService], { neverStored: true }),
        store.append(crashBatchLogs(tenantId, 2), { neverStored: true }),
        store.append(crashBatchLogs(tenantId, 3)),
      ]);
      const waited = performance.now() - started;
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled'],
      );
      assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /timestamp "yesterday"/);
      assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /NOT NULL|service_name/i);
      assert.ok(first < 1500, `first append took ${first} ms`);
      // The next appends waited for the interval: spaced, not each delayed.
      assert.ok(waited >= 1900, `the spaced appends were done after ${waited} ms`);
      assert.equal(await store.count({ tenantId }), 4 * CRASH_BATCH_SIZE);
    } finally {
      await store.close();
    }
    await assert.rejects(createDuckDbLogStore({ path: freshPath(), flushIntervalMs: -5 }), /flushIntervalMs/);
  });

  test('close stores the appends still waiting for their interval', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const store = await createDuckDbLogStore({ path, flushIntervalMs: 60_000 });
    await store.append(crashBatchLogs(tenantId, 0));
    await store.append(crashBatchLogs(tenantId, 1), { neverStored: true });
    // Both kinds wrote once just now: these two wait a minute for their intervals.
    const waiting = [store.append(crashBatchLogs(tenantId, 2)), store.append(crashBatchLogs(tenantId, 3), { neverStored: true })];
    const closing = performance.now();
    await store.close();
    await Promise.all(waiting);
    assert.ok(performance.now() - closing < 30_000, 'close did not wait for the interval');
    const reopened = await createDuckDbLogStore({ path });
    try {
      assert.equal(await reopened.count({ tenantId }), 4 * CRASH_BATCH_SIZE);
    } finally {
      await reopened.close();
    }
  });

  test('checkpoints by itself once the WAL passes the threshold, off the caller’s thread', async () => {
    const path = freshPath();
    const store = await createDuckDbLogStore({ path, checkpointThreshold: '1MB' });
    try {
      const tenantId = randomUUID();
      const walBytes = () => (existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0);
      let batch = 0;
      while (walBytes() < 1_000_000) await store.append(crashBatchLogs(tenantId, batch++), { neverStored: true });
      const deadline = Date.now() + 10_000;
      while (walBytes() >= 1_000_000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(walBytes() < 1_000_000, `WAL still ${walBytes()} bytes`);
      assert.equal(await store.count({ tenantId }), batch * CRASH_BATCH_SIZE);
    } finally {
      await store.close();
    }
    await assert.rejects(createDuckDbLogStore({ path: freshPath(), checkpointThreshold: 'lots' }), /checkpointThreshold: "lots"/);
  });

  test('refuses a file written with another schema version', async () => {
    const path = freshPath();
    await (await createDuckDbLogStore({ path })).close();
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(`UPDATE log_store_meta SET value = '999' WHERE key = 'schema_version'`);
    connection.closeSync();
    instance.closeSync();
    await assert.rejects(createDuckDbLogStore({ path }), /schema version 999/);
  });

  test('the duplicate check scans at most 8 narrow time ranges covering the whole batch', () => {
    const HOUR = 3_600_000;
    assert.deepEqual(timeRangesCovering([]), []);
    assert.deepEqual(timeRangesCovering([5, 1, 3]), [[1, 5]]);
    // Gaps under a minute are not worth a split.
    assert.deepEqual(timeRangesCovering([0, 59_999, 30_000]), [[0, 59_999]]);
    assert.deepEqual(timeRangesCovering([10 * HOUR + 2, 0, 10 * HOUR, 1]), [[0, 1], [10 * HOUR, 10 * HOUR + 2]]);
    // Ten clusters with gaps of 1h, 2h, ... 9h: the seven widest gaps (3h to 9h) are the splits.
    const clusters = Array.from({ length: 10 }, (_, i) => ((i * (i + 1)) / 2) * HOUR);
    const timestamps = clusters.flatMap((start) => [start, start + 1_000]);
    assert.deepEqual(timeRangesCovering(timestamps), [
      [clusters[0], clusters[2] + 1_000],
      ...clusters.slice(3).map((start) => [start, start + 1_000]),
    ]);
    for (let round = 0; round < 200; round++) {
      const sample = Array.from({ length: 1 + Math.floor(Math.random() * 300) }, () => Math.floor(Math.random() * 30 * 24 * HOUR));
      const ranges = timeRangesCovering(sample);
      assert.ok(ranges.length >= 1 && ranges.length <= MAX_DEDUP_RANGES);
      ranges.forEach(([from, to], i) => {
        assert.ok(from <= to && (i === 0 || ranges[i - 1][1] < from), 'sorted, disjoint');
      });
      for (const ts of sample) assert.ok(ranges.some(([from, to]) => from <= ts && ts <= to), `${ts} is covered`);
    }
  });

  test('rejects calls after close', async () => {
    const store = await createDuckDbLogStore({ path: freshPath() });
    await store.close();
    await store.close();
    await assert.rejects(store.search({ tenantId: randomUUID(), limit: 1 }), /closed/);
    await assert.rejects(store.append([]), /closed/);
  });
});

describe('DuckDB log store, retention', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** 2026-11-23T10:00:00.000Z */
  const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

  /** A log of the tenant `age` ms before `at`. */
  function logAged(tenantId: string, age: number, at = T0): NormalizedLogEvent {
    return {
      eventId: randomUUID(),
      tenantId,
      serviceName: 'retention-test',
      environment: 'test',
      timestamp: new Date(at - age).toISOString(),
      level: 'INFO',
      message: `aged ${age} ms`,
      messageTemplate: 'aged <number> ms',
      fingerprint: 'r'.repeat(64),
      schemaVersion: 'v1',
    };
  }

  function aged(tenantId: string, ages: number[], at = T0): NormalizedLogEvent[] {
    return ages.map((age) => logAged(tenantId, age, at));
  }

  /** What is physically stored: counted by a store without retention on the same file. */
  async function storedCounts(path: string, tenants: string[]): Promise<number[]> {
    const raw = await createDuckDbLogStore({ path });
    try {
      return await Promise.all(tenants.map((tenantId) => raw.count({ tenantId })));
    } finally {
      await raw.close();
    }
  }

  async function withStore<T>(options: DuckDbLogStoreOptions, body: (store: DuckDbLogStore) => Promise<T>): Promise<T> {
    const store = await createDuckDbLogStore(options);
    try {
      return await body(store);
    } finally {
      await store.close();
    }
  }

  test('default retention: hidden to the millisecond, deleted at open and when applied', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const ages = [0, 1 * DAY, 3 * DAY - 1, 3 * DAY, 3 * DAY + 1, 4 * DAY, 10 * DAY, 400 * DAY];
    await withStore({ path }, (store) => store.append(aged(tenantId, ages)));
    assert.deepEqual(await storedCounts(path, [tenantId]), [8]);

    const retention: LogRetention = { defaultDays: 3, tenantDays: new Map() };
    let now = T0;
    await withStore({ path, retention, now: () => now }, async (store) => {
      // Opening deleted what is older than 3 days; exactly 3 days old is still kept.
      assert.equal(await store.count({ tenantId }), 4);
      assert.deepEqual(
        (await store.search({ tenantId, limit: 100 })).logs.map((log) => Date.parse(log.timestamp)),
        [T0, T0 - DAY, T0 - 3 * DAY + 1, T0 - 3 * DAY],
      );
      assert.deepEqual(await store.applyRetention(), { deletedRows: 0 }, 'nothing more to delete at the same time');
      now = T0 + 1;
      assert.equal(await store.count({ tenantId }), 3, 'one millisecond later the oldest is hidden at once');
      assert.deepEqual(await store.applyRetention(), { deletedRows: 1 });
      now = T0 + DAY;
      assert.deepEqual(await store.applyRetention(), { deletedRows: 1 });
      assert.equal(await store.count({ tenantId }), 2);
    });
    assert.deepEqual(await storedCounts(path, [tenantId]), [2]);
  });

  test('a shorter retention deletes only its tenants\' older logs; a longer one keeps them past the default', async () => {
    const path = freshPath();
    const short = "'; DROP TABLE logs; --";
    const long = randomUUID();
    const normal = randomUUID();
    const sameAsDefault = randomUUID();
    const alsoShort = randomUUID();
    const retention: LogRetention = {
      defaultDays: 7,
      tenantDays: new Map([[short, 1], [long, 30], [sameAsDefault, 7], [alsoShort, 1]]),
    };
    const tenants = [short, long, normal, sameAsDefault, alsoShort];
    const ages = [0, 20 * HOUR, 1 * DAY + HOUR, 2 * DAY, 6 * DAY, 8 * DAY, 20 * DAY, 40 * DAY];
    await withStore({ path, retention, now: () => T0 }, async (store) => {
      for (const tenantId of tenants) await store.append(aged(tenantId, ages));
      // Before any run, everything is stored and reads apply each tenant's retention.
      const visible = [2, 7, 5, 5, 2];
      assert.deepEqual(await Promise.all(tenants.map((tenantId) => store.count({ tenantId }))), visible);
      assert.equal((await store.search({ tenantId: short, limit: 100 })).logs.length, 2);
      assert.equal(await store.count({ tenantId: short, from: T0 - 3 * DAY }), 2);

      assert.deepEqual(await store.applyRetention(), { deletedRows: 6 + 1 + 3 + 3 + 6 });
      assert.deepEqual(await Promise.all(tenants.map((tenantId) => store.count({ tenantId }))), visible);
      assert.deepEqual(await store.applyRetention(), { deletedRows: 0 }, 'rerunning deletes nothing');
    });
    assert.deepEqual(await storedCounts(path, tenants), [2, 7, 5, 5, 2], 'what is stored is what reads showed');
  });

  test('reads hide expired logs before any run deleted them, whatever the filters and cursor', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const other = randomUUID();
    let now = T0;
    const retention: LogRetention = { defaultDays: 3, tenantDays: new Map([[other, 10]]) };
    await withStore({ path, retention, now: () => now }, async (store) => {
      const logs = aged(tenantId, [0, 1 * DAY, 2 * DAY + 12 * HOUR, 2 * DAY + 18 * HOUR]);
      await store.append([...logs, ...aged(other, [0, 1 * DAY, 2 * DAY + 12 * HOUR, 2 * DAY + 18 * HOUR])]);
      assert.equal(await store.count({ tenantId }), 4);

      now = T0 + DAY; // the two oldest are now 3.5 and 3.75 days old
      assert.equal(await store.count({ tenantId }), 2);
      assert.equal(await store.count({ tenantId: other }), 4, 'kept 10 days');
      assert.equal(await store.count({ tenantId, from: T0 - 30 * DAY }), 2, 'an older `from` does not widen retention');
      assert.equal(await store.count({ tenantId, from: T0 - HOUR }), 1, 'a newer `from` still applies');
      assert.equal(await store.count({ tenantId, to: T0 - 2 * DAY }), 0);
      const first = await store.search({ tenantId, limit: 1 });
      assert.deepEqual(first.logs.map((log) => log.eventId), [logs[0].eventId]);
      const second = await store.search({ tenantId, limit: 1, after: first.next! });
      assert.deepEqual(second.logs.map((log) => log.eventId), [logs[1].eventId]);
      const third = await store.search({ tenantId, limit: 1, after: second.next! });
      assert.deepEqual(third.logs, [], 'paging on never reaches an expired log');

      assert.deepEqual(await store.applyRetention(), { deletedRows: 2 }, 'they were still stored until this run');
    });
  });

  test('runs are idempotent and safe concurrently with appends: every expired log deleted, every kept one intact', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const retention: LogRetention = { defaultDays: 1, tenantDays: new Map() };
    let kept = 0;
    let expired = 0;
    // A caller arriving during a run shares its result object: each run is counted once.
    const runs = new Set<DuckDbRetentionRun>();
    await withStore({ path, retention, now: () => T0 }, async (store) => {
      // Four producers append 10 batches each, half of every batch expired, while runs follow
      // one another until they are done.
      let producing = true;
      const producers = Array.from({ length: 4 }, async (_, producer) => {
        for (let batch = 0; batch < 10; batch++) {
          const ages = Array.from({ length: 250 }, (_, i) => ((i + batch + producer) % 2 === 0 ? i * 1_000 : 2 * DAY + i * 1_000));
          kept += ages.filter((age) => age <= DAY).length;
          expired += ages.filter((age) => age > DAY).length;
          await store.append(aged(tenantId, ages));
        }
      });
      const cleaner = (async () => {
        while (producing) runs.add((await store.applyRetention())!);
      })();
      // Callers arriving while a run is under way share it.
      const [a, b] = await Promise.all([store.applyRetention(), store.applyRetention()]);
      assert.equal(a, b);
      runs.add(a!);
      await Promise.all(producers);
      producing = false;
      await cleaner;
      runs.add((await store.applyRetention())!);
      const deleted = [...runs].reduce((sum, run) => sum + run.deletedRows, 0);
      assert.ok(runs.size >= 3, `${runs.size} separate runs interleaved with the appends`);
      assert.equal(deleted, expired, 'each expired log deleted exactly once');
      assert.deepEqual(await store.applyRetention(), { deletedRows: 0 });
      assert.equal(await store.count({ tenantId }), kept);
      assert.equal(new Set(await allEventIds(store, tenantId)).size, kept);
    });
    assert.deepEqual(await storedCounts(path, [tenantId]), [kept]);
  });

  test('a run queued when the store closes still completes before the file is released', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    let now = T0;
    const store = await createDuckDbLogStore({ path, retention: { defaultDays: 1, tenantDays: new Map() }, now: () => now });
    await store.append(aged(tenantId, [0, 12 * HOUR, 18 * HOUR]));
    now = T0 + 12 * HOUR;
    const appended = store.append(aged(tenantId, [0], now));
    const run = store.applyRetention();
    await store.close();
    await appended;
    assert.deepEqual(await run, { deletedRows: 1 });
    await assert.rejects(store.applyRetention(), /closed/);
    assert.deepEqual(await storedCounts(path, [tenantId]), [3]);
  });

  test('refuses an invalid retention at open, before touching the file', async () => {
    const path = freshPath();
    const open = (retention: LogRetention) => createDuckDbLogStore({ path, retention });
    await assert.rejects(open({ defaultDays: 0, tenantDays: new Map() }), /retention\.defaultDays must be a positive whole number of days, got 0/);
    await assert.rejects(open({ defaultDays: 1.5, tenantDays: new Map() }), /defaultDays/);
    await assert.rejects(open({ defaultDays: Number.NaN, tenantDays: new Map() }), /defaultDays/);
    await assert.rejects(open({ defaultDays: 3, tenantDays: new Map([['t', -1]]) }), /retention for tenant t must be a positive whole number of days/);
    assert.equal(existsSync(path), false);
  });

  test('the deletes: range-bounded, one for the default and one per other retention, every value bound', () => {
    const hostile = "x') OR 1=1; --";
    const retention: LogRetention = {
      defaultDays: 30,
      tenantDays: new Map([[hostile, 7], ['b', 7], ['c', 90], ['d', 30], ['e', 365]]),
    };
    const statements = retentionDeletes(retention, T0);
    assert.deepEqual(
      statements.map((s) => s.text.replace(/\s+/g, ' ')),
      [
        'DELETE FROM logs WHERE timestamp_ms < $1 AND tenant_id NOT IN ($2, $3)',
        'DELETE FROM logs WHERE timestamp_ms < $1 AND timestamp_ms >= $2 AND tenant_id IN ($3, $4)',
        'DELETE FROM logs WHERE timestamp_ms < $1 AND tenant_id IN ($2)',
        'DELETE FROM logs WHERE timestamp_ms < $1 AND tenant_id IN ($2)',
      ],
    );
    assert.deepEqual(statements.map((s) => s.params), [
      [BigInt(T0 - 30 * DAY), 'c', 'e'],
      [BigInt(T0 - 7 * DAY), BigInt(T0 - 30 * DAY), hostile, 'b'],
      [BigInt(T0 - 90 * DAY), 'c'],
      [BigInt(T0 - 365 * DAY), 'e'],
    ]);
    for (const s of statements) assert.equal(s.types.length, s.params.length);
    assert.deepEqual(retentionDeletes({ defaultDays: 30, tenantDays: new Map() }, T0).map((s) => s.text), ['DELETE FROM logs WHERE timestamp_ms < $1']);
  });

  test('openLogStore applies LOG0_LOG_RETENTION_DAYS to the embedded store', async () => {
    const path = freshPath();
    const tenantId = randomUUID();
    const now = Date.now();
    const store = await openLogStore({ clickhouse: null, duckdb: { flushIntervalMs: 100 }, logRetention: { defaultDays: 2, tenantDays: new Map() } }, path);
    try {
      await store.append(aged(tenantId, [0, 1 * DAY, 3 * DAY], now));
      assert.equal(await store.count({ tenantId }), 2);
    } finally {
      await store.close();
    }
  });
});
