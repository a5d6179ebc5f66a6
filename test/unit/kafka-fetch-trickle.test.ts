/** The Kafka adapter's fetch after a trickle: which settings the next fetch uses, and the options. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FetchResult } from '../../src/bus/kafka/fetch.js';
import { fetchSettings, isTrickle } from '../../src/bus/kafka/member-fetcher.js';
import { resolveKafkaOptions } from '../../src/bus/kafka/options.js';
import type { BusRecord } from '../../src/bus/port.js';

function result(...sizes: number[]): FetchResult {
  const records = sizes.map(
    (size, offset): BusRecord => ({ topic: 't', partition: 0, offset, key: null, value: Buffer.alloc(size), headers: {}, timestamp: 0 }),
  );
  return { records, next: sizes.length, highWatermark: sizes.length, logStartOffset: 0 };
}

const options = resolveKafkaOptions({ brokers: ['127.0.0.1:9092'], clientId: 'test' });

test('defaults: after a trickle wait up to 25 ms for 128 KiB; otherwise long-poll 500 ms for any record', () => {
  assert.deepEqual(fetchSettings(false, options), { maxWaitMs: 500, maxBytesPerPartition: 1024 * 1024, minBytes: 1 });
  assert.deepEqual(fetchSettings(true, options), { maxWaitMs: 25, maxBytesPerPartition: 1024 * 1024, minBytes: 128 * 1024 });
});

test('fetchTrickleMaxWaitMs 0 turns the wait off', () => {
  const off = resolveKafkaOptions({ brokers: ['127.0.0.1:9092'], clientId: 'test', fetchTrickleMaxWaitMs: 0 });
  assert.deepEqual(fetchSettings(true, off), fetchSettings(false, off));
});

test('a trickle is some records with fewer value bytes than the minimum, over all partitions of the fetch', () => {
  assert.equal(isTrickle([], 100), false, 'nothing came: a quiet spell, not a trickle (the next record must come at once)');
  assert.equal(isTrickle([result(), result()], 100), false);
  assert.equal(isTrickle([result(10, 20)], 100), true);
  assert.equal(isTrickle([result(60), result(39)], 100), true);
  assert.equal(isTrickle([result(60), result(40)], 100), false, 'exactly the minimum is enough');
  assert.equal(isTrickle([result(500)], 100), false);
});

test('the options are checked, naming the bad one', () => {
  const base = { brokers: ['127.0.0.1:9092'], clientId: 'test' };
  assert.throws(() => resolveKafkaOptions({ ...base, fetchTrickleMaxWaitMs: -1 }), /option fetchTrickleMaxWaitMs must be an integer ≥ 0/);
  assert.throws(() => resolveKafkaOptions({ ...base, fetchTrickleMaxWaitMs: 2.5 }), /option fetchTrickleMaxWaitMs/);
  assert.throws(() => resolveKafkaOptions({ ...base, fetchTrickleMinBytes: 0 }), /option fetchTrickleMinBytes must be an integer ≥ 1/);
  // A longer wait than the long poll would outlast the fetch client's request timeout.
  assert.throws(() => resolveKafkaOptions({ ...base, fetchTrickleMaxWaitMs: 501 }), /fetchTrickleMaxWaitMs \(501\) must be at most fetchMaxWaitMs \(500\)/);
  assert.doesNotThrow(() => resolveKafkaOptions({ ...base, fetchTrickleMaxWaitMs: 500 }));
  // A minimum the broker may never count up to would make every fetch wait.
  assert.throws(
    () => resolveKafkaOptions({ ...base, fetchMaxBytesPerPartition: 64 * 1024, fetchTrickleMinBytes: 128 * 1024 }),
    /fetchTrickleMinBytes \(131072\) must be at most fetchMaxBytesPerPartition \(65536\)/,
  );
  // Left unset, the defaults follow smaller limits instead of failing.
  const small = resolveKafkaOptions({ ...base, fetchMaxBytesPerPartition: 64 * 1024, fetchMaxWaitMs: 10 });
  assert.equal(small.fetchTrickleMinBytes, 64 * 1024);
  assert.equal(small.fetchTrickleMaxWaitMs, 10);
});
