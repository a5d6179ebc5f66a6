/**
 * The bus thread's wire format (src/bus/thread/protocol.ts): produce records packed into one
 * transferred buffer come out byte for byte as they went in, whatever their encoding needs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProduceRecord } from '../../src/bus/port.js';
import { packPositions, packProduce, unpackPositions, unpackProduce } from '../../src/bus/thread/protocol.js';

test('packed produce records unpack to the same keys, bytes, headers and timestamps, for ASCII, multi-byte and binary values', () => {
  const records: ProduceRecord[] = [
    { key: 'a', value: '{"message":"plain ascii"}' },
    { key: null, value: '' },
    // Three bytes per UTF-16 unit: more than the buffer sized by UTF-16 length can hold.
    { key: 'b', value: '€'.repeat(5_000), headers: { h: '1' } },
    { key: 'c', value: Buffer.from([0, 255, 1, 254]), timestamp: 1_700_000_000_000 },
    // Four bytes per character (two units), and lone surrogates (encoded as U+FFFD).
    { key: 'd', value: '\u{1F525}x'.repeat(3_000) + '\uD800' },
    { key: 'e', value: 'tail' },
  ];
  const unpacked = unpackProduce(packProduce(records));
  assert.equal(unpacked.length, records.length);
  records.forEach((record, i) => {
    const expected = typeof record.value === 'string' ? Buffer.from(record.value, 'utf8') : record.value;
    assert.deepEqual(Buffer.from(unpacked[i].value as Buffer), Buffer.from(expected), `value ${i}`);
    assert.equal(unpacked[i].key, record.key, `key ${i}`);
    assert.deepEqual(unpacked[i].headers, record.headers, `headers ${i}`);
    assert.equal(unpacked[i].timestamp, record.timestamp, `timestamp ${i}`);
  });
});

test('many multi-byte values after ASCII ones: the buffer grows as often as needed', () => {
  const records: ProduceRecord[] = Array.from({ length: 200 }, (_, i) => ({
    key: String(i),
    value: i % 2 === 0 ? 'x'.repeat(100) : 'ж'.repeat(300 + i),
  }));
  const unpacked = unpackProduce(packProduce(records));
  records.forEach((record, i) => assert.equal((unpacked[i].value as Buffer).toString('utf8'), record.value, `value ${i}`));
});

test('record positions travel as typed arrays and come back as the positions the bus gave', () => {
  const positions = [
    { topic: 'raw-logs', partition: 0, offset: 0 },
    { topic: 'raw-logs', partition: 5, offset: 2 ** 40 },
    { topic: 'raw-logs', partition: 3, offset: 17 },
  ];
  const packed = packPositions(positions);
  assert.ok(!('error' in packed));
  assert.deepEqual(unpackPositions('raw-logs', packed), positions);
});
