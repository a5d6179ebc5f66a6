import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

test('without KAFKA_BROKERS the bus is embedded; seed 001 ports are the defaults', () => {
  const config = loadConfig({});
  assert.equal(config.kafka, null);
  assert.deepEqual(config.ports, { gateway: 8080, normalization: 8081, clustering: 8082, incidents: 8083, notifications: 8084 });
});

test('KAFKA_BROKERS: a comma-separated host:port list, with the client id', () => {
  const config = loadConfig({ KAFKA_BROKERS: ' kafka-1:9092, 10.0.0.7:9093,[::1]:9094 ', KAFKA_CLIENT_ID: 'log0-prod' });
  assert.deepEqual(config.kafka, {
    brokers: ['kafka-1:9092', '10.0.0.7:9093', '[::1]:9094'],
    clientId: 'log0-prod',
    replicationFactor: undefined,
    sessionTimeoutMs: 30_000,
  });
  const tuned = loadConfig({ KAFKA_BROKERS: 'k:9092', KAFKA_REPLICATION_FACTOR: '3', KAFKA_SESSION_TIMEOUT_SECONDS: '10' }).kafka;
  assert.equal(tuned?.replicationFactor, 3);
  assert.equal(tuned?.sessionTimeoutMs, 10_000);
  assert.equal(loadConfig({ KAFKA_BROKERS: 'k:9092' }).kafka?.clientId, 'log0');
  assert.equal(loadConfig({ KAFKA_BROKERS: '  ' }).kafka, null, 'empty means embedded');
});

test('a bad broker list or client id is a ConfigError naming the variable and the bad entry', () => {
  for (const bad of ['kafka', 'kafka:', 'kafka:0', 'kafka:70000', 'kafka:9092,', 'http://kafka:9092', 'a b:9092']) {
    assert.throws(
      () => loadConfig({ KAFKA_BROKERS: bad }),
      (err: Error) => err instanceof ConfigError && /KAFKA_BROKERS/.test(err.message),
      bad,
    );
  }
  assert.throws(() => loadConfig({ KAFKA_BROKERS: 'k:1', KAFKA_CLIENT_ID: 'no spaces' }), /KAFKA_CLIENT_ID/);
  assert.throws(() => loadConfig({ LOG0_NORMALIZATION_PORT: '-1' }), /LOG0_NORMALIZATION_PORT/);
  assert.throws(() => loadConfig({ KAFKA_BROKERS: 'k:1', KAFKA_SESSION_TIMEOUT_SECONDS: '2' }), /KAFKA_SESSION_TIMEOUT_SECONDS/);
});
