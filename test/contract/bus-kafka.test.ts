/**
 * The bus contract against a real Apache Kafka broker (test/support/kafka-broker.ts finds or
 * starts one), plus what only the Kafka adapter promises: a down or hung cluster fails produce and
 * ping fast with a TransientError, and a group with members in another process is not moved from
 * here. Every test uses fresh topic and group names; the fixture deletes the topics its bus
 * created, so runs leave nothing behind but the groups' committed offsets (which Kafka expires).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { before, describe, test } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { createKafkaBus } from '../../src/bus/kafka/index.js';
import { partitionForKey } from '../../src/bus/partitioner.js';
import type { Bus } from '../../src/bus/port.js';
import { TransientError } from '../../src/runtime/errors.js';
import { packageRoot } from '../../src/runtime/package-root.js';
import { kafkaBrokers } from '../support/kafka-broker.js';
import { busContractSuite, type BusFixture } from './bus.contract.js';

let brokers: string[] = [];

before(
  async () => {
    brokers = await kafkaBrokers();
  },
  { timeout: 600_000 },
);

function open(): Promise<Bus> {
  return createKafkaBus({ brokers, clientId: 'log0-contract', onWarning: () => {} });
}

/** Delegates to the bus, noting the topics it creates. */
function tracked(bus: Bus, created: Set<string>): Bus {
  return {
    ensureTopics: (topics) => {
      for (const t of topics) created.add(t.name);
      return bus.ensureTopics(topics);
    },
    partitionCount: (topic) => bus.partitionCount(topic),
    produce: (topic, records) => bus.produce(topic, records),
    consume: (options) => bus.consume(options),
    groupPositions: (groupId, topic) => bus.groupPositions(groupId, topic),
    seekGroupToTimestamp: (groupId, topic, timestamp) => bus.seekGroupToTimestamp(groupId, topic, timestamp),
    offsetForTimestamp: (topic, partition, timestamp) => bus.offsetForTimestamp(topic, partition, timestamp),
    partitionBounds: (topic, partition) => bus.partitionBounds(topic, partition),
    read: (topic, partition, from, to) => bus.read(topic, partition, from, to),
    ping: () => bus.ping(),
    close: () => bus.close(),
  };
}

async function deleteTopics(topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = new Admin({ clientId: 'log0-contract-cleanup', bootstrapBrokers: brokers });
  try {
    await admin.deleteTopics({ topics });
  } catch {
    // Best effort: a topic that failed to be created, or is already gone.
  } finally {
    await admin.close();
  }
}

busContractSuite('Kafka', async (): Promise<BusFixture> => {
  const created = new Set<string>();
  let bus = await open();
  return {
    bus: tracked(bus, created),
    reopen: async () => {
      await bus.close();
      bus = await open();
      return tracked(bus, created);
    },
    cleanup: async () => {
      await bus.close();
      await deleteTopics([...created]);
    },
  };
});

describe('Kafka bus: behaviour specific to this adapter', () => {
  /** A port where a TCP server accepts connections and never answers (a hung broker). */
  async function silentBroker(): Promise<{ address: string; close: () => Promise<void> }> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      address: `127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  }

  /** A port nothing listens on (an unreachable broker). */
  async function closedPort(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `127.0.0.1:${port}`;
  }

  for (const [what, broker] of [
    ['an unreachable broker', async () => ({ address: await closedPort(), close: async () => {} })],
    ['a hung broker (accepts connections, never answers)', silentBroker],
  ] as const) {
    test(`${what} makes produce and ping fail fast with a TransientError`, { timeout: 30_000 }, async () => {
      const { address, close } = await broker();
      const bus = await createKafkaBus({
        brokers: [address],
        clientId: 'log0-contract-down',
        produceTimeoutMs: 2_000,
        requestTimeoutMs: 2_000,
        onWarning: () => {},
      });
      try {
        for (const call of [() => bus.produce('any-topic', [{ key: 'k', value: 'v' }]), () => bus.ping()]) {
          const started = Date.now();
          await assert.rejects(call(), (err: unknown) => err instanceof TransientError);
          assert.ok(Date.now() - started < 8_000, `failed after ${Date.now() - started} ms`);
        }
      } finally {
        await bus.close();
        await close();
      }
    });
  }

  test('a group with a member in another process cannot be moved from here; an empty one can', async () => {
    const here = await open();
    const elsewhere = await open();
    const topic = `seek-remote-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    try {
      await here.ensureTopics([{ name: topic, partitions: 2 }]);
      await here.produce(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: String(i), timestamp: 1_700_000_000_000 + i })),
      );
      const subscription = await elsewhere.consume({ groupId, topics: [topic], handler: async () => {} });
      await assert.rejects(here.seekGroupToTimestamp(groupId, topic, 0), /outside this process/);
      await subscription.stop();
      await here.seekGroupToTimestamp(groupId, topic, 1_700_000_000_005);
      const positions = await here.groupPositions(groupId, topic);
      const total = positions.reduce((sum, p) => sum + (p.latest - p.committed), 0);
      assert.equal(total, 5, `the group is 5 records behind: ${JSON.stringify(positions)}`);
    } finally {
      await Promise.all([here.close(), elsewhere.close()]);
      await deleteTopics([topic]);
    }
  });

  test('a seek while a member is being revoked is not overwritten by its in-flight batch’s commit', { timeout: 60_000 }, async () => {
    const bus = await open();
    const topic = `seek-revoke-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const t0 = 1_700_000_000_000;
      await bus.produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i), timestamp: t0 + i })));
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let inFlight: () => void = () => {};
      const started = new Promise<void>((resolve) => (inFlight = resolve));
      let seeked = false;
      const afterSeek: number[] = [];
      const first = await bus.consume({
        groupId,
        topics: [topic],
        maxBatchRecords: 10,
        handler: async (batch) => {
          if (seeked) return void afterSeek.push(...batch.map((r) => r.offset));
          inFlight();
          await held; // the whole log in one batch, held in flight
        },
      });
      await started;
      // A second member joins: the first is revoked, waiting for its in-flight batch.
      const second = bus.consume({
        groupId,
        topics: [topic],
        handler: async (batch) => void afterSeek.push(...batch.map((r) => r.offset)),
      });
      await new Promise((r) => setTimeout(r, 1_500)); // its heartbeat sees the rebalance
      await bus.seekGroupToTimestamp(groupId, topic, t0 + 3);
      seeked = true;
      release();
      const subscriptions = [first, await second];
      // Whoever owns the partition next resumes at the seek, not after the revoked batch.
      for (let i = 0; i < 100 && afterSeek.length < 7; i++) await new Promise((r) => setTimeout(r, 100));
      await Promise.all(subscriptions.map((s) => s.stop()));
      assert.deepEqual(afterSeek, [3, 4, 5, 6, 7, 8, 9], 'the revoked batch’s commit (10) overwrote the seek');
    } finally {
      await bus.close();
      await deleteTopics([topic]);
    }
  });

  test('a broker that hangs mid-stream: every produce call fails within produceTimeoutMs, also those queued behind the hung request', { timeout: 60_000 }, async (t) => {
    const pidFile = join(packageRoot(), '.kafka', 'kafka.pid');
    const running = spawnSync('bash', ['scripts/kafka.sh', 'status'], { cwd: packageRoot(), stdio: 'ignore' }).status === 0;
    if (!running || !existsSync(pidFile)) {
      t.skip('the broker is not this repo’s: it cannot be paused from here');
      return;
    }
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    const produceTimeoutMs = 3_000;
    const bus = await createKafkaBus({ brokers, clientId: 'log0-contract-hung', produceTimeoutMs, requestTimeoutMs: 3_000, onWarning: () => {} });
    const topic = `hung-${randomUUID().slice(0, 8)}`;
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.produce(topic, [{ key: 'k', value: 'before' }]); // metadata and connections in place
      // Resumed in `finally`; and by a detached watchdog, should this test process die first.
      spawn('sh', ['-c', `sleep 30; kill -CONT ${pid} 2>/dev/null`], { detached: true, stdio: 'ignore' }).unref();
      process.kill(pid, 'SIGSTOP');
      const timed = async (): Promise<number> => {
        const started = Date.now();
        await assert.rejects(bus.produce(topic, [{ key: 'k', value: 'v' }]), (err: unknown) => err instanceof TransientError);
        return Date.now() - started;
      };
      const first = timed();
      await new Promise((r) => setTimeout(r, 500)); // these wait behind the first one's request
      const queued = await Promise.all([timed(), timed(), timed()]);
      for (const ms of [await first, ...queued]) assert.ok(ms < produceTimeoutMs + 1_000, `a produce call failed after ${ms} ms`);
    } finally {
      process.kill(pid, 'SIGCONT');
      await bus.close();
      await deleteTopics([topic]);
    }
  });

  test('records compressed with zstd by another producer are read, on every Node version', { timeout: 60_000 }, async () => {
    const bus = await open();
    const topic = `zstd-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    try {
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      // kcat (librdkafka) compresses with zstd; partition 1 gets a plain record from log0 itself.
      // Compressible, or librdkafka sends them uncompressed.
      const values = Array.from({ length: 5 }, (_, i) => `zstd record ${i} ${'x'.repeat(2_000)}`);
      execFileSync('kcat', ['-b', brokers.join(','), '-P', '-t', topic, '-p', '0', '-z', 'zstd', '-K', ':'], {
        input: values.map((v, i) => `k${i}:${v}`).join('\n') + '\n',
      });
      const keyOnPartition1 = Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(k, 2) === 1)!;
      await bus.produce(topic, [{ key: keyOnPartition1, value: 'plain record' }]);
      const received: string[] = [];
      const subscription = await bus.consume({ groupId, topics: [topic], handler: async (batch) => void received.push(...batch.map((r) => r.value.toString('utf8'))) });
      for (let i = 0; i < 100 && received.length < values.length + 1; i++) await new Promise((r) => setTimeout(r, 100));
      await subscription.stop();
      assert.deepEqual(received.sort(), [...values, 'plain record'].sort());
    } finally {
      await bus.close();
      await deleteTopics([topic]);
    }
  });

  test('a committed offset that retention deleted resumes at the log start, with a warning', { timeout: 60_000 }, async () => {
    const warnings: string[] = [];
    const bus = await createKafkaBus({ brokers, clientId: 'log0-contract-retention', onWarning: (message) => warnings.push(message) });
    const topic = `retention-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    const admin = new Admin({ clientId: 'log0-contract-retention-admin', bootstrapBrokers: brokers });
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const t0 = 1_700_000_000_000;
      await bus.produce(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i), timestamp: t0 + i })));
      // The group stands at offset 3 (it was offline), then retention deletes everything below 7.
      await bus.seekGroupToTimestamp(groupId, topic, t0 + 3);
      const [deleted] = await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition: 0, offset: 7n }] }] });
      assert.equal(deleted.partitions[0].lowWatermark, 7n);
      assert.deepEqual(await bus.partitionBounds(topic, 0), { earliest: 7, latest: 10 });

      const delivered: number[] = [];
      const subscription = await bus.consume({ groupId, topics: [topic], handler: async (batch) => void delivered.push(...batch.map((r) => r.offset)) });
      for (let i = 0; i < 100 && delivered.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500)); // anything delivered twice would show by now
      await subscription.stop();
      assert.deepEqual(delivered, [7, 8, 9]);
      assert.deepEqual(
        warnings.filter((w) => w.includes(`${topic}/0`)),
        [`kafka bus: group ${groupId}: offset 3 of ${topic}/0 is below the log start 7: retention deleted 4 records this group had not read; resuming at 7`],
      );
      const [position] = await bus.groupPositions(groupId, topic);
      assert.equal(position.committed, 10);
    } finally {
      await admin.close();
      await bus.close();
      await deleteTopics([topic]);
    }
  });

  test('closing a bus whose member waits in a group join returns at once, not after the rebalance', { timeout: 90_000 }, async () => {
    const holder = await open();
    const joiner = await open();
    const topic = `stop-join-${randomUUID().slice(0, 8)}`;
    const groupId = `g-${randomUUID().slice(0, 8)}`;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      await holder.ensureTopics([{ name: topic, partitions: 1 }]);
      await holder.produce(topic, [{ key: 'k', value: 'v' }]);
      let inFlight: () => void = () => {};
      const started = new Promise<void>((resolve) => (inFlight = resolve));
      // The holder keeps a batch in flight, so the rebalance the joiner starts cannot complete.
      const subscription = await holder.consume({
        groupId,
        topics: [topic],
        handler: async () => {
          inFlight();
          await held;
        },
      });
      await started;
      const joining = joiner.consume({ groupId, topics: [topic], handler: async () => {} });
      joining.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2_000)); // its JoinGroup waits for the holder
      const closing = Date.now();
      await joiner.close();
      assert.ok(Date.now() - closing < 10_000, `close took ${Date.now() - closing} ms`);
      release();
      await subscription.stop();
    } finally {
      release();
      await Promise.all([holder.close(), joiner.close()]);
      await deleteTopics([topic]);
    }
  });
});
