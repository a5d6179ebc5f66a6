/**
 * The log store writer on the embedded bus and a real DuckDB store: logs a crashed run may have
 * stored, logs the normalizer published again, and a batch delivered again after a failure go
 * through the store's duplicate check; first normalizations delivered for the first time skip
 * it — every log stored exactly once either way.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';
import { loadConfig } from '../../src/config/config.js';
import { HEADER, recordKey, TOPIC } from '../../src/contracts/topics.js';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import { createLogger } from '../../src/runtime/logger.js';
import { startLogStoreWriter } from '../../src/services/normalization/index.js';
import { FirstDeliveries } from '../../src/runtime/first-deliveries.js';
import { createDuckDbLogStore } from '../../src/storage/duckdb/index.js';
import { normalizedPaymentLog } from '../support/log-generator.js';
import type { AppendOptions, LogStore } from '../../src/storage/log-store.js';

const normalizedLog = (tenantId: string, i: number) => normalizedPaymentLog(tenantId, i);

/** The real store, with a record of which path each appended eventId took (and an optional failure to inject). */
function recordingStore(store: LogStore, failAfterNeverStoredAppend = false) {
  const checked: string[] = [];
  const unchecked: string[] = [];
  const failed: string[] = [];
  let fail = failAfterNeverStoredAppend;
  const recording: LogStore = {
    async append(logs: NormalizedLogEvent[], options?: AppendOptions) {
      await store.append(logs, options);
      (options?.neverStored ? unchecked : checked).push(...logs.map((l) => l.eventId));
      if (options?.neverStored && fail) {
        // The logs are stored, then the call fails: the consume loop delivers them again.
        fail = false;
        failed.push(...logs.map((l) => l.eventId));
        throw new Error('injected failure after the append');
      }
    },
    search: (query) => store.search(query),
    count: (query) => store.count(query),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return { recording, checked, unchecked, failed };
}

async function withPipeline(run: (ctx: { bus: Awaited<ReturnType<typeof createEmbeddedBus>>; store: LogStore }) => Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'log0-store-writer-'));
  const bus = await createEmbeddedBus({ dataDir: join(dataDir, 'bus'), onWarning: () => {} });
  const store = await createDuckDbLogStore({ path: join(dataDir, 'logs.duckdb') });
  try {
    await bus.ensureTopics([TOPIC.normalizedLogs, TOPIC.dlq].map((name) => ({ name, partitions: 3 })));
    await run({ bus, store });
  } finally {
    await store.close();
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Produces normalized logs as the normalizer does: `first` marks them as first normalizations. */
async function produce(bus: Awaited<ReturnType<typeof createEmbeddedBus>>, logs: NormalizedLogEvent[], first = true): Promise<void> {
  await bus.produce(
    TOPIC.normalizedLogs,
    logs.map((log) => ({
      key: recordKey(TOPIC.normalizedLogs, log),
      value: JSON.stringify(log),
      ...(first ? { headers: { [HEADER.firstNormalization]: '1' } } : {}),
    })),
  );
}

async function waitForCount(store: LogStore, tenantId: string, expected: number): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await store.count({ tenantId })) >= expected) return;
    await sleep(10);
  }
  assert.fail(`the store never reached ${expected} logs (has ${await store.count({ tenantId })})`);
}

async function assertEachStoredOnce(store: LogStore, tenantId: string, logs: NormalizedLogEvent[]): Promise<void> {
  assert.equal(await store.count({ tenantId }), logs.length);
  const stored = (await store.search({ tenantId, limit: 1000 })).logs.map((l) => l.eventId).sort();
  assert.deepEqual(stored, logs.map((l) => l.eventId).sort());
}

describe('log store writer', () => {
  test('logs a crashed run may have stored are checked; logs produced after the writer started are not; each stored once', async () => {
    await withPipeline(async ({ bus, store }) => {
      const tenantId = randomUUID();
      const before = Array.from({ length: 300 }, (_, i) => normalizedLog(tenantId, i));
      await produce(bus, before);
      // A run that appended the first 200 and died before committing its offsets.
      await store.append(before.slice(0, 200));
      const { recording, checked, unchecked } = recordingStore(store);
      const writer = await startLogStoreWriter({ bus, logger: createLogger('silent'), config: loadConfig({}), logStore: recording });
      try {
        await waitForCount(store, tenantId, 300);
        const after = Array.from({ length: 200 }, (_, i) => normalizedLog(tenantId, 1000 + i));
        await produce(bus, after);
        await waitForCount(store, tenantId, 500);
        // A normalizer that crashed before committing publishes some logs again, unmarked.
        const republished = [...before.slice(150, 250), ...after.slice(0, 50)];
        await produce(bus, republished, false);
        const marker = normalizedLog(tenantId, 5000);
        await produce(bus, [marker], false);
        await waitForCount(store, tenantId, 501);
        await assertEachStoredOnce(store, tenantId, [...before, ...after, marker]);
        assert.deepEqual(
          new Set(checked),
          new Set([...before, ...republished, marker].map((l) => l.eventId)),
          'logs on the bus at assignment and logs not marked as first normalizations went through the check',
        );
        assert.deepEqual(new Set(unchecked), new Set(after.map((l) => l.eventId)), 'first normalizations delivered for the first time skipped it');
      } finally {
        await writer.stop();
      }
    });
  });

  test('a republished log in the same batch as its first copy is stored once', async () => {
    await withPipeline(async ({ bus, store }) => {
      const tenantId = randomUUID();
      const writer = await startLogStoreWriter({ bus, logger: createLogger('silent'), config: loadConfig({}), logStore: store });
      try {
        const warmUp = normalizedLog(tenantId, 0);
        await produce(bus, [warmUp]);
        await waitForCount(store, tenantId, 1);
        await sleep(300); // both of the store's writers idle: neither waits for its interval
        // The first copy (marked) and, right behind it, the normalizer's republished copy (unmarked).
        const log = normalizedLog(tenantId, 1);
        const record = { key: recordKey(TOPIC.normalizedLogs, log), value: JSON.stringify(log) };
        await bus.produce(TOPIC.normalizedLogs, [{ ...record, headers: { [HEADER.firstNormalization]: '1' } }, record]);
        const marker = normalizedLog(tenantId, 2);
        await produce(bus, [marker], false);
        await waitForCount(store, tenantId, 3);
        await sleep(300);
        await assertEachStoredOnce(store, tenantId, [warmUp, log, marker]);
      } finally {
        await writer.stop();
      }
    });
  });

  test('a batch delivered again after its append failed goes through the check: no log stored twice', async () => {
    await withPipeline(async ({ bus, store }) => {
      const tenantId = randomUUID();
      const { recording, checked, failed } = recordingStore(store, true);
      const writer = await startLogStoreWriter({ bus, logger: createLogger('silent'), config: loadConfig({}), logStore: recording });
      try {
        const logs = Array.from({ length: 120 }, (_, i) => normalizedLog(tenantId, i));
        await produce(bus, logs);
        await waitForCount(store, tenantId, 120);
        // The failed batch is retried in halves: wait until every one of its logs was appended again.
        for (let i = 0; i < 1000 && !(failed.length > 0 && failed.every((id) => checked.includes(id))); i++) await sleep(10);
        assert.ok(failed.length > 0, 'an append that skipped the check failed');
        for (const id of failed) assert.ok(checked.includes(id), `log ${id}, delivered again, was checked`);
        await assertEachStoredOnce(store, tenantId, logs);
      } finally {
        await writer.stop();
      }
    });
  });
});

describe('FirstDeliveries', () => {
  test('fresh from the log end at assignment; moves past what was stored; unknown partitions have none', () => {
    const offsets = new FirstDeliveries();
    assert.equal(offsets.firstIndex(0, [0, 1, 2]), 3, 'unassigned: no first deliveries known');
    offsets.assigned(0, 10);
    assert.equal(offsets.firstIndex(0, [7, 8, 9, 10, 11]), 3);
    assert.equal(offsets.firstIndex(0, [12, 13]), 0);
    offsets.handled(0, 13);
    assert.equal(offsets.firstIndex(0, [12, 13, 14]), 2, 'handled records delivered again are not first deliveries');
    offsets.handled(0, 5);
    assert.equal(offsets.firstIndex(0, [14]), 0, 'handling older records never moves it back');
    offsets.revoked(0);
    assert.equal(offsets.firstIndex(0, [100]), 1);
    assert.equal(offsets.firstIndex(0, []), 0);
  });
});
