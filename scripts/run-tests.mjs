#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's test runner.
// Node 20's --test does not expand globs itself, hence this small finder.
// Tests against Apache Kafka (files named *kafka*) need a broker: unless KAFKA_BROKERS names one,
// this starts the repo's own (scripts/kafka.sh, fetched from Maven Central on first use) and stops
// it afterwards. Tests against ClickHouse (NEEDS_CLICKHOUSE below) likewise get the repo's own
// clickhouse-server (scripts/clickhouse.sh, Debian's package) unless CLICKHOUSE_URL names one.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return name.endsWith('.test.js') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = find('dist/test')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const env = { ...process.env };
let startedKafka = false;
/** kcat (Debian package) reads the topics in the interop test; installed when missing. */
function ensureKcat() {
  if (spawnSync('sh', ['-c', 'command -v kcat'], { stdio: 'ignore' }).status === 0) return;
  console.error('installing kcat (apt) for the Kafka interop test');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
  if (apt(['install', '-y', '-q', 'kcat']) !== 0 && (apt(['update', '-q']) !== 0 || apt(['install', '-y', '-q', 'kcat']) !== 0)) {
    console.error('could not install kcat; the Kafka interop test will fail');
  }
}

if (files.some((f) => f.includes('kafka'))) ensureKcat();
if (files.some((f) => f.includes('kafka')) && !env.KAFKA_BROKERS) {
  const status = spawnSync('bash', ['scripts/kafka.sh', 'status'], { encoding: 'utf8' });
  if (status.status !== 0) {
    const start = spawnSync('bash', ['scripts/kafka.sh', 'start'], { stdio: 'inherit' });
    if (start.status !== 0) {
      console.error('could not start the Kafka broker for the Kafka tests (scripts/kafka.sh start)');
      process.exit(1);
    }
    startedKafka = true;
  }
  env.KAFKA_BROKERS = '127.0.0.1:9092';
}
/** Test files that run against ClickHouse: its own tests, and those run on every log store. */
const NEEDS_CLICKHOUSE = /clickhouse|server-stores|log-search-hostile/;
let startedClickHouse = false;
if (files.some((f) => NEEDS_CLICKHOUSE.test(f)) && !env.CLICKHOUSE_URL) {
  if (spawnSync('bash', ['scripts/clickhouse.sh', 'status'], { stdio: 'ignore' }).status !== 0) {
    if (spawnSync('bash', ['scripts/clickhouse.sh', 'start'], { stdio: 'inherit' }).status !== 0) {
      console.error('could not start ClickHouse for the ClickHouse tests (scripts/clickhouse.sh start)');
      if (startedKafka) spawnSync('bash', ['scripts/kafka.sh', 'stop'], { stdio: 'inherit' });
      process.exit(1);
    }
    startedClickHouse = true;
  }
  env.CLICKHOUSE_URL = `http://127.0.0.1:${env.CLICKHOUSE_HTTP_PORT ?? 8123}`;
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
if (startedKafka) spawnSync('bash', ['scripts/kafka.sh', 'stop'], { stdio: 'inherit' });
if (startedClickHouse) spawnSync('bash', ['scripts/clickhouse.sh', 'stop'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
