/**
 * The DedupCache contract on both adapters, plus what only each has to prove: the memory one
 * stays within maxEntries (oldest evicted first), the Redis one stores one expiring key per id
 * and fails fast as TransientError while Redis is down.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TransientError } from '../../src/runtime/errors.js';
import type { DedupCache } from '../../src/storage/dedup-cache.js';
import { createMemoryDedupCache } from '../../src/storage/memory/dedup-cache.js';
import { connectRedis, type RedisClient } from '../../src/storage/redis/client.js';
import { createRedisDedupCache } from '../../src/storage/redis/dedup-cache.js';
import { seededRandom } from '../support/seeded-random.js';
import { closeRedis, connectTestRedis, deleteKeys, REDIS_URL, testKeyPrefix } from '../support/redis.js';
import { dedupCacheContractSuite } from './dedup-cache.contract.js';

dedupCacheContractSuite('memory', async () => {
  const opened: DedupCache[] = [];
  return {
    async open(ttlMs) {
      const cache = createMemoryDedupCache({ ttlMs });
      opened.push(cache);
      return cache;
    },
    async cleanup() {
      await Promise.all(opened.map((c) => c.close()));
    },
  };
});

dedupCacheContractSuite('redis', async () => {
  const client = await connectTestRedis();
  const keyPrefix = testKeyPrefix('seen');
  return {
    async open(ttlMs) {
      return createRedisDedupCache({ client, url: REDIS_URL, ttlMs, keyPrefix });
    },
    async cleanup() {
      await deleteKeys(client, keyPrefix);
      await closeRedis(client);
    },
  };
});

describe('memory dedup cache', () => {
  test('holds at most maxEntries, evicting the oldest first', async () => {
    const cache = createMemoryDedupCache({ ttlMs: 60_000, maxEntries: 1000 });
    const tenantId = randomUUID();
    const ids = Array.from({ length: 2500 }, (_, i) => ({ tenantId, eventId: `e${i}` }));
    for (let i = 0; i < ids.length; i += 100) await cache.remember('normalization', ids.slice(i, i + 100));
    assert.equal(cache.size, 1000);
    const seen = await cache.seen('normalization', ids);
    assert.equal(seen.filter(Boolean).length, 1000);
    assert.ok(seen.slice(1500).every(Boolean), 'the newest 1000 are kept');
  });

  test('expired entries are pruned on the next remember, not only hidden', async () => {
    let clock = 0;
    const cache = createMemoryDedupCache({ ttlMs: 1000, now: () => clock });
    const tenantId = randomUUID();
    await cache.remember('normalization', Array.from({ length: 500 }, (_, i) => ({ tenantId, eventId: `old${i}` })));
    clock = 1500;
    await cache.remember('normalization', [{ tenantId, eventId: 'new' }]);
    assert.equal(cache.size, 1);
  });
});

describe('memory dedup cache against a reference model', () => {
  // The cache keeps ids in a ring and an open-addressing index; a plain Map with the same rules
  // (TTL from the last remember, oldest evicted past maxEntries) must give the same answers.
  test('random remembers, lookups and clock steps: same answers as a Map, size included', async () => {
    const random = seededRandom(7);
    let clock = 0;
    const maxEntries = 300;
    const ttlMs = 1000;
    const cache = createMemoryDedupCache({ ttlMs, maxEntries, now: () => clock });
    const model = new Map<string, number>(); // key → expiry; insertion order = expiry order
    const tenants = [randomUUID(), randomUUID(), randomUUID()];
    const scopes = ['normalization', 'other'];
    // A small pool of ids so remembers repeat and collide: lowercase UUIDs, the same UUIDs in
    // uppercase (different ids), and free-form strings.
    const uuids = Array.from({ length: 150 }, () => randomUUID());
    const pool = [...uuids, ...uuids.slice(0, 40).map((u) => u.toUpperCase()), ...Array.from({ length: 60 }, (_, i) => `id-${i}`)];
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const key = (scope: string, ref: { tenantId: string; eventId: string }) => `${scope}|${ref.tenantId}|${ref.eventId}`;
    for (let step = 0; step < 4000; step++) {
      const scope = pick(scopes);
      const refs = Array.from({ length: 1 + Math.floor(random() * 20) }, () => ({ tenantId: pick(tenants), eventId: pick(pool) }));
      const action = random();
      if (action < 0.45) {
        await cache.remember(scope, refs);
        for (const [k, expires] of model) if (expires <= clock) model.delete(k);
        for (const ref of refs) {
          model.delete(key(scope, ref));
          if (model.size === maxEntries) model.delete(model.keys().next().value!);
          model.set(key(scope, ref), clock + ttlMs);
        }
        assert.equal(cache.size, model.size, `size after step ${step}`);
      } else if (action < 0.9) {
        const expected = refs.map((ref) => (model.get(key(scope, ref)) ?? -Infinity) > clock);
        assert.deepEqual(await cache.seen(scope, refs), expected, `answers at step ${step}`);
      } else {
        clock += Math.floor(random() * 400);
      }
    }
  });
});

describe('memory dedup cache, ids remembered again behind an older one', () => {
  // An old entry at the front of the ring keeps the superseded slots behind it from leaving
  // with the front, until the ring is full and must be compacted: nothing live may get lost.
  test('repeated remembers of the same ids keep every live id, UUIDs and strings alike', async () => {
    const cache = createMemoryDedupCache({ ttlMs: 60_000, maxEntries: 100 });
    const tenantId = randomUUID();
    const oldest = { tenantId, eventId: 'first' };
    await cache.remember('normalization', [oldest]);
    const ids = [...Array.from({ length: 40 }, () => randomUUID()), ...Array.from({ length: 40 }, (_, i) => `free-form ${i}`)].map((eventId) => ({ tenantId, eventId }));
    for (let round = 0; round < 20; round++) await cache.remember('normalization', ids);
    assert.equal(cache.size, 81);
    assert.ok((await cache.seen('normalization', [oldest, ...ids])).every(Boolean));
    assert.deepEqual(await cache.seen('normalization', [{ tenantId, eventId: randomUUID() }, { tenantId: randomUUID(), eventId: 'first' }]), [false, false]);
  });
});

describe('redis dedup cache', () => {
  let client: RedisClient;
  const prefix = testKeyPrefix('seen-redis');
  before(async () => {
    client = await connectTestRedis();
  });
  after(async () => {
    await deleteKeys(client, prefix);
    await closeRedis(client);
  });

  test('one key per id, <prefix><scope>:<tenantId>:<eventId>, expiring after the TTL', async () => {
    const cache = createRedisDedupCache({ client, url: REDIS_URL, ttlMs: 30_000, keyPrefix: prefix });
    const ref = { tenantId: randomUUID(), eventId: randomUUID() };
    await cache.remember('normalization', [ref]);
    const ttl = await client.pTTL(`${prefix}normalization:${ref.tenantId}:${ref.eventId}`);
    assert.ok(ttl > 29_000 && ttl <= 30_000, `PTTL ${ttl}`);
  });

  test('unreachable Redis: seen and remember fail at once with a TransientError naming Redis', async () => {
    const url = 'redis://127.0.0.1:1';
    const offline = await connectRedis({ url, name: 'test-offline', waitReadyMs: 200 });
    const cache = createRedisDedupCache({ client: offline, url, ttlMs: 1000, ownsClient: true });
    const ids = [{ tenantId: randomUUID(), eventId: randomUUID() }];
    try {
      const started = performance.now();
      await assert.rejects(cache.seen('normalization', ids), (err: unknown) => err instanceof TransientError && /Redis at/.test(err.message));
      await assert.rejects(cache.remember('normalization', ids), TransientError);
      assert.ok(performance.now() - started < 100, 'no waiting for a reconnect');
    } finally {
      await cache.close();
    }
  });
});
