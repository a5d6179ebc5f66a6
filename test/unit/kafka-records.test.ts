/**
 * Records in and out of the Kafka adapter: validation of produce records, and decoding of fetched
 * record batches (control batches skipped, earlier offsets dropped, LogAppendTime honoured).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBatches, type FetchedBatch, prepareRecord } from '../../src/bus/kafka/records.js';

const NOW = 1_800_000_000_000;
const prepare = (record: unknown, max = 1_000_000) =>
  prepareRecord('topic-x', 4, record as never, NOW, max, (key) => (key === null ? 9 : key.length));

test('a produce record becomes bytes: UTF-8 key, value and headers, the timestamp as given or now', () => {
  const out = prepare({ key: 'ké', value: '{"a":1}', headers: { h: 'v' }, timestamp: 1_700_000_000_000 });
  assert.equal(out.partition, 2, 'the partition comes from the partitioner given the key');
  assert.deepEqual(out.key, Buffer.from('ké', 'utf8'));
  assert.deepEqual(out.value, Buffer.from('{"a":1}'));
  assert.deepEqual(
    [...out.headers!].map(([k, v]) => [k.toString(), v.toString()]),
    [['h', 'v']],
  );
  assert.equal(out.timestamp, 1_700_000_000_000n);
  const bytes = new Uint8Array([1, 2, 3]);
  const plain = prepare({ key: null, value: bytes });
  assert.equal(plain.partition, 9);
  assert.equal(plain.key, undefined);
  assert.equal(plain.headers, undefined);
  assert.equal(plain.timestamp, BigInt(NOW));
  assert.deepEqual([...plain.value], [1, 2, 3]);
});

test('bad produce records are refused with the topic and the record index', () => {
  assert.throws(() => prepare(null), /"topic-x": record 4 is not an object/);
  assert.throws(() => prepare({ key: 5, value: 'x' }), /record 4: key must be a string or null/);
  assert.throws(() => prepare({ key: null, value: 5 }), /record 4: value must be a Buffer or a string/);
  assert.throws(() => prepare({ key: null, value: 'x', headers: { h: 1 } }), /header "h" must be a string/);
  assert.throws(() => prepare({ key: null, value: 'x', timestamp: 1.5 }), /timestamp must be/);
  assert.throws(() => prepare({ key: null, value: 'x', timestamp: NOW + 2 * 3_600_000 }), /in the future/);
  assert.throws(() => prepare({ key: null, value: 'x'.repeat(200) }, 100), /exceeds the maximum record size of 100/);
});

function batch(firstOffset: number, records: number, extra: Partial<FetchedBatch> = {}): FetchedBatch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: records - 1,
    attributes: 0,
    firstTimestamp: 1_000n,
    maxTimestamp: 5_000n,
    records: Array.from({ length: records }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: i % 2 === 0 ? Buffer.from(`k${i}`) : null,
      value: Buffer.from(`v${firstOffset + i}`),
      headers: [[Buffer.from('h'), Buffer.from(String(i))]] as Array<[Buffer, Buffer]>,
    })),
    ...extra,
  };
}

test('fetched batches decode to records from the requested offset on, and where to fetch next', () => {
  const { records, next } = decodeBatches('t', 2, [batch(10, 3), batch(13, 1, { attributes: 0x20 }), batch(14, 2)], 11);
  assert.deepEqual(
    records.map((r) => r.offset),
    [11, 12, 14, 15],
  );
  assert.equal(next, 16);
  const [r] = records;
  assert.deepEqual(
    {
      topic: r.topic,
      partition: r.partition,
      key: r.key,
      value: r.value.toString(),
      headers: r.headers,
      timestamp: r.timestamp,
    },
    { topic: 't', partition: 2, key: null, value: 'v11', headers: { h: '1' }, timestamp: 1_001 },
  );
  assert.equal(records[1].key, 'k2');
});

test('a trailing control batch still moves the next fetch past it; LogAppendTime uses the batch time', () => {
  assert.deepEqual(decodeBatches('t', 0, [batch(0, 1, { attributes: 0x20 })], 0), { records: [], next: 1 });
  assert.deepEqual(decodeBatches('t', 0, undefined, 7), { records: [], next: 7 });
  const { records } = decodeBatches('t', 0, [batch(0, 2, { attributes: 0x08 })], 0);
  assert.deepEqual(
    records.map((r) => r.timestamp),
    [5_000, 5_000],
  );
});

test('records of one call sharing a key or headers object share its encoding; sizes are as if alone', () => {
  const memo = {};
  const first = { first: '1' };
  const inputs = [
    { key: 'tenant-a', value: 'v0', headers: first, timestamp: NOW - 5 },
    { key: 'tenant-a', value: 'v1', headers: first, timestamp: NOW - 5 },
    { key: 'tenant-b', value: 'v2', headers: first, timestamp: NOW - 4 },
    { key: 'tenant-b', value: 'v3', headers: { first: '1' }, timestamp: NOW - 4 },
    { key: null, value: 'v4' },
  ];
  const shared = inputs.map((r, i) => prepareRecord('topic-x', i, r, NOW, 1_000_000, () => 0, memo));
  const alone = inputs.map((r, i) => prepareRecord('topic-x', i, r, NOW, 1_000_000, () => 0));
  assert.deepEqual(shared, alone, 'the same bytes, headers, timestamps and sizes');
  assert.equal(shared[1].key, shared[0].key);
  assert.notEqual(shared[2].key, shared[1].key);
  assert.equal(shared[2].headers, shared[0].headers);
  assert.notEqual(shared[3].headers, shared[2].headers, 'another headers object is encoded anew');
  assert.equal(shared[4].key, undefined);
  assert.equal(shared[4].headers, undefined);
});

test('fetched records repeating the previous key or headers share its string and frozen headers', () => {
  const pairs = (value: string | null): Array<[Buffer | null, Buffer | null]> =>
    value === null ? [] : [[Buffer.from('x-first'), Buffer.from(value)]];
  const shapes: Array<[string | null, string | null]> = [
    ['tenant-a', '1'],
    ['tenant-a', '1'],
    ['tenant-b', '1'],
    ['tenant-b', '2'],
    ['tenant-b', null],
    [null, '2'],
  ];
  const fetched: FetchedBatch = {
    ...batch(0, shapes.length),
    records: shapes.map(([key, header], i) => ({
      offsetDelta: i,
      timestampDelta: 0n,
      key: key === null ? null : Buffer.from(key), // a fresh Buffer each: equal bytes, not the same object
      value: Buffer.from(`v${i}`),
      headers: pairs(header),
    })),
  };
  const { records } = decodeBatches('t', 0, [fetched], 0);
  assert.deepEqual(
    records.map((r) => [r.key, { ...r.headers }, r.value.toString()]),
    [
      ['tenant-a', { 'x-first': '1' }, 'v0'],
      ['tenant-a', { 'x-first': '1' }, 'v1'],
      ['tenant-b', { 'x-first': '1' }, 'v2'],
      ['tenant-b', { 'x-first': '2' }, 'v3'],
      ['tenant-b', {}, 'v4'],
      [null, { 'x-first': '2' }, 'v5'],
    ],
  );
  assert.equal(records[1].headers, records[0].headers);
  assert.equal(records[2].headers, records[0].headers);
  assert.notEqual(records[3].headers, records[2].headers);
  assert.ok(Object.isFrozen(records[0].headers) && Object.isFrozen(records[4].headers));
});
