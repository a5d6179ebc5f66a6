import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

test('without KAFKA_BROKERS the bus is embedded; seed 001 ports are the defaults', () => {
  const config = loadConfig({});
  assert.equal(config.kafka, null);
  assert.deepEqual(config.ports, { gateway: 8080, normalization: 8081, clustering: 8082, incidents: 8083, notifications: 8084 });
});

test('partitions per topic: 2 on the embedded bus, 6 on Kafka, LOG0_BUS_PARTITIONS overrides both', () => {
  assert.equal(loadConfig({}).bus.partitions, 2);
  assert.equal(loadConfig({ KAFKA_BROKERS: 'k:9092' }).bus.partitions, 6);
  assert.equal(loadConfig({ LOG0_BUS_PARTITIONS: '12' }).bus.partitions, 12);
  assert.equal(loadConfig({ KAFKA_BROKERS: 'k:9092', LOG0_BUS_PARTITIONS: '3' }).bus.partitions, 3);
  assert.throws(() => loadConfig({ LOG0_BUS_PARTITIONS: '0' }), /LOG0_BUS_PARTITIONS/);
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

test('store URLs: unset means embedded; set, each is checked for its scheme; errors never print a password', () => {
  const embedded = loadConfig({});
  assert.deepEqual([embedded.database, embedded.clickhouse, embedded.redis], [null, null, null]);
  const servers = loadConfig({
    DATABASE_URL: 'postgres://log0:secret@db:5432/log0',
    CLICKHOUSE_URL: 'http://ch:8123/logs',
    REDIS_URL: 'redis://cache:6379/0',
    LOG0_CLICKHOUSE_BATCH_ROWS: '5000',
  });
  assert.deepEqual(servers.database, { url: 'postgres://log0:secret@db:5432/log0' });
  assert.deepEqual(servers.clickhouse, { url: 'http://ch:8123/logs', batchRows: 5000, flushIntervalMs: 100 });
  assert.deepEqual(servers.redis, { url: 'redis://cache:6379/0' });
  assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2@db/x' }), (err: Error) => /DATABASE_URL/.test(err.message) && !/hunter2/.test(err.message));
  assert.throws(() => loadConfig({ CLICKHOUSE_URL: 'tcp://ch:9000' }), /CLICKHOUSE_URL must start with http:\/\/ or https:\/\//);
  assert.throws(() => loadConfig({ REDIS_URL: 'not a url' }), /REDIS_URL must be a URL/);
});

test('log retention: a default and per-tenant overrides, validated', () => {
  const tenant = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const config = loadConfig({ LOG0_LOG_RETENTION_DAYS: '90', LOG0_TENANT_RETENTION_DAYS: ` ${tenant.toUpperCase()}=7 ` });
  assert.equal(config.logRetention.defaultDays, 90);
  assert.deepEqual([...config.logRetention.tenantDays], [[tenant, 7]]);
  assert.equal(loadConfig({}).logRetention.defaultDays, 30);
  for (const bad of ['acme=7', `${tenant}=0`, `${tenant}`, `${tenant}=7,`]) {
    assert.throws(() => loadConfig({ LOG0_TENANT_RETENTION_DAYS: bad }), /LOG0_TENANT_RETENTION_DAYS/, bad);
  }
});

test('rate limit: on by default per tenant, 0 turns it off, a burst below one full request is refused', () => {
  assert.deepEqual(loadConfig({}).rateLimit, { logsPerSecond: 50_000, burst: 100_000 });
  assert.equal(loadConfig({ LOG0_RATE_LIMIT_LOGS_PER_SECOND: '0' }).rateLimit, null);
  assert.deepEqual(loadConfig({ LOG0_RATE_LIMIT_LOGS_PER_SECOND: '100' }).rateLimit, { logsPerSecond: 100, burst: 1000 });
  assert.throws(() => loadConfig({ LOG0_RATE_LIMIT_BURST: '999' }), /LOG0_RATE_LIMIT_BURST/);
  assert.equal(loadConfig({ LOG0_DEDUP_TTL_SECONDS: '60' }).dedupTtlMs, 60_000);
});
