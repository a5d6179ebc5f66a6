/**
 * The Bus port's contract: every adapter (embedded, Kafka) runs this suite against itself.
 * Tests only what port.ts promises, only through the port. Waits are event-driven (a handler or
 * callback signals progress); the timeouts below are safety nets that turn a hang into a failure.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { partitionForKey } from '../../src/bus/partitioner.js';
import type { Bus, BusRecord, ConsumeOptions, PartitionAssignment, Subscription } from '../../src/bus/port.js';

export interface BusFixture {
  bus: Bus;
  /** Closes the bus and opens it again on the same storage; returns the new instance. */
  reopen?: () => Promise<Bus>;
  cleanup: () => Promise<void>;
}

const TEST_TIMEOUT_MS = 30_000;
const WAIT_TIMEOUT_MS = 15_000;

/** Lets tests await a condition that handlers and callbacks make true, without polling. */
class Progress {
  private readonly checks = new Set<() => void>();

  /** Call after every state change the tests may be waiting on. */
  changed(): void {
    for (const check of [...this.checks]) check();
  }

  until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        this.checks.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.checks.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, WAIT_TIMEOUT_MS);
      this.checks.add(check);
      check();
    });
  }
}

/** Collects what a consumer receives. */
class Received {
  readonly records: BusRecord[] = [];
  readonly batches: BusRecord[][] = [];

  constructor(readonly progress = new Progress()) {}

  readonly handler = async (batch: BusRecord[]): Promise<void> => {
    this.batches.push(batch);
    this.records.push(...batch);
    this.progress.changed();
  };

  count(): number {
    return this.records.length;
  }

  until(count: number): Promise<void> {
    return this.progress.until(() => this.records.length >= count, `${count} records (have ${this.records.length})`);
  }

  byPartition(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const r of this.records) {
      if (!out.has(r.partition)) out.set(r.partition, []);
      out.get(r.partition)!.push(r.offset);
    }
    return out;
  }
}

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A key that lands on the given partition. */
function keyFor(partition: number, partitions: number, salt = 0): string {
  for (let i = salt; ; i++) {
    const key = `key-${i}`;
    if (partitionForKey(key, partitions) === partition) return key;
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function readAll(
  bus: Bus,
  topic: string,
  partition: number,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
): Promise<BusRecord[]> {
  const out: BusRecord[] = [];
  for await (const batch of bus.read(topic, partition, from, to)) out.push(...batch);
  return out;
}

export function busContractSuite(name: string, makeBus: () => Promise<BusFixture>): void {
  /** Runs a test body with a fresh bus and always cleans up, stopping subscriptions first. */
  function busTest(title: string, body: (f: BusFixture & { subscriptions: Subscription[] }) => Promise<void>): void {
    test(title, { timeout: TEST_TIMEOUT_MS }, async () => {
      const fixture = await makeBus();
      const subscriptions: Subscription[] = [];
      try {
        await body({ ...fixture, subscriptions });
      } finally {
        await Promise.allSettled(subscriptions.map((s) => s.stop()));
        await fixture.cleanup();
      }
    });
  }

  async function consume(bus: Bus, subscriptions: Subscription[], options: ConsumeOptions): Promise<Subscription> {
    const subscription = await bus.consume(options);
    subscriptions.push(subscription);
    return subscription;
  }

  describe(`Bus contract: ${name}`, () => {
    busTest(
      'ensureTopics creates topics with their partition count and leaves existing ones alone',
      async ({ bus }) => {
        const topic = unique('topics');
        await bus.ensureTopics([{ name: topic, partitions: 3 }]);
        assert.equal(await bus.partitionCount(topic), 3);
        await bus.ensureTopics([{ name: topic, partitions: 5 }]);
        assert.equal(await bus.partitionCount(topic), 3);
        await bus.ping();
      },
    );

    busTest('a key always lands on partitionForKey(key, partitions)', async ({ bus }) => {
      const topic = unique('keys');
      await bus.ensureTopics([{ name: topic, partitions: 6 }]);
      const keys = range(0, 40).map((i) => `tenant-${i}`);
      const first = await bus.produce(
        topic,
        keys.map((key) => ({ key, value: 'a' })),
      );
      const second = await bus.produce(
        topic,
        keys.map((key) => ({ key, value: 'b' })),
      );
      keys.forEach((key, i) => {
        assert.equal(first[i].partition, partitionForKey(key, 6), key);
        assert.equal(second[i].partition, first[i].partition, key);
        assert.equal(first[i].topic, topic);
      });
      const single = await bus.produce(topic, [{ key: 'tenant-7', value: 'c' }]);
      assert.equal(single[0].partition, partitionForKey('tenant-7', 6));
    });

    busTest('produce returns positions in input order that read back as the produced records', async ({ bus }) => {
      const topic = unique('positions');
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const records = range(0, 60).map((i) => ({
        key: i % 4 === 0 ? null : `k${i % 7}`,
        // Strings of 1-, 2-, 3- and 4-byte UTF-8 characters, and raw bytes.
        value: i % 2 === 0 ? `value-${i} ${['', 'é', '日本', '🙂 emoji'][i % 4]}` : Buffer.from([i, 0, 255, i]),
        headers: i % 3 === 0 ? { seq: String(i), 'content-type': 'text/plain' } : undefined,
        timestamp: 1_700_000_000_000 + i,
      }));
      const positions = await bus.produce(topic, records);
      assert.equal(positions.length, records.length);
      const stored = new Map<string, BusRecord>();
      for (let p = 0; p < 3; p++) for (const r of await readAll(bus, topic, p)) stored.set(`${p}:${r.offset}`, r);
      assert.equal(stored.size, records.length);
      positions.forEach((position, i) => {
        const record = stored.get(`${position.partition}:${position.offset}`);
        assert.ok(record, `record ${i} at ${position.partition}:${position.offset}`);
        const input = records[i];
        assert.equal(record.key, input.key);
        assert.deepEqual(record.value, Buffer.isBuffer(input.value) ? input.value : Buffer.from(input.value));
        assert.deepEqual({ ...record.headers }, input.headers ?? {});
        assert.equal(record.timestamp, input.timestamp);
        assert.equal(record.topic, topic);
        assert.equal(record.partition, position.partition);
      });
      // Within a partition, records of one produce call get increasing offsets in input order.
      for (let p = 0; p < 3; p++) {
        const offsets = positions.filter((x) => x.partition === p).map((x) => x.offset);
        assert.deepEqual(
          offsets,
          [...offsets].sort((a, b) => a - b),
        );
      }
      const before = Date.now();
      const [defaulted] = await bus.produce(topic, [{ key: null, value: 'now' }]);
      const [back] = await readAll(bus, topic, defaulted.partition, defaulted.offset, defaulted.offset + 1);
      assert.ok(back.timestamp >= before - 1000 && back.timestamp <= Date.now() + 1000, 'timestamp defaults to now');
      assert.equal(back.key, null);
    });

    busTest(
      'a consumer receives every record, in offset order per partition, in single-partition batches',
      async ({ bus, subscriptions }) => {
        const topic = unique('order');
        await bus.ensureTopics([{ name: topic, partitions: 4 }]);
        const produced = range(0, 300).map((i) => ({ key: `k${i % 23}`, value: `v${i}` }));
        for (let i = 0; i < produced.length; i += 50) await bus.produce(topic, produced.slice(i, i + 50));
        const received = new Received();
        await consume(bus, subscriptions, {
          groupId: unique('g'),
          topics: [topic],
          handler: received.handler,
          maxBatchRecords: 17,
        });
        await received.until(300);
        for (const batch of received.batches) {
          assert.ok(batch.length >= 1 && batch.length <= 17, `batch of ${batch.length}`);
          assert.ok(batch.every((r) => r.partition === batch[0].partition && r.topic === topic));
        }
        for (const [partition, offsets] of received.byPartition()) {
          const latest = (await bus.partitionBounds(topic, partition)).latest;
          assert.deepEqual(offsets, range(0, latest), `partition ${partition} delivered in order, once`);
        }
        // Per key, values arrive in production order.
        const valuesByKey = new Map<string, string[]>();
        for (const r of received.records) {
          if (!valuesByKey.has(r.key!)) valuesByKey.set(r.key!, []);
          valuesByKey.get(r.key!)!.push(r.value.toString());
        }
        for (const [key, values] of valuesByKey) {
          const expected = produced.filter((p) => p.key === key).map((p) => p.value);
          assert.deepEqual(values, expected, key);
        }
      },
    );

    busTest('a consumer that waits is woken by new records', async ({ bus, subscriptions }) => {
      const topic = unique('wake');
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      const received = new Received();
      await consume(bus, subscriptions, { groupId: unique('g'), topics: [topic], handler: received.handler });
      await bus.produce(topic, [{ key: 'a', value: '1' }]);
      await received.until(1);
      await bus.produce(topic, [
        { key: 'b', value: '2' },
        { key: 'c', value: '3' },
      ]);
      await received.until(3);
      assert.deepEqual(received.records.map((r) => r.value.toString()).sort(), ['1', '2', '3']);
    });

    busTest(
      'members of one group split the partitions and together see every record exactly once',
      async ({ bus, subscriptions }) => {
        const topic = unique('split');
        const partitions = 4;
        await bus.ensureTopics([{ name: topic, partitions }]);
        const groupId = unique('g');
        const progress = new Progress();
        const owned = [new Set<number>(), new Set<number>()];
        const inFlight = new Map<number, number>();
        const violations: string[] = [];
        const delivered: Array<{ member: number; record: BusRecord }> = [];
        const member = (index: number): ConsumeOptions => ({
          groupId,
          topics: [topic],
          maxBatchRecords: 10,
          handler: async (batch) => {
            const p = batch[0].partition;
            if (inFlight.has(p))
              violations.push(`partition ${p} delivered to ${index} while member ${inFlight.get(p)} holds a batch`);
            if (!owned[index].has(p)) violations.push(`member ${index} got partition ${p} it was not assigned`);
            inFlight.set(p, index);
            await new Promise<void>((resolve) => setImmediate(resolve));
            inFlight.delete(p);
            for (const record of batch) delivered.push({ member: index, record });
            progress.changed();
          },
          onAssigned: async (assigned: PartitionAssignment[]) => {
            for (const a of assigned) owned[index].add(a.partition);
            progress.changed();
          },
          onRevoked: async (revoked) => {
            for (const r of revoked) owned[index].delete(r.partition);
            progress.changed();
          },
        });
        await consume(bus, subscriptions, member(0));
        await consume(bus, subscriptions, member(1));
        await progress.until(
          () => owned[0].size > 0 && owned[1].size > 0 && owned[0].size + owned[1].size === partitions,
          'both members to own partitions',
        );
        for (const p of owned[0]) assert.ok(!owned[1].has(p), `partition ${p} owned twice`);

        const total = 400;
        const records = range(0, total).map((i) => ({ key: `k${i}`, value: `v${i}` }));
        for (let i = 0; i < total; i += 100) await bus.produce(topic, records.slice(i, i + 100));
        await progress.until(() => delivered.length >= total, `${total} deliveries`);
        assert.deepEqual(violations, []);
        assert.equal(delivered.length, total);
        const seen = new Set(delivered.map((d) => `${d.record.partition}:${d.record.offset}`));
        assert.equal(seen.size, total, 'no record delivered twice');
        assert.ok(new Set(delivered.map((d) => d.member)).size === 2, 'both members received records');
      },
    );

    busTest(
      'when a member stops, the others take over its partitions without losing records',
      async ({ bus, subscriptions }) => {
        const topic = unique('handover');
        await bus.ensureTopics([{ name: topic, partitions: 4 }]);
        const groupId = unique('g');
        const progress = new Progress();
        const processed = new Map<string, number>();
        const revokedFromFirst: number[] = [];
        const handler = async (batch: BusRecord[]): Promise<void> => {
          for (const r of batch)
            processed.set(`${r.partition}:${r.offset}`, (processed.get(`${r.partition}:${r.offset}`) ?? 0) + 1);
          progress.changed();
        };
        const first = await consume(bus, subscriptions, {
          groupId,
          topics: [topic],
          handler,
          onRevoked: async (revoked) => {
            revokedFromFirst.push(...revoked.map((r) => r.partition));
          },
        });
        await consume(bus, subscriptions, { groupId, topics: [topic], handler });
        await bus.produce(
          topic,
          range(0, 100).map((i) => ({ key: `a${i}`, value: String(i) })),
        );
        await progress.until(() => processed.size >= 100, '100 records');
        await first.stop();
        assert.ok(revokedFromFirst.length > 0, 'onRevoked called for the stopped member');
        await bus.produce(
          topic,
          range(0, 100).map((i) => ({ key: `b${i}`, value: String(i) })),
        );
        await progress.until(() => processed.size >= 200, '200 records');
        assert.equal(processed.size, 200);
        assert.ok(
          [...processed.values()].every((n) => n === 1),
          'every record processed once',
        );
      },
    );

    busTest(
      'a partition moves to a joining member only after its in-flight batch finished and onRevoked ran',
      async ({ bus, subscriptions }) => {
        const topic = unique('rebalance');
        await bus.ensureTopics([{ name: topic, partitions: 2 }]);
        const groupId = unique('g');
        const keys = [keyFor(0, 2), keyFor(1, 2)];
        await bus.produce(
          topic,
          range(0, 20).map((i) => ({ key: keys[i % 2], value: String(i) })),
        );
        const events: string[] = [];
        const progress = new Progress();
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const log = (event: string): void => {
          events.push(event);
          progress.changed();
        };
        await consume(bus, subscriptions, {
          groupId,
          topics: [topic],
          maxBatchRecords: 5,
          handler: async (batch) => {
            log(`A start ${batch[0].partition}`);
            await gate;
            log(`A end ${batch[0].partition}`);
          },
          onRevoked: async (revoked) => revoked.forEach((r) => log(`A revoked ${r.partition}`)),
        });
        await progress.until(
          () => events.filter((e) => e.startsWith('A start')).length === 2,
          'A to hold a batch of both partitions',
        );

        const joining = consume(bus, subscriptions, {
          groupId,
          topics: [topic],
          handler: async (batch) => log(`B start ${batch[0].partition}`),
          onAssigned: async (assigned) => assigned.forEach((a) => log(`B assigned ${a.partition}`)),
        });
        // Give a wrong implementation time to hand a busy partition over; a right one just waits.
        await new Promise((resolve) => setTimeout(resolve, 50));
        release();
        await joining;
        await progress.until(() => events.some((e) => e.startsWith('B assigned')), 'B to get a partition');
        const moved = Number(events.find((e) => e.startsWith('B assigned'))!.split(' ')[2]);
        await bus.produce(
          topic,
          range(0, 5).map(() => ({ key: keys[moved], value: 'after' })),
        );
        await progress.until(() => events.includes(`B start ${moved}`), 'B to receive the moved partition');
        const at = (event: string): number => events.indexOf(event);
        const lastAEnd = events.lastIndexOf(`A end ${moved}`);
        assert.ok(
          lastAEnd >= 0 && lastAEnd < at(`A revoked ${moved}`),
          `A finished its batch before revocation: ${events}`,
        );
        assert.ok(at(`A revoked ${moved}`) < at(`B assigned ${moved}`), `revoked before reassigned: ${events}`);
        assert.ok(at(`B assigned ${moved}`) < at(`B start ${moved}`), `assigned before delivery: ${events}`);
        assert.ok(events.lastIndexOf(`A start ${moved}`) < at(`A revoked ${moved}`), 'A got nothing after revocation');
      },
    );

    busTest('a rejected batch is redelivered and nothing is skipped', async ({ bus, subscriptions }) => {
      const topic = unique('retry');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.produce(
        topic,
        range(0, 30).map((i) => ({ key: null, value: String(i) })),
      );
      const progress = new Progress();
      const attempts: number[][] = [];
      const processed: number[] = [];
      let failures = 0;
      await consume(bus, subscriptions, {
        groupId: unique('g'),
        topics: [topic],
        maxBatchRecords: 5,
        handler: async (batch) => {
          attempts.push(batch.map((r) => r.offset));
          progress.changed();
          if (batch.some((r) => r.offset === 12) && failures < 2) {
            failures++;
            throw new Error('simulated handler failure');
          }
          processed.push(...batch.map((r) => r.offset));
          progress.changed();
        },
      });
      await progress.until(() => processed.length >= 30, '30 processed records');
      assert.equal(failures, 2);
      assert.deepEqual(processed, range(0, 30), 'every record processed once, in order');
      const withTwelve = attempts.filter((a) => a.includes(12));
      assert.equal(withTwelve.length, 3, 'the failing batch was delivered again twice');
      assert.equal(withTwelve[1][0], withTwelve[0][0], 'redelivery starts where the failed batch started');
    });

    busTest(
      'offsets are committed only after processing: a restarted group resumes at the first unprocessed record',
      async ({ bus, subscriptions }) => {
        const topic = unique('commit');
        await bus.ensureTopics([{ name: topic, partitions: 1 }]);
        await bus.produce(
          topic,
          range(0, 100).map((i) => ({ key: null, value: String(i) })),
        );
        const groupId = unique('g');
        const progress = new Progress();
        const processedFirst: number[] = [];
        let stopping: Promise<void> | null = null;
        const subscription: Promise<Subscription> = consume(bus, subscriptions, {
          groupId,
          topics: [topic],
          maxBatchRecords: 10,
          handler: async (batch) => {
            if (batch[batch.length - 1].offset >= 50) {
              // Stop mid-stream (without awaiting the stop inside the handler, which would wait for
              // this very batch): this batch fails, so it must not be committed.
              const sub = await subscription;
              stopping ??= sub.stop();
              progress.changed();
              throw new Error('stopping');
            }
            processedFirst.push(...batch.map((r) => r.offset));
          },
        });
        await subscription;
        await progress.until(() => stopping !== null, 'the consumer to reach offset 50');
        await stopping;
        const [position] = await bus.groupPositions(groupId, topic);
        const committed = position.committed;
        assert.ok(committed > 0 && committed <= 50, `committed ${committed}`);
        assert.deepEqual(processedFirst, range(0, committed), 'committed exactly what was processed');

        const second = new Received();
        await consume(bus, subscriptions, { groupId, topics: [topic], handler: second.handler });
        await second.until(100 - committed);
        assert.deepEqual(
          second.records.map((r) => r.offset),
          range(committed, 100),
          'uncommitted records redelivered, committed ones not',
        );
      },
    );

    busTest('a second group reads the topic independently of the first', async ({ bus, subscriptions }) => {
      const topic = unique('groups');
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      await bus.produce(
        topic,
        range(0, 40).map((i) => ({ key: `k${i}`, value: String(i) })),
      );
      const a = new Received();
      const groupA = unique('a');
      await consume(bus, subscriptions, { groupId: groupA, topics: [topic], handler: a.handler });
      await a.until(40);
      const b = new Received();
      const groupB = unique('b');
      await consume(bus, subscriptions, { groupId: groupB, topics: [topic], handler: b.handler });
      await b.until(40);
      const ids = (r: Received): string[] => r.records.map((x) => `${x.partition}:${x.offset}`).sort();
      assert.deepEqual(ids(b), ids(a));
      assert.equal(new Set(ids(a)).size, 40);
    });

    busTest("resetTo 'latest' starts a new group at the log end", async ({ bus, subscriptions }) => {
      const topic = unique('latest');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      await bus.produce(
        topic,
        range(0, 10).map((i) => ({ key: null, value: `old-${i}` })),
      );
      const progress = new Progress();
      const received = new Received(progress);
      let assigned: PartitionAssignment[] = [];
      await consume(bus, subscriptions, {
        groupId: unique('g'),
        topics: [topic],
        resetTo: 'latest',
        handler: received.handler,
        onAssigned: async (a) => {
          assigned = a;
          progress.changed();
        },
      });
      await progress.until(() => assigned.length === 1, 'assignment');
      assert.equal(assigned[0].position, 10);
      await bus.produce(topic, [{ key: null, value: 'new' }]);
      await received.until(1);
      assert.deepEqual(
        received.records.map((r) => r.value.toString()),
        ['new'],
      );
    });

    busTest(
      'onAssigned gives each partition its resume position before any of its records',
      async ({ bus, subscriptions }) => {
        const topic = unique('assigned');
        await bus.ensureTopics([{ name: topic, partitions: 2 }]);
        const groupId = unique('g');
        const k0 = keyFor(0, 2);
        const k1 = keyFor(1, 2);
        await bus.produce(
          topic,
          range(0, 6).map((i) => ({ key: i % 2 ? k1 : k0, value: String(i) })),
        );
        const first = new Received();
        const sub = await consume(bus, subscriptions, { groupId, topics: [topic], handler: first.handler });
        await first.until(6);
        await sub.stop();
        await bus.produce(topic, [{ key: k0, value: 'x' }]);

        const events: string[] = [];
        const progress = new Progress();
        const positions = new Map<number, number>();
        await consume(bus, subscriptions, {
          groupId,
          topics: [topic],
          handler: async (batch) => {
            events.push(`batch:${batch[0].partition}`);
            progress.changed();
          },
          onAssigned: async (assigned) => {
            for (const a of assigned) {
              assert.equal(a.topic, topic);
              positions.set(a.partition, a.position);
              events.push(`assigned:${a.partition}`);
            }
          },
        });
        await progress.until(() => events.includes('batch:0'), 'the new record');
        assert.deepEqual([...positions.entries()].sort(), [
          [0, 3],
          [1, 3],
        ]);
        assert.ok(events.indexOf('assigned:0') < events.indexOf('batch:0'));
      },
    );

    busTest('seekGroupToTimestamp rewinds a stopped group and a running one', async ({ bus, subscriptions }) => {
      const topic = unique('seek');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const t0 = 1_700_000_000_000;
      await bus.produce(
        topic,
        range(0, 40).map((i) => ({ key: null, value: String(i), timestamp: t0 + i * 1000 })),
      );
      const groupId = unique('g');
      const first = new Received();
      const sub = await consume(bus, subscriptions, { groupId, topics: [topic], handler: first.handler });
      await first.until(40);
      await sub.stop();
      assert.equal((await bus.groupPositions(groupId, topic))[0].committed, 40);

      await bus.seekGroupToTimestamp(groupId, topic, t0 + 25_500);
      assert.equal((await bus.groupPositions(groupId, topic))[0].committed, 26);
      const second = new Received();
      await consume(bus, subscriptions, { groupId, topics: [topic], handler: second.handler });
      await second.until(14);
      assert.deepEqual(
        second.records.map((r) => r.offset),
        range(26, 40),
      );

      // The running member picks the new position up at once.
      await bus.seekGroupToTimestamp(groupId, topic, t0 + 35_000);
      await second.until(14 + 5);
      assert.deepEqual(
        second.records.slice(14).map((r) => r.offset),
        range(35, 40),
      );

      // A timestamp after every record moves the group to the log end.
      await bus.seekGroupToTimestamp(groupId, topic, t0 + 10_000_000);
      const positions = await bus.groupPositions(groupId, topic);
      assert.equal(positions[0].committed, 40);
    });

    busTest('groupPositions reports committed, latest and exact lag per partition', async ({ bus, subscriptions }) => {
      const topic = unique('lag');
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      const groupId = unique('g');
      const k0 = keyFor(0, 2);
      const k1 = keyFor(1, 2);
      await bus.produce(topic, [
        ...range(0, 10).map(() => ({ key: k0, value: 'p0' })),
        ...range(0, 5).map(() => ({ key: k1, value: 'p1' })),
      ]);
      assert.deepEqual(await bus.groupPositions(groupId, topic), [
        { partition: 0, committed: -1, latest: 10, lag: 10 },
        { partition: 1, committed: -1, latest: 5, lag: 5 },
      ]);
      const received = new Received();
      const sub = await consume(bus, subscriptions, { groupId, topics: [topic], handler: received.handler });
      await received.until(15);
      await sub.stop();
      assert.deepEqual(await bus.groupPositions(groupId, topic), [
        { partition: 0, committed: 10, latest: 10, lag: 0 },
        { partition: 1, committed: 5, latest: 5, lag: 0 },
      ]);
      await bus.produce(
        topic,
        range(0, 3).map(() => ({ key: k0, value: 'more' })),
      );
      assert.deepEqual(await bus.groupPositions(groupId, topic), [
        { partition: 0, committed: 10, latest: 13, lag: 3 },
        { partition: 1, committed: 5, latest: 5, lag: 0 },
      ]);
    });

    busTest('read returns exactly the requested range, in batches, capped at the log end', async ({ bus }) => {
      const topic = unique('read');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      for (let i = 0; i < 5; i++) {
        await bus.produce(
          topic,
          range(i * 300, (i + 1) * 300).map((n) => ({ key: null, value: `v${n}` })),
        );
      }
      const slice = await readAll(bus, topic, 0, 10, 20);
      assert.deepEqual(
        slice.map((r) => r.offset),
        range(10, 20),
      );
      assert.deepEqual(
        slice.map((r) => r.value.toString()),
        range(10, 20).map((n) => `v${n}`),
      );
      const all = await readAll(bus, topic, 0, 0, 1_000_000);
      assert.deepEqual(
        all.map((r) => r.offset),
        range(0, 1500),
      );
      assert.deepEqual(await readAll(bus, topic, 0, 700, 700), []);
      assert.deepEqual(await readAll(bus, topic, 0, 1500, 1600), []);
      let batches = 0;
      let last = -1;
      for await (const batch of bus.read(topic, 0, 100, 1400)) {
        batches++;
        assert.ok(batch.length > 0);
        for (const r of batch) {
          assert.equal(r.offset, last === -1 ? 100 : last + 1);
          last = r.offset;
        }
      }
      assert.equal(last, 1399);
      assert.ok(batches >= 1);
    });

    busTest('offsetForTimestamp finds the first record at or after a time, else the log end', async ({ bus }) => {
      const topic = unique('time');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const t0 = 1_700_000_000_000;
      await bus.produce(
        topic,
        range(0, 100).map((i) => ({ key: null, value: String(i), timestamp: t0 + i * 10 })),
      );
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 - 5000), 0);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0), 0);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 + 1), 1);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 + 550), 55);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 + 555), 56);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 + 990), 99);
      assert.equal(await bus.offsetForTimestamp(topic, 0, t0 + 991), 100);
    });

    busTest('partitionBounds tracks the earliest and latest offsets', async ({ bus }) => {
      const topic = unique('bounds');
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      assert.deepEqual(await bus.partitionBounds(topic, 0), { earliest: 0, latest: 0 });
      const k1 = keyFor(1, 2);
      await bus.produce(
        topic,
        range(0, 7).map(() => ({ key: k1, value: 'x' })),
      );
      assert.deepEqual(await bus.partitionBounds(topic, 1), { earliest: 0, latest: 7 });
      assert.deepEqual(await bus.partitionBounds(topic, 0), { earliest: 0, latest: 0 });
    });

    busTest('concurrent produce calls succeed or fail each on its own', async ({ bus }) => {
      const topic = unique('concurrent');
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const missing = unique('missing');
      // Issued in the same tick, as many HTTP requests are under load: an adapter may batch them.
      const calls = [
        bus.produce(topic, [{ key: 'a', value: 'first' }]),
        bus.produce(missing, [{ key: 'b', value: 'lost' }]),
        bus.produce(topic, [
          { key: 'c', value: 'second' },
          { key: 'd', value: 'third' },
        ]),
      ];
      const [first, failed, rest] = await Promise.allSettled(calls);
      assert.equal(failed.status, 'rejected');
      assert.match(String((failed as PromiseRejectedResult).reason), new RegExp(missing));
      assert.equal(first.status, 'fulfilled');
      assert.equal(rest.status, 'fulfilled');
      const offsets = [
        ...(first as PromiseFulfilledResult<Array<{ offset: number }>>).value,
        ...(rest as PromiseFulfilledResult<Array<{ offset: number }>>).value,
      ].map((p) => p.offset);
      assert.deepEqual(
        offsets.sort((a, b) => a - b),
        [0, 1, 2],
      );
      const stored: string[] = [];
      for await (const batch of bus.read(topic, 0, 0, 10)) stored.push(...batch.map((r) => r.value.toString()));
      assert.deepEqual(stored.sort(), ['first', 'second', 'third']);
    });

    busTest('bad input is rejected with errors that name the topic or partition', async ({ bus }) => {
      const topic = unique('valid');
      await bus.ensureTopics([{ name: topic, partitions: 2 }]);
      const missing = unique('missing');
      await assert.rejects(bus.produce(missing, [{ key: null, value: 'x' }]), new RegExp(missing));
      await assert.rejects(bus.partitionCount(missing), new RegExp(missing));
      await assert.rejects(bus.partitionBounds(missing, 0), new RegExp(missing));
      await assert.rejects(bus.offsetForTimestamp(missing, 0, 0), new RegExp(missing));
      await assert.rejects(bus.groupPositions('g', missing), new RegExp(missing));
      await assert.rejects(bus.seekGroupToTimestamp('g', missing, 0), new RegExp(missing));
      await assert.rejects(
        bus.consume({ groupId: 'g', topics: [missing], handler: async () => {} }),
        new RegExp(missing),
      );
      await assert.rejects(async () => {
        for await (const _ of bus.read(missing, 0, 0, 10)) void _;
      }, new RegExp(missing));
      await assert.rejects(bus.partitionBounds(topic, 2), /partition.*2|2.*partition/i);
      await assert.rejects(bus.offsetForTimestamp(topic, -1, 0), /partition.*-1|-1.*partition/i);
      await assert.rejects(async () => {
        for await (const _ of bus.read(topic, 9, 0, 10)) void _;
      }, /partition.*9|9.*partition/i);
      // The bus keeps working after bad input.
      const [position] = await bus.produce(topic, [{ key: 'ok', value: 'fine' }]);
      assert.equal(position.offset, 0);
      await bus.ping();
    });

    busTest('reopening keeps records and committed offsets', async ({ bus: initial, reopen, subscriptions }) => {
      if (!reopen) return;
      const topic = unique('reopen');
      await initial.ensureTopics([{ name: topic, partitions: 2 }]);
      const produced = await initial.produce(
        topic,
        range(0, 50).map((i) => ({ key: `k${i}`, value: `v${i}`, headers: { i: String(i) } })),
      );
      const groupId = unique('g');
      const received = new Received();
      const sub = await consume(initial, subscriptions, { groupId, topics: [topic], handler: received.handler });
      await received.until(50);
      await sub.stop();
      await initial.produce(
        topic,
        range(50, 60).map((i) => ({ key: `k${i}`, value: `v${i}` })),
      );
      const committedBefore = await initial.groupPositions(groupId, topic);

      const bus = await reopen();
      assert.equal(await bus.partitionCount(topic), 2);
      assert.deepEqual(await bus.groupPositions(groupId, topic), committedBefore);
      for (const position of produced) {
        const [record] = await readAll(bus, topic, position.partition, position.offset, position.offset + 1);
        const i = produced.indexOf(position);
        assert.equal(record.value.toString(), `v${i}`);
        assert.deepEqual({ ...record.headers }, { i: String(i) });
      }
      const resumed = new Received();
      await consume(bus, subscriptions, { groupId, topics: [topic], handler: resumed.handler });
      await resumed.until(10);
      assert.deepEqual(
        resumed.records.map((r) => r.value.toString()).sort(),
        range(50, 60)
          .map((i) => `v${i}`)
          .sort(),
      );
      const [next] = await bus.produce(topic, [{ key: 'k0', value: 'after reopen' }]);
      const bounds = await bus.partitionBounds(topic, next.partition);
      assert.equal(bounds.latest, next.offset + 1);
    });
  });
}
