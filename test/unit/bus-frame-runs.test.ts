/**
 * Batches as frames (src/bus/embedded/frame-run.ts): the record cache keeps the frames it was given
 * and slices them across flush chunks; a slice decodes, and crosses threads (thread/protocol.ts),
 * to exactly the records that were encoded; a partition log serves the same records from its
 * cache and from its segment files.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeRun, runBytes } from '../../src/bus/embedded/frame-run.js';
import { PartitionLog } from '../../src/bus/embedded/partition-log.js';
import { RecordCache } from '../../src/bus/embedded/record-cache.js';
import { encodeFrames } from '../../src/bus/embedded/record-codec.js';
import { prepareRecord } from '../../src/bus/embedded/validation.js';
import type { ProduceRecord } from '../../src/bus/port.js';
import { packFrames, unpackFrames } from '../../src/bus/thread/protocol.js';

const TOPIC = 'raw-logs';
const PARTITION = 3;

function recordAt(offset: number): ProduceRecord {
  return {
    key: offset % 4 === 0 ? null : `tenant-${offset % 3}-ж`,
    value: offset % 5 === 0 ? Buffer.from([0, 255, offset & 0xff]) : `{"n":${offset},"text":"${'€'.repeat(offset % 7)}"}`,
    headers: offset % 2 === 0 ? { 'x-first': '1', other: 'ü' } : undefined,
    timestamp: 1_700_000_000_000 + offset,
  };
}

/** One flush: the frames of offsets [first, first + count), as PartitionLog.writeBatch makes them. */
function flush(first: number, count: number): { data: Buffer; ends: Uint32Array } {
  const prepared = Array.from({ length: count }, (_, i) => prepareRecord(TOPIC, i, recordAt(first + i), 0, 1 << 20));
  const data = Buffer.alloc(prepared.reduce((sum, p) => sum + p.size, 0));
  const ends = new Uint32Array(count);
  const end = encodeFrames(data, 0, first, prepared, ends, 0);
  assert.equal(end, data.length);
  return { data, ends };
}

function assertRecords(records: ReturnType<typeof decodeRun>, from: number, count: number): void {
  assert.equal(records.length, count);
  records.forEach((record, i) => {
    const offset = from + i;
    const expected = recordAt(offset);
    assert.equal(record.offset, offset);
    assert.equal(record.topic, TOPIC);
    assert.equal(record.partition, PARTITION);
    assert.equal(record.key, expected.key, `key of ${offset}`);
    assert.equal(record.timestamp, expected.timestamp);
    assert.deepEqual({ ...record.headers }, expected.headers ?? {}, `headers of ${offset}`);
    const bytes = typeof expected.value === 'string' ? Buffer.from(expected.value) : expected.value;
    assert.deepEqual(Buffer.from(record.value), Buffer.from(bytes), `value of ${offset}`);
  });
}

function filledCache(maxBytes = 1 << 20): RecordCache {
  const cache = new RecordCache(maxBytes, 100);
  // Flushes of 1, 5 and 30 records: offsets 100 … 135.
  for (const [first, count] of [
    [100, 1],
    [101, 5],
    [106, 30],
  ]) {
    const { data, ends } = flush(first, count);
    cache.append(first, data, ends);
  }
  return cache;
}

test('a slice across flush chunks decodes to the records at those offsets, in order', () => {
  const cache = filledCache();
  assert.equal(cache.startOffset, 100);
  for (const [from, max, expected] of [
    [100, 1000, 36],
    [100, 1, 1],
    [102, 6, 6], // inside the second chunk and into the third
    [105, 2, 2], // last of the second, first of the third
    [135, 10, 1],
  ]) {
    const run = cache.slice(from, max);
    assert.equal(run.count, expected, `slice(${from}, ${max})`);
    assert.equal(run.firstOffset, from);
    assert.equal(run.lastOffset, from + expected - 1);
    assertRecords(decodeRun(run, TOPIC, PARTITION), from, expected);
  }
});

test('nothing is sliced at or past the end, or for no records', () => {
  const cache = filledCache();
  assert.equal(cache.slice(136, 10).count, 0);
  assert.equal(cache.slice(100, 0).count, 0);
  assert.deepEqual(decodeRun(cache.slice(500, 10), TOPIC, PARTITION), []);
});

test('the oldest chunks go once the byte budget is exceeded; the newest always stays', () => {
  const cache = filledCache(1);
  assert.equal(cache.startOffset, 106);
  assertRecords(decodeRun(cache.slice(106, 100), TOPIC, PARTITION), 106, 30);
});

test('frames cross threads in one buffer and decode there to the same records', () => {
  const cache = filledCache();
  const run = cache.slice(103, 20);
  const packed = packFrames(run, TOPIC, PARTITION);
  assert.equal(packed.data.byteLength, runBytes(run));
  const copy = structuredClone(packed, { transfer: [packed.data] });
  assertRecords(unpackFrames(copy), 103, 20);
  // The cache's own frames are untouched by the transfer (it moved a copy).
  assertRecords(decodeRun(cache.slice(103, 20), TOPIC, PARTITION), 103, 20);
});

test('records repeating the previous key or headers share its string and frozen headers; others get their own', () => {
  const cache = new RecordCache(1 << 20, 0);
  const shapes: Array<Pick<ProduceRecord, 'key' | 'headers'>> = [
    { key: 'tenant-a', headers: { first: '1' } },
    { key: 'tenant-a', headers: { first: '1' } },
    { key: 'tenant-b', headers: { first: '1' } },
    { key: 'tenant-b', headers: { first: '2' } },
    { key: 'tenant-b' },
    { key: null, headers: { first: '2' } },
    { key: 'tenant-bb', headers: { first: '2', second: 'x' } },
  ];
  const prepared = shapes.map((r, i) => prepareRecord(TOPIC, i, { ...r, value: `v${i}`, timestamp: i }, 0, 1 << 20));
  const data = Buffer.alloc(prepared.reduce((sum, p) => sum + p.size, 0));
  const ends = new Uint32Array(prepared.length);
  encodeFrames(data, 0, 0, prepared, ends, 0);
  cache.append(0, data, ends);
  const records = decodeRun(cache.slice(0, 100), TOPIC, PARTITION);
  assert.deepEqual(
    records.map((r) => [r.key, { ...r.headers }, r.value.toString()]),
    [
      ['tenant-a', { first: '1' }, 'v0'],
      ['tenant-a', { first: '1' }, 'v1'],
      ['tenant-b', { first: '1' }, 'v2'],
      ['tenant-b', { first: '2' }, 'v3'],
      ['tenant-b', {}, 'v4'],
      [null, { first: '2' }, 'v5'],
      ['tenant-bb', { first: '2', second: 'x' }, 'v6'],
    ],
  );
  assert.equal(records[1].headers, records[0].headers);
  assert.equal(records[2].headers, records[1].headers);
  assert.notEqual(records[3].headers, records[2].headers);
  assert.ok(Object.isFrozen(records[0].headers));
  assert.throws(() => {
    (records[0].headers as Record<string, string>).first = 'changed';
  }, TypeError);
});

/** A partition log in a fresh folder, with `flushes` appended (one group-commit flush each). */
async function partitionLog(cacheBytes: number, flushes: number[]): Promise<{ log: PartitionLog; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'log0-frames-'));
  const log = await PartitionLog.open({
    dir,
    topic: TOPIC,
    partition: PARTITION,
    segmentBytes: 16 * 1024, // several segments: reads cross segment files
    segmentMaxAgeMs: 3_600_000,
    cacheBytes,
    maxFlushBytes: 1 << 20,
    onWarning: () => {},
  });
  let offset = 0;
  for (const count of flushes) {
    const records = Array.from({ length: count }, (_, i) => prepareRecord(TOPIC, i, recordAt(offset + i), 0, 1 << 20));
    const first = await new Promise<number>((resolve, reject) =>
      log.append({ records, bytes: records.reduce((sum, r) => sum + r.size, 0), onDurable: resolve, onFailure: reject }),
    );
    assert.equal(first, offset, 'an append learns the offset of its first record');
    offset += count;
  }
  return { log, dir };
}

test('a partition log serves the same records from its cache and from its segment files, from any offset', async () => {
  const flushes = [1, 40, 7, 300, 2, 120];
  const total = flushes.reduce((a, b) => a + b, 0);
  for (const cacheBytes of [1 << 20, 0]) {
    const { log, dir } = await partitionLog(cacheBytes, flushes);
    try {
      for (const [from, max] of [
        [0, 10_000],
        [1, 5],
        [40, 9], // across flushes
        [41, 1],
        [47, 300],
        [total - 1, 10],
      ]) {
        const run = await log.fetchFrames(from, max);
        const expected = Math.min(max, total - from);
        assert.equal(run.count, expected, `cache ${cacheBytes}: fetchFrames(${from}, ${max})`);
        assert.equal(run.firstOffset, from);
        assert.equal(run.lastOffset, from + expected - 1);
        assertRecords(decodeRun(run, TOPIC, PARTITION), from, expected);
        assertRecords(await log.fetch(from, max), from, expected);
      }
      assert.equal((await log.fetchFrames(total, 10)).count, 0, 'nothing at the log end');
    } finally {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  }
});

test('a reopened partition log reads what was written, from disk, with the same offsets and timestamps', async () => {
  const { log, dir } = await partitionLog(1 << 20, [3, 50, 9]);
  await log.close();
  const reopened = await PartitionLog.open({
    dir,
    topic: TOPIC,
    partition: PARTITION,
    segmentBytes: 16 * 1024,
    segmentMaxAgeMs: 3_600_000,
    cacheBytes: 1 << 20,
    maxFlushBytes: 1 << 20,
    onWarning: () => {},
  });
  try {
    assert.equal(reopened.latest, 62);
    assertRecords(await reopened.fetch(2, 1000), 2, 60);
    assert.equal(await reopened.offsetForTimestamp(1_700_000_000_000 + 30), 30, 'the frame index kept each record’s timestamp');
  } finally {
    await reopened.close();
    await rm(dir, { recursive: true, force: true });
  }
});
