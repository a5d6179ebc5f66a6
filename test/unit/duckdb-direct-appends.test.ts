/**
 * The embedded store's never-stored appends (src/storage/duckdb/direct-appends.ts), against a
 * recording stand-in for DuckDB's appender so commits and failures can be placed exactly: rows go
 * in when the batch arrives, commits are spaced and hold whole batches, a failed commit fails
 * every batch it held and the next batch gets a fresh appender. The real DuckDB path is covered by
 * the log store contract tests (test/contract/log-store-duckdb.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import { TransientError } from '../../src/runtime/errors.js';
import { DirectAppends, MAX_DIRECT_BATCH_ROWS } from '../../src/storage/duckdb/direct-appends.js';
import { stageLog } from '../../src/storage/duckdb/rows.js';

class RecordingAppender {
  rows = 0;
  committed = 0;
  failNextFlush: Error | null = null;
  closed = false;
  appendVarchar() {}
  appendNull() {}
  appendBigInt() {}
  endRow() {
    this.rows++;
  }
  flushSync() {
    if (this.failNextFlush) {
      const error = this.failNextFlush;
      this.failNextFlush = null;
      throw error;
    }
    this.committed = this.rows;
  }
  clear() {
    this.rows = this.committed;
  }
  closeSync() {
    this.closed = true;
  }
}

function fakeConnection() {
  const appenders: RecordingAppender[] = [];
  const connection = {
    async createAppender() {
      await new Promise((resolve) => setImmediate(resolve)); // DuckDB answers on a later turn
      appenders.push(new RecordingAppender());
      return appenders.at(-1) as unknown as DuckDBAppender;
    },
    closeSync() {},
  } as unknown as DuckDBConnection;
  return { connection, appenders };
}

function logs(count: number) {
  const tenantId = randomUUID();
  return Array.from({ length: count }, (_, i) =>
    stageLog({
      eventId: randomUUID(),
      tenantId,
      serviceName: 'payment-service',
      environment: 'prod',
      timestamp: new Date(1_700_000_000_000 + i).toISOString(),
      level: 'ERROR',
      message: `failure ${i}`,
      messageTemplate: 'failure <number>',
      fingerprint: 'f'.repeat(64),
      schemaVersion: 'v1',
    } as NormalizedLogEvent),
  );
}

const settledWithin = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((resolve) => setTimeout(() => resolve('pending'), ms))]);

test('rows go in when the batch arrives; batches within one interval share one commit', async () => {
  const { connection, appenders } = fakeConnection();
  let exclusiveRuns = 0;
  const direct = new DirectAppends(connection, { flushIntervalMs: 300, batchRows: 10_000, exclusive: (flush) => (exclusiveRuns++, flush()) });
  await direct.append(logs(5)); // after a quiet spell: committed at once
  assert.equal(appenders[0].committed, 5);
  const second = direct.append(logs(3));
  const third = direct.append(logs(4));
  // Both batches' rows are in the appender already, not committed before the interval is up.
  assert.equal(appenders[0].rows, 12);
  assert.equal(await settledWithin(second, 150), 'pending');
  await Promise.all([second, third]);
  assert.equal(appenders[0].committed, 12);
  assert.equal(exclusiveRuns, 2);
  await direct.close();
});

test('a batch reaching batchRows is committed without waiting for the interval', async () => {
  const { connection, appenders } = fakeConnection();
  const direct = new DirectAppends(connection, { flushIntervalMs: 60_000, batchRows: 10, exclusive: (flush) => flush() });
  await direct.append(logs(1));
  const started = performance.now();
  await direct.append(logs(12));
  assert.ok(performance.now() - started < 5_000);
  assert.equal(appenders[0].committed, 13);
  await direct.close();
});

test('a failed commit fails every batch it held, as an outage; the next batch gets a fresh appender', async () => {
  const { connection, appenders } = fakeConnection();
  const direct = new DirectAppends(connection, { flushIntervalMs: 50, batchRows: 10_000, exclusive: (flush) => flush() });
  await direct.append(logs(2));
  appenders[0].failNextFlush = new Error('disk full');
  const outcomes = await Promise.allSettled([direct.append(logs(3)), direct.append(logs(4))]);
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    const reason = (outcome as PromiseRejectedResult).reason as Error;
    // Retried by the consume loop, never dead-lettered: the logs were fine, DuckDB or the disk was not.
    assert.ok(reason instanceof TransientError, String(reason));
    assert.match(reason.message, /disk full/);
  }
  assert.ok(appenders[0].closed, 'the failed appender was dropped');
  await direct.append(logs(6));
  assert.equal(appenders.length, 2);
  assert.equal(appenders[1].committed, 6);
  await direct.close();
});

test('a commit waiting for its turn takes the batches appended meanwhile too', async () => {
  const { connection, appenders } = fakeConnection();
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  let firstTurn = true;
  const direct = new DirectAppends(connection, {
    flushIntervalMs: 10,
    batchRows: 10_000,
    exclusive: async (flush) => {
      if (firstTurn) {
        firstTurn = false;
        await gate; // e.g. a CHECKPOINT ahead in the store's write queue
      }
      return flush();
    },
  });
  const first = direct.append(logs(2));
  await new Promise((resolve) => setTimeout(resolve, 30)); // its commit is now waiting at the gate
  const late = direct.append(logs(3));
  openGate();
  await first;
  // The waiting commit took everything appended before it ran, the late batch included.
  await late;
  assert.equal(appenders[0].committed, 5);
  const after = direct.append(logs(1));
  await after;
  assert.equal(appenders[0].committed, 6);
  await direct.close();
});

test('close commits what waits for its interval', async () => {
  const { connection, appenders } = fakeConnection();
  const direct = new DirectAppends(connection, { flushIntervalMs: 60_000, batchRows: 10_000, exclusive: (flush) => flush() });
  await direct.append(logs(1));
  const waiting = direct.append(logs(4));
  await direct.close();
  await waiting;
  assert.equal(appenders[0].committed, 5);
  assert.ok(appenders[0].closed);
});

test('batches arriving together before the first appender exists share it: one appender, every row committed', async () => {
  const { connection, appenders } = fakeConnection();
  const direct = new DirectAppends(connection, { flushIntervalMs: 10, batchRows: 10_000, exclusive: (flush) => flush() });
  await Promise.all([direct.append(logs(3)), direct.append(logs(4)), direct.append(logs(5))]);
  assert.equal(appenders.length, 1);
  assert.equal(appenders[0].committed, 12);
  await direct.close();
});

test('a batch that would take the waiting rows past the limit waits for their commit; a larger one is refused', async () => {
  const { connection, appenders } = fakeConnection();
  const commits: number[] = [];
  const direct = new DirectAppends(connection, {
    flushIntervalMs: 60_000,
    batchRows: 1_000_000,
    exclusive: async (flush) => {
      await flush();
      commits.push(appenders[0].committed);
    },
  });
  await direct.append(logs(1)); // after a quiet spell: at once; the next ones wait a minute
  const big = MAX_DIRECT_BATCH_ROWS * 0.6;
  const first = direct.append(logs(big));
  const second = direct.append(logs(big)); // 60% + 60% > 100%: the first is committed before its rows go in
  await first;
  // The second batch's rows were not in that commit: it held the first batch alone.
  assert.deepEqual(commits, [1, 1 + big]);
  await assert.rejects(direct.append(logs(MAX_DIRECT_BATCH_ROWS + 1)), RangeError);
  while (appenders[0].rows < 1 + 2 * big) await new Promise((resolve) => setImmediate(resolve)); // the second batch goes in
  await direct.close();
  await second;
  assert.deepEqual(commits, [1, 1 + big, 1 + 2 * big]);
});

test('close refuses later appends and those still waiting for an appender', async () => {
  const { connection, appenders } = fakeConnection();
  const direct = new DirectAppends(connection, { flushIntervalMs: 10, batchRows: 10_000, exclusive: (flush) => flush() });
  const waiting = direct.append(logs(2)); // waits for the appender to be made
  const closing = direct.close();
  await assert.rejects(waiting, /closed/);
  await closing;
  await assert.rejects(direct.append(logs(1)), /closed/);
  assert.ok(appenders.every((a) => a.closed && a.committed === 0), 'an appender made meanwhile was dropped');
});
