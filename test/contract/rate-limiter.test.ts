/**
 * The RateLimiter contract on both adapters (in-process, and Redis with two connections sharing
 * the buckets), plus what only each adapter has to prove: the memory one forgets full buckets,
 * the Redis one expires idle keys, fails fast as TransientError while Redis is down and recovers
 * by itself when it is back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../../src/runtime/errors.js';
import { createMemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import type { RateLimiter } from '../../src/storage/rate-limiter.js';
import { connectRedis, type RedisClient } from '../../src/storage/redis/client.js';
import { createRedisRateLimiter } from '../../src/storage/redis/rate-limiter.js';
import { closeRedis, connectTestRedis, deleteKeys, REDIS_URL, redisServerProcess, testKeyPrefix } from '../support/redis.js';
import { rateLimiterContractSuite } from './rate-limiter.contract.js';

rateLimiterContractSuite('memory', async () => {
  const opened: RateLimiter[] = [];
  return {
    async open(limits, count = 1) {
      const limiter = createMemoryRateLimiter({ limits });
      opened.push(limiter);
      return Array.from({ length: count }, () => limiter);
    },
    async cleanup() {
      await Promise.all(opened.map((l) => l.close()));
    },
  };
});

rateLimiterContractSuite('redis', async () => {
  const clients: RedisClient[] = [];
  const prefixes: string[] = [];
  return {
    async open(limits, count = 1) {
      const keyPrefix = testKeyPrefix('ratelimit');
      prefixes.push(keyPrefix);
      const limiters: RateLimiter[] = [];
      for (let i = 0; i < count; i++) {
        const client = await connectTestRedis();
        clients.push(client);
        limiters.push(createRedisRateLimiter({ client, url: REDIS_URL, limits, keyPrefix }));
      }
      return limiters;
    },
    async cleanup() {
      for (const prefix of prefixes) await deleteKeys(clients[0], prefix);
      await Promise.all(clients.map((c) => closeRedis(c)));
    },
  };
});

describe('memory rate limiter', () => {
  test('forgets buckets once they are full again: memory is bounded by recently active tenants', async () => {
    let clock = 0;
    const limiter = createMemoryRateLimiter({ limits: { logsPerSecond: 10, burst: 10 }, now: () => clock, sweepIntervalMs: 100 });
    for (let i = 0; i < 1000; i++) assert.ok((await limiter.take(`tenant-${i}`, 5)).allowed);
    assert.equal(limiter.size, 1000);
    clock = 400; // swept, but 4 tokens back only: not full yet, nothing may be forgotten
    await limiter.take('other', 1);
    assert.equal(limiter.size, 1001);
    clock = 1100; // 5+ tokens back: full, the same as no bucket
    await limiter.take('other', 1);
    assert.equal(limiter.size, 1, 'only the bucket just taken from is left');
    assert.ok((await limiter.take('tenant-0', 10)).allowed, 'a forgotten bucket is a full one');
  });
});

describe('redis rate limiter', () => {
  let client: RedisClient;
  const prefix = testKeyPrefix('ratelimit-redis');
  before(async () => {
    client = await connectTestRedis();
  });
  after(async () => {
    await deleteKeys(client, prefix);
    await closeRedis(client);
  });

  test('one hash per tenant (<prefix><tenantId>), expiring once it would be full again', async () => {
    const limiter = createRedisRateLimiter({ client, url: REDIS_URL, limits: { logsPerSecond: 100, burst: 50 }, keyPrefix: prefix });
    const tenant = randomUUID();
    assert.ok((await limiter.take(tenant, 30)).allowed);
    const key = `${prefix}${tenant}`;
    const ttl = await client.pTTL(key);
    // 30 tokens at 100/s: full again in 300 ms, plus the 1 s margin.
    assert.ok(ttl > 1000 && ttl <= 1300, `PTTL ${ttl}`);
    assert.equal(Number(await client.hGet(key, 't')), 20);
    await sleep(ttl + 100);
    assert.equal(await client.exists(key), 0, 'an idle tenant costs nothing');
  });

  test('unreachable Redis: take and ping fail at once with a TransientError naming Redis', async () => {
    const url = 'redis://127.0.0.1:1';
    const offline = await connectRedis({ url, name: 'test-offline', waitReadyMs: 200 });
    const limiter = createRedisRateLimiter({ client: offline, url, limits: { logsPerSecond: 1, burst: 1 }, ownsClient: true });
    try {
      const started = performance.now();
      await assert.rejects(limiter.take(randomUUID(), 1), (err: unknown) => {
        assert.ok(err instanceof TransientError);
        assert.match(err.message, /Redis at redis:\/\/127\.0\.0\.1:1/);
        return true;
      });
      await assert.rejects(limiter.ping(), TransientError);
      assert.ok(performance.now() - started < 100, 'no waiting for a reconnect');
    } finally {
      await limiter.close();
    }
  });

  test('Redis stopped mid-use and started again: the limiter recovers by itself', async () => {
    const server = await redisServerProcess();
    await server.start();
    const own = await connectRedis({ url: server.url, name: 'test-recovery', maxReconnectDelayMs: 200 });
    const limiter = createRedisRateLimiter({ client: own, url: server.url, limits: { logsPerSecond: 1, burst: 100 }, ownsClient: true });
    const tenant = randomUUID();
    try {
      assert.ok((await limiter.take(tenant, 1)).allowed);
      await server.stop();
      await assert.rejects(limiter.take(tenant, 1), TransientError);
      await server.start();
      let decision;
      for (let i = 0; i < 100 && !decision; i++) {
        decision = await limiter.take(tenant, 1).catch(() => undefined);
        if (!decision) await sleep(50);
      }
      assert.deepEqual(decision, { allowed: true }, 'takes succeed again once Redis is back');
    } finally {
      await limiter.close();
      await server.stop();
    }
  });
});
