/**
 * How the Kafka adapter packs produce calls into requests and maps acknowledged base offsets back
 * to each call's records, in input order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionKey, ProduceQueue } from '../../src/bus/kafka/produce-queue.js';
import type { OutgoingRecord } from '../../src/bus/kafka/records.js';

function records(partitions: number[], size = 100): OutgoingRecord[] {
  return partitions.map((partition) => ({
    partition,
    key: undefined,
    value: Buffer.alloc(0),
    headers: undefined,
    timestamp: 0n,
    size,
  }));
}

const LIMITS = { maxBatchBytes: 1_000, maxRequestBytes: 10_000 };

test('calls waiting together go out in one request, and get their offsets in input order', async () => {
  const queue = new ProduceQueue();
  const a = queue.add('t', records([0, 1, 0]));
  const b = queue.add('t', records([1, 0]));
  const c = queue.add('u', records([0]));
  const planned = queue.take(LIMITS);
  assert.equal(planned.length, 6);
  assert.equal(queue.size, 0);
  queue.acknowledge(
    planned,
    new Map([
      [partitionKey('t', 0), 10],
      [partitionKey('t', 1), 20],
      [partitionKey('u', 0), 0],
    ]),
  );
  assert.deepEqual(await a, [
    { topic: 't', partition: 0, offset: 10 },
    { topic: 't', partition: 1, offset: 20 },
    { topic: 't', partition: 0, offset: 11 },
  ]);
  assert.deepEqual(await b, [
    { topic: 't', partition: 1, offset: 21 },
    { topic: 't', partition: 0, offset: 12 },
  ]);
  assert.deepEqual(await c, [{ topic: 'u', partition: 0, offset: 0 }]);
});

test('a request stops at the first record that would overflow its partition batch', async () => {
  const queue = new ProduceQueue();
  const big = queue.add('t', records([0, 0, 0, 0, 1, 0], 300)); // 4 × 300 > 1000 on partition 0
  const first = queue.take(LIMITS);
  assert.deepEqual(
    first.map((p) => p.index),
    [0, 1, 2],
  );
  queue.acknowledge(first, new Map([[partitionKey('t', 0), 0]]));
  const second = queue.take(LIMITS);
  assert.deepEqual(
    second.map((p) => p.index),
    [3, 4, 5],
  );
  queue.acknowledge(
    second,
    new Map([
      [partitionKey('t', 0), 3],
      [partitionKey('t', 1), 0],
    ]),
  );
  assert.deepEqual(
    (await big).map((p) => `${p.partition}:${p.offset}`),
    ['0:0', '0:1', '0:2', '0:3', '1:0', '0:4'],
  );
});

test('an oversized record still goes out, alone', () => {
  const queue = new ProduceQueue();
  void queue.add('t', records([0], 5_000));
  void queue.add('t', records([0], 10));
  assert.equal(queue.take(LIMITS).length, 1);
  assert.equal(queue.take(LIMITS).length, 1);
  assert.equal(queue.size, 0);
});

test('a failed request rejects its calls, drops their queued records and spares the others', async () => {
  const queue = new ProduceQueue();
  const spanning = queue.add('t', records([0, 0, 0, 0, 0], 300));
  const planned = queue.take(LIMITS); // three records of `spanning`
  const later = queue.add('t', records([1]));
  queue.failRequest(planned, (call) => new Error(`failed ${call.topic}`));
  await assert.rejects(spanning, /failed t/);
  const next = queue.take(LIMITS);
  assert.equal(next.length, 1, 'only the later call remains');
  queue.acknowledge(next, new Map([[partitionKey('t', 1), 7]]));
  assert.deepEqual(await later, [{ topic: 't', partition: 1, offset: 7 }]);
});

test('an empty call resolves at once; failAll rejects what is queued', async () => {
  const queue = new ProduceQueue();
  assert.deepEqual(await queue.add('t', []), []);
  const pending = queue.add('t', records([0]));
  queue.failAll(() => new Error('closed'));
  await assert.rejects(pending, /closed/);
  assert.equal(queue.size, 0);
});

test('expire fails a call, waiting or in flight (saying which); a later acknowledgement skips it; queued bytes follow', async () => {
  const queue = new ProduceQueue();
  let first: any;
  let waiting: any;
  const a = queue.add('t', records([0, 0], 600), (call) => (first = call));
  const b = queue.add('t', records([0], 300), (call) => (waiting = call));
  assert.equal(queue.queuedBytes, 1_500);
  // One record of a fits the partition batch: a is in flight, b waits.
  const planned = queue.take(LIMITS);
  assert.equal(planned.length, 1);
  assert.equal(queue.queuedBytes, 900);
  const late = (inFlight: boolean) => new Error(inFlight ? 'late, in flight' : 'late, unsent');
  assert.equal(queue.expire(waiting, late), true);
  await assert.rejects(b, /late, unsent/);
  assert.equal(queue.queuedBytes, 600, 'b is gone; a’s second record still queued');
  assert.equal(queue.expire(first, late), true, 'a has a record in flight');
  await assert.rejects(a, /late, in flight/);
  assert.equal(queue.queuedBytes, 0, 'a’s queued record is dropped');
  assert.equal(queue.expire(first, late), false, 'already failed');
  queue.acknowledge(planned, new Map([[partitionKey('t', 0), 7]])); // the request succeeds after all: a stays failed
  assert.equal(queue.take(LIMITS).length, 0);
  assert.equal(queue.size, 0);
});
