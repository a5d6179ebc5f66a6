/**
 * Redis for tests: the shared server (REDIS_URL, default 127.0.0.1:6379) with per-test key
 * prefixes that are deleted afterwards — never FLUSHALL, other tests share the server — and a
 * private `redis-server` child process for tests that stop and restart Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { closeRedis, connectRedis, type RedisClient } from '../../src/storage/redis/client.js';

export const REDIS_URL = process.env.REDIS_URL?.trim() || 'redis://127.0.0.1:6379';

/** A key prefix no other test uses. */
export function testKeyPrefix(what: string): string {
  return `log0test:${what}:${randomUUID()}:`;
}

export function connectTestRedis(url = REDIS_URL): Promise<RedisClient> {
  return connectRedis({ url, name: 'test', waitReadyMs: 5000 });
}

/** Deletes every key under the prefix (SCAN, not KEYS: the server may be shared). */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length > 0) await client.del(keys);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** A private redis-server on its own port, no persistence; stop() and start() again on the same port. */
export interface RedisServerProcess {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function redisServerProcess(): Promise<RedisServerProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function waitForPing(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const probe = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 500 } });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.ping();
        probe.destroy();
        return;
      } catch (err) {
        if (probe.isOpen) probe.destroy();
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer: ${String(err)}`);
        await sleep(50);
      }
    }
  }

  const server: RedisServerProcess = {
    url,
    port,
    async start() {
      if (child) return;
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      child.on('error', () => {}); // not installed: waitForPing reports it
      await waitForPing();
    },
    async stop() {
      const running = child;
      if (!running) return;
      child = undefined;
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGKILL');
        await once(running, 'exit');
      }
    },
  };
  return server;
}

export { closeRedis };
