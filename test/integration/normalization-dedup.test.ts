/**
 * The normalizer with a dedup cache: raw logs redelivered after they were already published are
 * not published again; a failed publish remembers nothing (so the redelivery is published); and a
 * cache that fails (Redis unreachable) changes nothing but a rate-limited warning — every log is
 * still normalized.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { TOPIC } from '../../src/contracts/topics.js';
import type { RawLogEvent } from '../../src/contracts/types.js';
import { createLogger } from '../../src/runtime/logger.js';
import { NORMALIZER_GROUP, startNormalizationService } from '../../src/services/normalization/index.js';
import type { DedupCache, EventRef } from '../../src/storage/dedup-cache.js';
import { createMemoryDedupCache } from '../../src/storage/memory/dedup-cache.js';
import { connectRedis } from '../../src/storage/redis/client.js';
import { createRedisDedupCache } from '../../src/storage/redis/dedup-cache.js';
import { rawPaymentLog } from '../support/log-generator.js';
import { MemoryBus } from '../support/memory-bus.js';
import { closeRedis, connectTestRedis, deleteKeys, REDIS_URL, testKeyPrefix } from '../support/redis.js';

const config = loadConfig({});

const rawLog = (tenantId: string, i: number): RawLogEvent => rawPaymentLog(tenantId, `Connection timeout after ${i}ms`, 'error');

async function busWithRawLogs(n: number): Promise<{ bus: MemoryBus; raws: RawLogEvent[] }> {
  const bus = new MemoryBus();
  await bus.ensureTopics([TOPIC.rawLogs, TOPIC.normalizedLogs, TOPIC.dlq].map((name) => ({ name, partitions: 3 })));
  const tenantId = randomUUID();
  const raws = Array.from({ length: n }, (_, i) => rawLog(tenantId, i));
  await bus.produce(TOPIC.rawLogs, raws.map((raw) => ({ key: raw.tenantId, value: JSON.stringify(raw) })));
  return { bus, raws };
}

const normalizedIds = (bus: MemoryBus) => bus.records(TOPIC.normalizedLogs).map((r) => JSON.parse(r.value.toString()).eventId as string);

/** Runs the normalizer until it has committed everything on raw-logs. */
async function normalizeAll(bus: MemoryBus, dedup: DedupCache | undefined, logger = createLogger('silent')): Promise<void> {
  const service = await startNormalizationService({ bus, logger, config, dedup });
  try {
    await bus.drained(NORMALIZER_GROUP, TOPIC.rawLogs);
  } finally {
    await service.stop();
  }
}

const caches: Array<{ name: string; open(): Promise<DedupCache>; cleanup(): Promise<void> }> = [
  { name: 'in-process cache', open: async () => createMemoryDedupCache({ ttlMs: 60_000 }), cleanup: async () => {} },
  (() => {
    const keyPrefix = testKeyPrefix('normalization-dedup');
    let client: Awaited<ReturnType<typeof connectTestRedis>> | undefined;
    return {
      name: 'Redis cache',
      async open() {
        client ??= await connectTestRedis();
        return createRedisDedupCache({ client, url: REDIS_URL, ttlMs: 60_000, keyPrefix });
      },
      async cleanup() {
        if (!client) return;
        await deleteKeys(client, keyPrefix);
        await closeRedis(client);
      },
    };
  })(),
];

for (const cache of caches) {
  describe(`normalizer dedup: ${cache.name}`, () => {
    after(() => cache.cleanup());

    test('raw logs redelivered after they were published are not published again', async () => {
      const dedup = await cache.open();
      const { bus, raws } = await busWithRawLogs(20);
      await normalizeAll(bus, dedup);
      assert.deepEqual(normalizedIds(bus).sort(), raws.map((r) => r.eventId).sort());

      // A crash after publishing, before the commit: the group's offsets go back and every raw
      // log is delivered again, plus 5 new ones.
      await bus.seekGroupToTimestamp(NORMALIZER_GROUP, TOPIC.rawLogs, 0);
      const fresh = Array.from({ length: 5 }, (_, i) => rawLog(raws[0].tenantId, 100 + i));
      await bus.produce(TOPIC.rawLogs, fresh.map((raw) => ({ key: raw.tenantId, value: JSON.stringify(raw) })));
      await normalizeAll(bus, dedup);

      const ids = normalizedIds(bus);
      assert.equal(ids.length, 25, 'the 20 redelivered logs were skipped, the 5 new ones published');
      assert.equal(new Set(ids).size, 25);
    });
  });
}

describe('normalizer dedup: failures', () => {
  test('a failed publish remembers nothing, so its redelivery is published', async () => {
    const real = createMemoryDedupCache({ ttlMs: 60_000 });
    const { bus, raws } = await busWithRawLogs(10);
    const publishedWhenRemembered: number[] = [];
    // The real cache, watched: each remember must come after its logs are on normalized-logs.
    const watched: DedupCache = {
      seen: (scope, ids) => real.seen(scope, ids),
      remember: async (scope, ids: readonly EventRef[]) => {
        const published = new Set(normalizedIds(bus));
        publishedWhenRemembered.push(ids.filter((id) => published.has(id.eventId)).length - ids.length);
        await real.remember(scope, ids);
      },
      ping: () => real.ping(),
      close: () => real.close(),
    };
    bus.failNextProduces = 1; // the normalizer's first publish fails (the bus then redelivers)
    await normalizeAll(bus, watched);
    assert.equal(bus.failNextProduces, 0, 'the publish did fail once');
    assert.deepEqual(normalizedIds(bus).sort(), raws.map((r) => r.eventId).sort(), 'every log published once, none lost');
    assert.ok(publishedWhenRemembered.length > 0);
    assert.ok(publishedWhenRemembered.every((missing) => missing === 0), 'never remembered before published');
  });

  test('a cache that fails (Redis unreachable): everything is normalized, one warning for many batches', async () => {
    const url = 'redis://127.0.0.1:1';
    const client = await connectRedis({ url, name: 'test-normalizer-offline', waitReadyMs: 200 });
    const dedup = createRedisDedupCache({ client, url, ttlMs: 60_000, ownsClient: true });
    const lines: Array<{ msg: string; level: number }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    try {
      const { bus, raws } = await busWithRawLogs(10);
      const service = await startNormalizationService({ bus, logger, config, dedup });
      try {
        await bus.drained(NORMALIZER_GROUP, TOPIC.rawLogs);
        // More batches, one at a time, each failing its cache lookup and its remember.
        for (let i = 0; i < 3; i++) {
          const more = rawLog(raws[0].tenantId, 1000 + i);
          raws.push(more);
          await bus.produce(TOPIC.rawLogs, [{ key: more.tenantId, value: JSON.stringify(more) }]);
          await bus.drained(NORMALIZER_GROUP, TOPIC.rawLogs);
        }
      } finally {
        await service.stop();
      }
      assert.deepEqual(normalizedIds(bus).sort(), raws.map((r) => r.eventId).sort());
      const warnings = lines.filter((l) => /dedup cache unavailable/.test(l.msg));
      assert.equal(warnings.length, 1, `one rate-limited warning, got ${JSON.stringify(warnings)}`);
      assert.equal(bus.records(TOPIC.dlq).length, 0, 'nothing dead-lettered');
    } finally {
      await dedup.close();
    }
  });
});
