/**
 * A Kafka broker for tests: KAFKA_BROKERS if set, else whatever serves on 127.0.0.1:9092, else
 * one started with scripts/kafka.sh (single-node KRaft, left running for later test files; a
 * separate step stops it). A broker this module did not start is never stopped by it.
 */
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/package-root.js';

const LOCAL = { host: '127.0.0.1', port: 9092 };
const START_TIMEOUT_MS = 600_000; // the first start may download Kafka's jars with Maven

let brokers: Promise<string[]> | null = null;

/** Brokers to test against, memoized per process. */
export function kafkaBrokers(): Promise<string[]> {
  brokers ??= locate();
  return brokers;
}

async function locate(): Promise<string[]> {
  const fromEnv = process.env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  const local = `${LOCAL.host}:${LOCAL.port}`;
  if (await serves(LOCAL.host, LOCAL.port)) return [local];
  const root = packageRoot();
  const result = spawnSync('bash', [join(root, 'scripts', 'kafka.sh'), 'start'], {
    cwd: root,
    // The broker runs on in the background with its output in .kafka/kafka.out; the script's own
    // output is captured so a failure can be reported (the test runner owns this process's stdout).
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(
      `scripts/kafka.sh start failed (${result.error ? result.error.message : `exit ${result.status}`}):\n${output}`,
    );
  }
  if (!(await serves(LOCAL.host, LOCAL.port)))
    throw new Error(`scripts/kafka.sh started Kafka but nothing serves on ${local}`);
  return [local];
}

function serves(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
