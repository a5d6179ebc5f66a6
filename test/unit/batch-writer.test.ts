/**
 * BatchWriter (the log stores, the incident and notification services): appends made while a write
 * is due or running share the next write, writes are spaced by flushIntervalMs, a full batch goes
 * early, and every append gets the outcome of its own rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWriter } from '../../src/runtime/batch-writer.js';
import { TransientError } from '../../src/runtime/errors.js';

interface Insert {
  rows: number[];
  startedAt: number;
}

function recorder(options: { fail?: (rows: number[]) => boolean; insertMs?: number } = {}) {
  const inserts: Insert[] = [];
  const insert = async (rows: number[]) => {
    inserts.push({ rows: [...rows], startedAt: performance.now() });
    if (options.insertMs) await new Promise((r) => setTimeout(r, options.insertMs));
    if (options.fail?.(rows)) throw new Error(`insert of ${rows.join(',')} failed`);
  };
  return { inserts, insert };
}

test('appends made in one turn of the event loop share one insert', async () => {
  const { inserts, insert } = recorder();
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 50 });
  await Promise.all([writer.append([1, 2]), writer.append([3]), writer.append([4, 5])]);
  assert.deepEqual(inserts.map((i) => i.rows), [[1, 2, 3, 4, 5]]);
});

test('inserts start at least flushIntervalMs apart; what arrives meanwhile goes in together', async () => {
  const { inserts, insert } = recorder();
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 400 });
  await writer.append([1]);
  const later = [writer.append([2]), writer.append([3])];
  await new Promise((r) => setTimeout(r, 20));
  later.push(writer.append([4]));
  await Promise.all(later);
  assert.deepEqual(inserts.map((i) => i.rows), [[1], [2, 3, 4]]);
  assert.ok(inserts[1].startedAt - inserts[0].startedAt >= 395, `second insert ${inserts[1].startedAt - inserts[0].startedAt} ms after the first`);
});

test('after a quiet spell an append is inserted at once', async () => {
  const { inserts, insert } = recorder();
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 300 });
  await writer.append([1]);
  await new Promise((r) => setTimeout(r, 400));
  const asked = performance.now();
  await writer.append([2]);
  assert.ok(inserts[1].startedAt - asked < 200, `waited ${inserts[1].startedAt - asked} ms`);
});

test('a batch reaching batchRows is inserted without waiting for the interval', async () => {
  const { inserts, insert } = recorder();
  const writer = new BatchWriter<number>(insert, { batchRows: 3, flushIntervalMs: 10_000 });
  await writer.append([1]);
  const asked = performance.now();
  await writer.append([2, 3, 4]);
  assert.ok(performance.now() - asked < 1000);
  assert.deepEqual(inserts.map((i) => i.rows), [[1], [2, 3, 4]]);
});

test('while an insert runs the next batch keeps growing, and one insert runs at a time', async () => {
  let running = 0;
  let most = 0;
  const inserts: number[][] = [];
  const writer = new BatchWriter<number>(
    async (rows) => {
      running++;
      most = Math.max(most, running);
      inserts.push([...rows]);
      await new Promise((r) => setTimeout(r, 40));
      running--;
    },
    { batchRows: 100, flushIntervalMs: 0 },
  );
  const first = writer.append([1]);
  await new Promise((r) => setTimeout(r, 5));
  await Promise.all([first, writer.append([2]), writer.append([3])]);
  assert.equal(most, 1);
  assert.deepEqual(inserts, [[1], [2, 3]]);
});

test('when a merged write fails, each append is written again alone: only the append with the bad row fails', async () => {
  const { inserts, insert } = recorder({ fail: (rows) => rows.includes(13) });
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 30 });
  const together = await Promise.allSettled([writer.append([11, 12]), writer.append([13]), writer.append([14])]);
  assert.deepEqual(
    together.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.match(String((together[1] as PromiseRejectedResult).reason), /insert of 13 failed/);
  await writer.append([15]);
  assert.deepEqual(inserts.map((i) => i.rows), [[11, 12, 13, 14], [11, 12], [13], [14], [15]]);
});

test('a write that fails for every append (the sink is down) rejects each of them; a lone append is not written twice', async () => {
  let down = true;
  const { inserts, insert } = recorder({ fail: () => down });
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 0 });
  const outcomes = await Promise.allSettled([writer.append([1]), writer.append([2])]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['rejected', 'rejected'],
  );
  await assert.rejects(writer.append([3]), /insert of 3 failed/);
  assert.deepEqual(inserts.map((i) => i.rows), [[1, 2], [1], [2], [3]]);
  down = false;
  await writer.append([4]);
});

test('a TransientError (the sink is down) fails every append of the write at once, without writing each alone', async () => {
  const inserts: number[][] = [];
  const writer = new BatchWriter<number>(
    async (rows) => {
      inserts.push([...rows]);
      throw new TransientError('sink unreachable');
    },
    { batchRows: 100, flushIntervalMs: 0 },
  );
  const outcomes = await Promise.allSettled([writer.append([1]), writer.append([2])]);
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'fulfilled')),
    ['sink unreachable', 'sink unreachable'],
  );
  assert.deepEqual(inserts, [[1, 2]]);
});

test('an append whose identity cannot be computed fails alone and adds nothing to the batch', async () => {
  const { inserts, insert } = recorder();
  const writer = new BatchWriter<number>(insert, {
    batchRows: 100,
    flushIntervalMs: 0,
    identity: (n) => {
      if (n < 0) throw new Error(`no identity for ${n}`);
      return String(n);
    },
  });
  const good = writer.append([1]);
  assert.throws(() => writer.append([2, -1]), /no identity for -1/);
  await good;
  assert.deepEqual(inserts.map((i) => i.rows), [[1]]);
});

test('with an identity, a row already in the batch is dropped on joining it; without one, every row is kept', async () => {
  const keyed = recorder();
  const dedup = new BatchWriter<number>(keyed.insert, { batchRows: 100, flushIntervalMs: 0, identity: (n) => String(n % 10) });
  await Promise.all([dedup.append([1, 2, 11]), dedup.append([21, 3])]);
  assert.deepEqual(keyed.inserts.map((i) => i.rows), [[1, 2, 3]]);
  const plain = recorder();
  const all = new BatchWriter<number>(plain.insert, { batchRows: 100, flushIntervalMs: 0 });
  await Promise.all([all.append([1, 1]), all.append([1])]);
  assert.deepEqual(plain.inserts.map((i) => i.rows), [[1, 1, 1]]);
});

test('flush inserts what is open at once and waits for it', async () => {
  const { inserts, insert } = recorder({ insertMs: 10 });
  const writer = new BatchWriter<number>(insert, { batchRows: 100, flushIntervalMs: 10_000 });
  await writer.append([1]);
  const pending = writer.append([2]);
  const asked = performance.now();
  await writer.flush();
  assert.ok(performance.now() - asked < 1000);
  await pending;
  assert.deepEqual(inserts.map((i) => i.rows), [[1], [2]]);
});

test('bad options are refused with the option named', () => {
  const insert = async () => {};
  assert.throws(() => new BatchWriter<number>(insert, { batchRows: 0, flushIntervalMs: 10 }), /batchRows/);
  assert.throws(() => new BatchWriter<number>(insert, { batchRows: 10, flushIntervalMs: -1 }), /flushIntervalMs/);
});
