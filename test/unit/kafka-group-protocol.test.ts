/**
 * The Kafka adapter's consumer-group payloads (byte-exact with Kafka's ConsumerProtocol) and its
 * range assignor (Kafka's RangeAssignor).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  rangeAssign,
} from '../../src/bus/kafka/group-protocol.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('a subscription encodes as ConsumerProtocolSubscription v0 (sorted topics, empty user data)', () => {
  assert.deepEqual(encodeSubscription({ topics: ['bc', 'a', 'bc'] }), hex('0000 00000002 0001 61 0002 6263 00000000'));
  assert.deepEqual(decodeSubscription(encodeSubscription({ topics: ['x', 'y'] })), { topics: ['x', 'y'] });
});

test('a v3 subscription from another client decodes to its topics', () => {
  // version 3: topics [a], user_data null, owned_partitions [{a, [0]}], generation_id 7, rack_id null
  const v3 = hex('0003 00000001 0001 61 ffffffff 00000001 0001 61 00000001 00000000 00000007 ffff');
  assert.deepEqual(decodeSubscription(v3), { topics: ['a'] });
  assert.deepEqual(decodeSubscription(null), { topics: [] });
  assert.throws(() => decodeSubscription(hex('0000 00000002 0001 61')), /truncated/);
});

test('an assignment encodes as ConsumerProtocolAssignment v0 and decodes back', () => {
  const encoded = encodeAssignment([{ topic: 'a', partitions: [0, 3] }]);
  assert.deepEqual(encoded, hex('0000 00000001 0001 61 00000002 00000000 00000003 00000000'));
  assert.deepEqual(decodeAssignment(encoded), [{ topic: 'a', partitions: [0, 3] }]);
  // v1 (cooperative) adds nothing before the partitions; an empty payload means nothing assigned.
  assert.deepEqual(decodeAssignment(hex('0001 00000001 0001 62 00000001 00000005 ffffffff')), [
    { topic: 'b', partitions: [5] },
  ]);
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)), []);
  assert.deepEqual(decodeAssignment(hex('0000')), []);
});

test('range gives each member a contiguous range per topic, the first members one more', () => {
  const plan = rangeAssign(
    [
      { memberId: 'm-b', topics: ['t1', 't2'] },
      { memberId: 'm-a', topics: ['t1', 't2'] },
    ],
    (topic) => (topic === 't1' ? 3 : 4),
  );
  assert.deepEqual(plan.get('m-a'), [
    { topic: 't1', partitions: [0, 1] },
    { topic: 't2', partitions: [0, 1] },
  ]);
  assert.deepEqual(plan.get('m-b'), [
    { topic: 't1', partitions: [2] },
    { topic: 't2', partitions: [2, 3] },
  ]);
});

test('range assigns a topic only to its subscribers and leaves extra members empty', () => {
  const plan = rangeAssign(
    [
      { memberId: '1', topics: ['a'] },
      { memberId: '2', topics: ['a', 'b'] },
      { memberId: '3', topics: ['a'] },
    ],
    (topic) => (topic === 'a' ? 2 : 3),
  );
  assert.deepEqual(plan.get('1'), [{ topic: 'a', partitions: [0] }]);
  assert.deepEqual(plan.get('2'), [
    { topic: 'a', partitions: [1] },
    { topic: 'b', partitions: [0, 1, 2] },
  ]);
  assert.deepEqual(plan.get('3'), []);
  // Every partition exactly once.
  const all = [...plan.values()].flat().flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`));
  assert.deepEqual(all.sort(), ['a/0', 'a/1', 'b/0', 'b/1', 'b/2']);
});
