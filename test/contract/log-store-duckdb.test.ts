/**
 * The LogStore contract on the embedded DuckDB adapter, plus what only an embedded store has
 * to prove: a kill -9 loses no acknowledged append, and the file format is checked on open.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { createDuckDbLogStore } from '../../src/storage/duckdb/index.js';
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

  test('a batch failing half-way stores nothing and the store stays usable', async () => {
    const path = freshPath();
    const store = await createDuckDbLogStore({ path });
    try {
      const tenantId = randomUUID();
      const good = crashBatchLogs(tenantId, 0);
      const brokenTimestamp = [...good.slice(0, 10), { ...good[10], eventId: randomUUID(), timestamp: 'yesterday' }];
      await assert.rejects(store.append(brokenTimestamp), /timestamp/);
      // A NOT NULL violation inside the appender, after the first data chunk went in.
      const lateNull = [1, 2, 3, 4, 5].flatMap((batch) => crashBatchLogs(tenantId, batch));
      lateNull.push({ ...lateNull[0], eventId: randomUUID(), serviceName: null } as unknown as NormalizedLogEvent);
      await assert.rejects(store.append(lateNull));
      assert.equal(await store.count({ tenantId }), 0);
      await store.append(good);
      await store.append(crashBatchLogs(tenantId, 1));
      assert.equal(await store.count({ tenantId }), 2 * CRASH_BATCH_SIZE);
    } finally {
      await store.close();
    }
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
