import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicConfigs } from '../../src/bus/kafka/topics.js';

const config = (configs: Array<{ name: string; value: string }>) => Object.fromEntries(configs.map((c) => [c.name, c.value]));

test('topic configs: explicit retention (-1 when the port says unbounded), CreateTime', () => {
  assert.deepEqual(config(topicConfigs({ name: 't', partitions: 6, retentionMs: 3_600_000 })), {
    'retention.ms': '3600000',
    'retention.bytes': '-1',
    'cleanup.policy': 'delete',
    'message.timestamp.type': 'CreateTime',
  });
});

test('a replicated topic requires two in-sync replicas for acks=all; an unreplicated one cannot', () => {
  assert.equal(config(topicConfigs({ name: 't', partitions: 1 }, 3))['min.insync.replicas'], '2');
  assert.equal(config(topicConfigs({ name: 't', partitions: 1 }, 2))['min.insync.replicas'], '2');
  assert.equal(config(topicConfigs({ name: 't', partitions: 1 }, 1))['min.insync.replicas'], undefined);
  assert.equal(config(topicConfigs({ name: 't', partitions: 1 }))['min.insync.replicas'], undefined, 'broker default replication');
});
