/** The Kafka adapter's partition worker: delivery order and what an out-of-range reset keeps. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionWorker } from '../../src/bus/kafka/partition-worker.js';
import type { BusRecord } from '../../src/bus/port.js';

function record(offset: number): BusRecord {
  return { topic: 't', partition: 0, offset, key: null, value: Buffer.from(String(offset)), headers: {}, timestamp: 0 };
}

function worker(delivered: number[][], commits: number[]) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const w = new PartitionWorker('t', 0, 'id', 10, {
    groupId: 'g',
    handler: async (batch) => {
      delivered.push(batch.map((r) => r.offset));
      await gate; // the first batch stays in flight until released
    },
    maxBatchRecords: 3,
    prefetchRecords: 100,
    backoff: { initialMs: 1, maxMs: 1 },
    commit: (_topic, _partition, offset) => commits.push(offset),
    wantsData: () => {},
    onWarning: () => {},
  });
  return { w, release };
}

test('an out-of-range reset keeps the buffered records below the new position and the in-flight commit', async () => {
  const delivered: number[][] = [];
  const commits: number[] = [];
  const { w, release } = worker(delivered, commits);
  w.onFetched(w.currentEpoch, 10, { records: [10, 11, 12, 13, 14, 15].map(record), next: 16, highWatermark: 16, logStartOffset: 0 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(delivered, [[10, 11, 12]]);
  // The log was truncated to 15 (e.g. an unclean leader election): fetching resumes there.
  w.resetFetchPosition(15, { epoch: w.currentEpoch, from: 16 });
  assert.equal(w.fetchPosition(), 15);
  release();
  for (let i = 0; i < 20 && commits.length < 2; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(delivered, [
    [10, 11, 12],
    [13, 14],
  ]);
  assert.deepEqual(commits, [13, 15], 'the in-flight batch commits, the buffered ones are delivered, 15 is gone');
  await w.stop();
});

test('an out-of-range reset is ignored once the worker moved from where that fetch asked', async () => {
  const delivered: number[][] = [];
  const commits: number[] = [];
  const { w, release } = worker(delivered, commits);
  // The fetch at 10 found 10 outside the log; meanwhile a seek moved the worker to 500.
  const asked = { epoch: w.currentEpoch, from: 10 };
  w.moveTo(500);
  w.resetFetchPosition(3, asked);
  assert.equal(w.fetchPosition(), 500, 'the seek stands');
  // Asked at the worker's current epoch and position, the reset applies.
  w.resetFetchPosition(520, { epoch: w.currentEpoch, from: 500 });
  assert.equal(w.fetchPosition(), 520);
  // Another fetch at the old position, answered late, changes nothing: the position was reset.
  w.resetFetchPosition(510, { epoch: w.currentEpoch, from: 500 });
  assert.equal(w.fetchPosition(), 520);
  release();
  await w.stop();
  assert.deepEqual(delivered, []);
});
