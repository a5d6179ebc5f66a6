import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur2, partitionForKey } from '../../src/bus/partitioner.js';

// Kafka's UtilsTest.testMurmur2.
const KAFKA_VECTORS: Array<[string, number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

test('murmur2 matches Kafka for its test vectors', () => {
  for (const [input, expected] of KAFKA_VECTORS) {
    assert.equal(murmur2(Buffer.from(input, 'utf8')), expected, input);
  }
});

test('partitionForKey is Kafka’s positive murmur2 modulo the partition count', () => {
  for (const [input, hash] of KAFKA_VECTORS) {
    for (const partitions of [1, 3, 8, 12, 100]) {
      assert.equal(partitionForKey(input, partitions), (hash & 0x7fffffff) % partitions, `${input} / ${partitions}`);
    }
  }
});

test('a key always maps to the same partition, within range', () => {
  for (let i = 0; i < 1000; i++) {
    const key = `tenant-${i}/service-${i % 7}`;
    const first = partitionForKey(key, 12);
    assert.ok(first >= 0 && first < 12);
    for (let repeat = 0; repeat < 3; repeat++) assert.equal(partitionForKey(key, 12), first);
  }
  const used = new Set(Array.from({ length: 1000 }, (_, i) => partitionForKey(`k${i}`, 12)));
  assert.equal(used.size, 12, 'keys spread over every partition');
});

test('non-ASCII keys hash their UTF-8 bytes', () => {
  assert.equal(partitionForKey('größe', 10), (murmur2(Buffer.from('größe', 'utf8')) & 0x7fffffff) % 10);
  assert.notEqual(murmur2(Buffer.from('größe', 'utf8')), murmur2(Buffer.from('größe', 'latin1')));
});
