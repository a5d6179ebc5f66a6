/**
 * The gateway's per-tenant rate limit over HTTP, with the in-process and the Redis limiter: 429
 * naming the limit with a Retry-After, nothing published when refused, only valid requests cost
 * tokens, tenants limited apart, and 503 (never a hang, never an unlimited pass) while Redis is
 * unreachable — recovering by itself once Redis is back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/config.js';
import { TOPIC } from '../../src/contracts/topics.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import { MAX_BODY_BYTES, startGatewayService } from '../../src/services/gateway/index.js';
import { createMemoryRateLimiter } from '../../src/storage/memory/rate-limiter.js';
import type { RateLimiter, RateLimits } from '../../src/storage/rate-limiter.js';
import { connectRedis } from '../../src/storage/redis/client.js';
import { createRedisRateLimiter } from '../../src/storage/redis/rate-limiter.js';
import { MemoryBus } from '../support/memory-bus.js';
import { closeRedis, connectTestRedis, deleteKeys, REDIS_URL, redisServerProcess, testKeyPrefix } from '../support/redis.js';

const log = { serviceName: 'payment-service', environment: 'production', level: 'error', message: 'boom 42' };
const logs = (n: number) => Array.from({ length: n }, (_, i) => ({ ...log, message: `boom ${i}` }));

interface Gateway {
  app: FastifyInstance;
  bus: MemoryBus;
  published(): number;
  post(payload: unknown, tenant?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

async function gateway(rateLimiter: RateLimiter): Promise<Gateway> {
  const bus = new MemoryBus();
  await bus.ensureTopics([{ name: TOPIC.rawLogs, partitions: 2 }]);
  const logger = createLogger('silent');
  const app = createHttpApp({ service: 'ingestion-gateway', logger, checks: {}, bodyLimit: MAX_BODY_BYTES });
  await startGatewayService({ bus, logger, config: loadConfig({}), app, rateLimiter });
  await app.ready();
  const defaultTenant = randomUUID();
  return {
    app,
    bus,
    published: () => bus.records(TOPIC.rawLogs).length,
    post: (payload, tenant = defaultTenant) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/logs',
        headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
        payload: JSON.stringify(payload),
      }),
    async close() {
      await app.close();
      await rateLimiter.close();
      await bus.close();
    },
  };
}

const adapters: Array<{ name: string; open(limits: RateLimits): Promise<RateLimiter>; cleanup(): Promise<void> }> = [
  { name: 'in-process limiter', open: async (limits) => createMemoryRateLimiter({ limits }), cleanup: async () => {} },
  (() => {
    const keyPrefix = testKeyPrefix('gateway-ratelimit');
    const clients: Array<Awaited<ReturnType<typeof connectTestRedis>>> = [];
    return {
      name: 'Redis limiter',
      async open(limits: RateLimits) {
        const client = await connectTestRedis();
        clients.push(client);
        return createRedisRateLimiter({ client, url: REDIS_URL, limits, keyPrefix });
      },
      async cleanup() {
        if (clients.length > 0) await deleteKeys(clients[0], keyPrefix);
        await Promise.all(clients.map((c) => closeRedis(c)));
      },
    };
  })(),
];

for (const adapter of adapters) {
  describe(`gateway rate limit: ${adapter.name}`, () => {
    after(() => adapter.cleanup());

    test('over the limit: 429, Retry-After, a body naming the limit; nothing published', async () => {
      const gw = await gateway(await adapter.open({ logsPerSecond: 1, burst: 5 }));
      try {
        const tenant = randomUUID();
        assert.equal((await gw.post(logs(3), tenant)).statusCode, 202);
        const before = gw.published();
        const res = await gw.post(logs(3), tenant); // 2 tokens left, 3 asked: all refused
        assert.equal(res.statusCode, 429, res.body);
        const retryAfter = Number(res.headers['retry-after']);
        assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `Retry-After ${res.headers['retry-after']}`);
        const body = res.json();
        assert.equal(body.error, 'rate_limited');
        assert.deepEqual(body.limit, { logsPerSecond: 1, burst: 5 });
        assert.equal(body.retryAfterSeconds, retryAfter);
        assert.equal(body.message, `tenant ${tenant} is over its rate limit of 1 logs/s (burst 5); retry after ${retryAfter} s`);
        assert.equal(gw.published(), before, 'a refused request publishes nothing');
        assert.equal((await gw.post(logs(2), tenant)).statusCode, 202, 'the refused request took no tokens');
      } finally {
        await gw.close();
      }
    });

    test('a 400 costs no tokens', async () => {
      const gw = await gateway(await adapter.open({ logsPerSecond: 1, burst: 5 }));
      try {
        for (let i = 0; i < 3; i++) {
          const res = await gw.post([...logs(4), { ...log, message: '' }]);
          assert.equal(res.statusCode, 400);
        }
        assert.equal((await gw.post(logs(5))).statusCode, 202, 'the whole burst is still there');
        assert.equal(gw.published(), 5);
      } finally {
        await gw.close();
      }
    });

    test('tenants are limited apart', async () => {
      const gw = await gateway(await adapter.open({ logsPerSecond: 1, burst: 5 }));
      try {
        const [a, b] = [randomUUID(), randomUUID()];
        assert.equal((await gw.post(logs(5), a)).statusCode, 202);
        assert.equal((await gw.post(log, a)).statusCode, 429);
        assert.equal((await gw.post(logs(5), b)).statusCode, 202, 'b has its own bucket');
      } finally {
        await gw.close();
      }
    });

    test('a request larger than the burst: 429 saying to split it', async () => {
      const gw = await gateway(await adapter.open({ logsPerSecond: 1, burst: 5 }));
      try {
        const tenant = randomUUID();
        const res = await gw.post(logs(6), tenant);
        assert.equal(res.statusCode, 429);
        assert.match(res.json().message, /sent 6 logs in one request, more than its rate limit of 1 logs\/s \(burst 5\) ever allows at once; split the request/);
        assert.ok(Number(res.headers['retry-after']) >= 1);
        assert.equal(gw.published(), 0);
      } finally {
        await gw.close();
      }
    });
  });
}

describe('gateway rate limit: Redis unavailable', () => {
  test('unreachable Redis: 503 rate_limiter_unavailable naming Redis, Retry-After, nothing published', async () => {
    const url = 'redis://127.0.0.1:1';
    const client = await connectRedis({ url, name: 'test-gateway-offline', waitReadyMs: 200 });
    const gw = await gateway(createRedisRateLimiter({ client, url, limits: { logsPerSecond: 100, burst: 1000 }, ownsClient: true }));
    try {
      const started = performance.now();
      const res = await gw.post(logs(3));
      assert.ok(performance.now() - started < 500, 'answered at once, not after a reconnect');
      assert.equal(res.statusCode, 503, res.body);
      assert.ok(Number(res.headers['retry-after']) >= 1);
      const body = res.json();
      assert.equal(body.error, 'rate_limiter_unavailable');
      assert.match(body.message, /Redis at redis:\/\/127\.0\.0\.1:1/);
      assert.equal(gw.published(), 0);
    } finally {
      await gw.close();
    }
  });

  test('Redis stopped mid-test: 503 while it is down, 202 again once it is back, with no restart', async () => {
    const server = await redisServerProcess();
    await server.start();
    const client = await connectRedis({ url: server.url, name: 'test-gateway-recovery', maxReconnectDelayMs: 200 });
    const gw = await gateway(createRedisRateLimiter({ client, url: server.url, limits: { logsPerSecond: 100, burst: 1000 }, ownsClient: true }));
    try {
      assert.equal((await gw.post(logs(2))).statusCode, 202);
      await server.stop();
      const down = await gw.post(logs(2));
      assert.equal(down.statusCode, 503, down.body);
      assert.equal(down.json().error, 'rate_limiter_unavailable');
      assert.equal(gw.published(), 2, 'nothing published while the limiter is down');
      await server.start();
      let status = 0;
      for (let i = 0; i < 100 && status !== 202; i++) {
        status = (await gw.post(logs(2))).statusCode;
        if (status !== 202) await sleep(50);
      }
      assert.equal(status, 202);
      assert.equal(gw.published(), 4);
    } finally {
      await gw.close();
      await server.stop();
    }
  });
});
