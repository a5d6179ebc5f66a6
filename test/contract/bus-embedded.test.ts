/**
 * The embedded bus: the shared Bus contract (twice: with the memory cache, and with tiny segments
 * and no cache so reads go through the segment files), plus what only a file-backed bus promises:
 * kill -9 loses no acknowledged record, torn tails are cut on open, retention deletes segments.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { assignPartitions } from '../../src/bus/embedded/assignment.js';
import { createEmbeddedBus, type EmbeddedBus, type EmbeddedBusOptions } from '../../src/bus/embedded/index.js';
import type { Bus, BusRecord } from '../../src/bus/port.js';
import { busContractSuite, type BusFixture } from './bus.contract.js';

const tempDirs: string[] = [];
after(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'log0-bus-'));
  tempDirs.push(dir);
  return dir;
}

type Options = Partial<Omit<EmbeddedBusOptions, 'dataDir'>>;

function open(dataDir: string, options: Options = {}, warnings: string[] = []): Promise<EmbeddedBus> {
  return createEmbeddedBus({ dataDir, retentionCheckIntervalMs: 0, onWarning: (m) => warnings.push(m), ...options });
}

async function fixture(options: Options = {}): Promise<BusFixture> {
  const dataDir = await tempDir();
  let bus = await open(dataDir, options);
  return {
    bus,
    reopen: async () => {
      await bus.close();
      bus = await open(dataDir, options);
      return bus;
    },
    cleanup: async () => {
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

busContractSuite('embedded', () => fixture());
busContractSuite('embedded, 4 KiB segments, no cache', () =>
  fixture({ segmentBytes: 4096, cacheBytesPerPartition: 0 }),
);

async function readAll(bus: Bus, topic: string, partition: number): Promise<BusRecord[]> {
  const out: BusRecord[] = [];
  for await (const batch of bus.read(topic, partition, 0, Number.MAX_SAFE_INTEGER)) out.push(...batch);
  return out;
}

function segmentPath(dataDir: string, topic: string, partition: number, baseOffset = 0): string {
  return join(dataDir, 'topics', topic, String(partition), `${String(baseOffset).padStart(20, '0')}.log`);
}

async function segmentFiles(dataDir: string, topic: string, partition: number): Promise<string[]> {
  return (await readdir(join(dataDir, 'topics', topic, String(partition)))).filter((f) => f.endsWith('.log')).sort();
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('embedded bus: crash durability', () => {
  test('kill -9 mid-stream loses no acknowledged record and duplicates none', { timeout: 60_000 }, async () => {
    const dataDir = await tempDir();
    const topic = 'crash';
    const childScript = fileURLToPath(new URL('./bus-embedded-crash-child.js', import.meta.url));
    const child = spawn(process.execPath, [childScript, dataDir, topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );

    // Never leave the child running, whatever happens to this test.
    const safety = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const acknowledged = new Map<string, string>(); // "partition:offset" → value
    try {
      const lines = createInterface({ input: child.stdout });
      for await (const line of lines) {
        if (line === 'ready') continue;
        const [partition, offset, value] = line.split(' ');
        acknowledged.set(`${partition}:${offset}`, value);
        if (acknowledged.size >= 5000) child.kill('SIGKILL'); // mid-stream: 32 producers are busy
      }
    } finally {
      clearTimeout(safety);
      child.kill('SIGKILL');
    }
    assert.equal(await exited, 'SIGKILL', `child should be killed, not exit on its own; stderr: ${stderr}`);
    assert.ok(acknowledged.size >= 5000, `${acknowledged.size} acknowledged records`);

    const warnings: string[] = [];
    const bus = await open(dataDir, {}, warnings);
    try {
      const stored = new Map<string, string>();
      const values = new Map<string, number>();
      for (let partition = 0; partition < 4; partition++) {
        const records = await readAll(bus, topic, partition);
        assert.deepEqual(
          records.map((r) => r.offset),
          range(0, records.length),
          `partition ${partition} has contiguous offsets`,
        );
        for (const r of records) {
          const value = r.value.toString().split(' ')[0];
          stored.set(`${partition}:${r.offset}`, value);
          values.set(value, (values.get(value) ?? 0) + 1);
        }
      }
      for (const [position, value] of acknowledged) {
        assert.equal(stored.get(position), value, `acknowledged record ${value} at ${position}`);
      }
      const duplicated = [...values].filter(([, n]) => n > 1);
      assert.deepEqual(duplicated, [], 'no record stored twice');
      assert.ok(stored.size >= acknowledged.size);
      // The recovered bus takes new records right after the recovered ones.
      const [next] = await bus.produce(topic, [{ key: null, value: 'after crash' }]);
      const bounds = await bus.partitionBounds(topic, next.partition);
      assert.equal(next.offset, bounds.latest - 1);
    } finally {
      await bus.close();
    }
  });
});

describe('embedded bus: torn and corrupt tails', () => {
  async function withTenRecords(): Promise<{ dataDir: string; path: string; size: number }> {
    const dataDir = await tempDir();
    const bus = await open(dataDir);
    await bus.ensureTopics([{ name: 't', partitions: 1 }]);
    await bus.produce(
      't',
      range(0, 10).map((i) => ({ key: `k${i}`, value: `value-${i}` })),
    );
    await bus.close();
    const path = segmentPath(dataDir, 't', 0);
    return { dataDir, path, size: (await stat(path)).size };
  }

  async function expectRecords(dataDir: string, count: number, warnings: string[]): Promise<void> {
    const bus = await open(dataDir, {}, warnings);
    try {
      assert.deepEqual(await bus.partitionBounds('t', 0), { earliest: 0, latest: count });
      const records = await readAll(bus, 't', 0);
      assert.deepEqual(
        records.map((r) => r.value.toString()),
        range(0, count).map((i) => `value-${i}`),
      );
      const [next] = await bus.produce('t', [{ key: null, value: 'next' }]);
      assert.equal(next.offset, count);
    } finally {
      await bus.close();
    }
    // What was written after the repair survives another reopen, which finds nothing left to repair.
    const warningsAgain: string[] = [];
    const again = await open(dataDir, {}, warningsAgain);
    try {
      const records = await readAll(again, 't', 0);
      assert.equal(records.length, count + 1);
      assert.equal(records[count].value.toString(), 'next');
      assert.deepEqual(warningsAgain, []);
    } finally {
      await again.close();
    }
  }

  test('garbage after the last record is dropped on open', async () => {
    const { dataDir, path, size } = await withTenRecords();
    const junk = Buffer.from('this is not a record frame, just junk from a torn write');
    await appendFile(path, junk);
    const warnings: string[] = [];
    await expectRecords(dataDir, 10, warnings);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], new RegExp(`dropped ${junk.length} bytes after position ${size}`));
    assert.ok((await stat(path)).size > size);
  });

  test('a zero-filled tail (file extended, data never written) is dropped', async () => {
    const { dataDir, path } = await withTenRecords();
    await appendFile(path, Buffer.alloc(4096));
    const warnings: string[] = [];
    await expectRecords(dataDir, 10, warnings);
    assert.equal(warnings.length, 1);
  });

  test('a half-written last record is dropped', async () => {
    const { dataDir, path, size } = await withTenRecords();
    await truncate(path, size - 7);
    const warnings: string[] = [];
    await expectRecords(dataDir, 9, warnings);
    assert.match(warnings[0], /incomplete frame/);
  });

  test('a last record with a flipped bit fails its CRC and is dropped', async () => {
    const { dataDir, path, size } = await withTenRecords();
    const bytes = await readFile(path);
    bytes[size - 2] ^= 0x10;
    await writeFile(path, bytes);
    const warnings: string[] = [];
    await expectRecords(dataDir, 9, warnings);
    assert.match(warnings[0], /corrupt frame/);
  });

  test('a record length pointing past the end of the file is dropped', async () => {
    const { dataDir, path } = await withTenRecords();
    const header = Buffer.alloc(8);
    header.writeUInt32LE(1_000_000, 0);
    await appendFile(path, header);
    const warnings: string[] = [];
    await expectRecords(dataDir, 10, warnings);
    assert.equal(warnings.length, 1);
  });
});

async function sizes(dataDir: string, topic: string): Promise<Array<{ file: string; size: number }>> {
  const files = await segmentFiles(dataDir, topic, 0);
  return Promise.all(
    files.map(async (file) => ({ file, size: (await stat(join(dataDir, 'topics', topic, '0', file))).size })),
  );
}

describe('embedded bus: retention', () => {
  test('retentionBytes deletes the oldest whole segments, keeping at least retentionBytes', async () => {
    const dataDir = await tempDir();
    const bus = await open(dataDir, { segmentBytes: 4096 });
    try {
      await bus.ensureTopics([{ name: 'sized', partitions: 1, retentionBytes: 20_000 }]);
      const padding = 'v'.repeat(300);
      for (let i = 0; i < 200; i += 10) {
        await bus.produce(
          'sized',
          range(i, i + 10).map((n) => ({ key: null, value: `${n} ${padding}` })),
        );
      }
      const before = await sizes(dataDir, 'sized');
      assert.ok(before.length > 10, `${before.length} segments`);

      const deleted = await bus.runRetention();
      const after = await sizes(dataDir, 'sized');
      assert.equal(after.length, before.length - deleted);
      assert.deepEqual(after, before.slice(deleted), 'the oldest segments went, whole');
      const total = after.reduce((sum, s) => sum + s.size, 0);
      assert.ok(total >= 20_000, `kept ${total} bytes`);
      assert.ok(total - after[0].size < 20_000, 'nothing more could go without dropping below retentionBytes');

      const earliest = Number(after[0].file.slice(0, 20));
      assert.ok(earliest > 0);
      assert.deepEqual(await bus.partitionBounds('sized', 0), { earliest, latest: 200 });
      const records = await readAll(bus, 'sized', 0);
      assert.deepEqual(
        records.map((r) => r.offset),
        range(earliest, 200),
        'reads start at the earliest retained record',
      );
      assert.deepEqual(await bus.groupPositions('fresh', 'sized'), [
        { partition: 0, committed: -1, latest: 200, lag: 200 - earliest },
      ]);
      assert.equal(await bus.runRetention(), 0, 'retention is idempotent');
    } finally {
      await bus.close();
    }
    // The earliest offset survives a restart.
    const reopened = await open(dataDir);
    try {
      const { earliest } = await reopened.partitionBounds('sized', 0);
      assert.ok(earliest > 0);
    } finally {
      await reopened.close();
    }
  });

  test('retentionMs deletes segments whose records are all older, including an idle active segment', async () => {
    const dataDir = await tempDir();
    const bus = await open(dataDir, { segmentBytes: 4096 });
    try {
      await bus.ensureTopics([{ name: 'aged', partitions: 1, retentionMs: 60_000 }]);
      const now = Date.now();
      const padding = 'v'.repeat(300);
      for (let i = 0; i < 60; i += 10) {
        await bus.produce(
          'aged',
          range(i, i + 10).map((n) => ({ key: null, value: `${n} ${padding}`, timestamp: now - 3_600_000 })),
        );
      }
      for (let i = 60; i < 80; i += 10) {
        await bus.produce(
          'aged',
          range(i, i + 10).map((n) => ({ key: null, value: `${n} ${padding}`, timestamp: now })),
        );
      }
      assert.ok((await bus.runRetention(now)) > 0);
      const { earliest, latest } = await bus.partitionBounds('aged', 0);
      assert.equal(latest, 80);
      assert.ok(earliest > 0 && earliest <= 60, `earliest ${earliest}`);
      const records = await readAll(bus, 'aged', 0);
      assert.ok(records.every((r) => r.offset >= earliest));
      assert.deepEqual(
        records.filter((r) => r.timestamp === now).map((r) => r.offset),
        range(60, 80),
        'fresh records kept',
      );

      // Later, everything has expired: even the active segment goes, the log end stays.
      assert.ok((await bus.runRetention(now + 120_000)) > 0);
      assert.deepEqual(await bus.partitionBounds('aged', 0), { earliest: 80, latest: 80 });
      assert.deepEqual(await readAll(bus, 'aged', 0), []);
      const [next] = await bus.produce('aged', [{ key: null, value: 'new' }]);
      assert.equal(next.offset, 80);
      assert.deepEqual(
        (await readAll(bus, 'aged', 0)).map((r) => r.value.toString()),
        ['new'],
      );
    } finally {
      await bus.close();
    }
  });

  test('a group whose committed offset was deleted resumes at the earliest retained record, with a warning', async () => {
    const dataDir = await tempDir();
    const warnings: string[] = [];
    const bus = await open(dataDir, { segmentBytes: 4096 }, warnings);
    try {
      await bus.ensureTopics([{ name: 'lagging', partitions: 1, retentionBytes: 8_000 }]);
      await bus.seekGroupToTimestamp('slow', 'lagging', 0); // commits offset 0
      const padding = 'v'.repeat(300);
      for (let i = 0; i < 100; i += 10) {
        await bus.produce(
          'lagging',
          range(i, i + 10).map((n) => ({ key: null, value: `${n} ${padding}` })),
        );
      }
      await bus.runRetention();
      const { earliest } = await bus.partitionBounds('lagging', 0);
      assert.ok(earliest > 0);
      const received: number[] = [];
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      let assignedAt = -1;
      const sub = await bus.consume({
        groupId: 'slow',
        topics: ['lagging'],
        onAssigned: async ([a]) => {
          assignedAt = a.position;
        },
        handler: async (batch) => {
          received.push(...batch.map((r) => r.offset));
          if (received.length >= 100 - earliest) done();
        },
      });
      await all;
      await sub.stop();
      assert.equal(assignedAt, earliest);
      assert.deepEqual(received, range(earliest, 100));
      assert.deepEqual(warnings, [
        `embedded bus: group slow: offset 0 of lagging/0 is below the log start ${earliest}: ` +
          `retention deleted ${earliest} records this group had not read; resuming at ${earliest}`,
      ]);
    } finally {
      await bus.close();
    }
  });

  test('retention overtaking a consuming group: the group resumes at the log start, with a warning', async () => {
    const dataDir = await tempDir();
    const warnings: string[] = [];
    const bus = await open(dataDir, { segmentBytes: 4096, cacheBytesPerPartition: 0 }, warnings);
    try {
      await bus.ensureTopics([{ name: 'overtaken', partitions: 1, retentionBytes: 8_000 }]);
      const padding = 'v'.repeat(300);
      await bus.produce('overtaken', [{ key: null, value: `0 ${padding}` }]);
      const received: number[] = [];
      let inFlight!: () => void;
      const started = new Promise<void>((resolve) => (inFlight = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      const sub = await bus.consume({
        groupId: 'behind',
        topics: ['overtaken'],
        maxBatchRecords: 1,
        handler: async (batch) => {
          received.push(...batch.map((r) => r.offset));
          if (received.length === 1) {
            inFlight();
            await held; // the group is busy with offset 0 while the log grows past retention
          }
          if (received.at(-1) === 99) done();
        },
      });
      await started;
      for (let i = 1; i < 100; i += 11) {
        await bus.produce(
          'overtaken',
          range(i, Math.min(i + 11, 100)).map((n) => ({ key: null, value: `${n} ${padding}` })),
        );
      }
      await bus.runRetention();
      const { earliest } = await bus.partitionBounds('overtaken', 0);
      assert.ok(earliest > 1, `retention deleted records the group had not read (log start ${earliest})`);
      release();
      await all;
      await sub.stop();
      assert.deepEqual(received, [0, ...range(earliest, 100)]);
      assert.deepEqual(warnings, [
        `embedded bus: group behind: offset 1 of overtaken/0 is below the log start ${earliest}: ` +
          `retention deleted ${earliest - 1} records this group had not read; resuming at ${earliest}`,
      ]);
      const [position] = await bus.groupPositions('behind', 'overtaken');
      assert.equal(position.committed, 100);
    } finally {
      await bus.close();
    }
  });
});

describe('embedded bus: behaviour specific to this adapter', () => {
  test('records without a key go round-robin over the partitions', async () => {
    const { bus, cleanup } = await fixture();
    try {
      await bus.ensureTopics([{ name: 'rr', partitions: 4 }]);
      const positions = await bus.produce(
        'rr',
        range(0, 8).map(() => ({ key: null, value: 'x' })),
      );
      const counts = [0, 0, 0, 0];
      for (const p of positions) counts[p.partition]++;
      assert.deepEqual(counts, [2, 2, 2, 2]);
    } finally {
      await cleanup();
    }
  });

  test('fetch wait: the first record after a quiet spell at once; then small batches wait for fetchMinRecords or fetchMaxWaitMs', async () => {
    const { bus, cleanup } = await fixture({ fetchMinRecords: 10, fetchMaxWaitMs: 300 });
    try {
      await bus.ensureTopics([{ name: 'trickle', partitions: 1 }]);
      const batches: Array<{ values: string[]; at: number }> = [];
      const started = performance.now();
      const sub = await bus.consume({
        groupId: 'trickle-group',
        topics: ['trickle'],
        handler: async (batch) => void batches.push({ values: batch.map((r) => r.value.toString()), at: performance.now() - started }),
      });
      const until = async (n: number) => {
        for (let i = 0; i < 300 && batches.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      };
      try {
        await bus.produce('trickle', [{ key: 'k', value: 'first' }]);
        await until(1);
        assert.deepEqual(batches[0].values, ['first']);
        assert.ok(batches[0].at < 250, `the first record waited ${batches[0].at} ms`);

        // A trickle of three: one batch, once the wait is over (not one batch per record).
        const trickleFrom = performance.now() - started;
        for (const v of ['a', 'b', 'c']) await bus.produce('trickle', [{ key: 'k', value: v }]);
        await until(2);
        assert.deepEqual(batches[1].values, ['a', 'b', 'c']);
        assert.ok(batches[1].at - trickleFrom >= 200, `the trickle was delivered after ${batches[1].at - trickleFrom} ms`);

        // Ten at once while the worker waits after that small batch: the wait ends as they come,
        // not when its 300 ms are up.
        const burstFrom = performance.now() - started;
        assert.ok(burstFrom - batches[1].at < 100, 'still within the wait that followed the trickle');
        await bus.produce('trickle', range(0, 10).map((i) => ({ key: 'k', value: `x${i}` })));
        await until(3);
        assert.equal(batches[2].values.length, 10);
        assert.ok(batches[2].at - burstFrom < 200, `the burst was delivered after ${batches[2].at - burstFrom} ms`);
      } finally {
        await sub.stop();
      }
    } finally {
      await cleanup();
    }
  });

  test('fetch wait: a consumer whose batches are smaller than fetchMinRecords drains a backlog without waiting', async () => {
    const { bus, cleanup } = await fixture({ fetchMinRecords: 64, fetchMaxWaitMs: 300 });
    try {
      await bus.ensureTopics([{ name: 'small-batches', partitions: 1 }]);
      await bus.produce('small-batches', range(0, 10).map((i) => ({ key: 'k', value: String(i) })));
      const seen: string[] = [];
      const started = performance.now();
      const sub = await bus.consume({
        groupId: 'small-batches-group',
        topics: ['small-batches'],
        maxBatchRecords: 2,
        handler: async (batch) => void seen.push(...batch.map((r) => r.value.toString())),
      });
      try {
        for (let i = 0; i < 300 && seen.length < 10; i++) await new Promise((r) => setTimeout(r, 5));
        assert.deepEqual(seen, range(0, 10).map(String));
        // Five full batches of 2: no 300 ms wait between them.
        assert.ok(performance.now() - started < 600, `drained in ${performance.now() - started} ms`);
      } finally {
        await sub.stop();
      }
    } finally {
      await cleanup();
    }
  });

  test('fetch wait 0: no wait, every small batch goes at once; invalid settings refused', async () => {
    const { bus, cleanup } = await fixture({ fetchMinRecords: 1000, fetchMaxWaitMs: 0 });
    try {
      await bus.ensureTopics([{ name: 'nowait', partitions: 1 }]);
      const batches: string[][] = [];
      const sub = await bus.consume({
        groupId: 'nowait-group',
        topics: ['nowait'],
        handler: async (batch) => void batches.push(batch.map((r) => r.value.toString())),
      });
      try {
        const started = performance.now();
        for (const v of ['a', 'b', 'c']) {
          const before = batches.length;
          await bus.produce('nowait', [{ key: 'k', value: v }]);
          for (let i = 0; i < 200 && batches.length === before; i++) await new Promise((r) => setTimeout(r, 5));
        }
        assert.deepEqual(batches, [['a'], ['b'], ['c']]);
        assert.ok(performance.now() - started < 1000);
      } finally {
        await sub.stop();
      }
    } finally {
      await cleanup();
    }
    await assert.rejects(open(await tempDir(), { fetchMaxWaitMs: -1 }), /fetchMaxWaitMs/);
    await assert.rejects(open(await tempDir(), { fetchMinRecords: 0 }), /fetchMinRecords/);
  });

  test('concurrent single-record produces get distinct, contiguous offsets', async () => {
    const { bus, cleanup } = await fixture();
    try {
      await bus.ensureTopics([{ name: 'concurrent', partitions: 2 }]);
      const positions = await Promise.all(
        range(0, 500).map((i) => bus.produce('concurrent', [{ key: `k${i % 10}`, value: String(i) }])),
      );
      for (const partition of [0, 1]) {
        const offsets = positions
          .flat()
          .filter((p) => p.partition === partition)
          .map((p) => p.offset)
          .sort((a, b) => a - b);
        assert.deepEqual(offsets, range(0, offsets.length));
      }
      const stored = [...(await readAll(bus, 'concurrent', 0)), ...(await readAll(bus, 'concurrent', 1))];
      assert.deepEqual(
        stored.map((r) => Number(r.value.toString())).sort((a, b) => a - b),
        range(0, 500),
      );
    } finally {
      await cleanup();
    }
  });

  test('offsetForTimestamp is exact with out-of-order timestamps across segments and index entries', async () => {
    const { bus, cleanup } = await fixture({ segmentBytes: 128 * 1024, cacheBytesPerPartition: 0 });
    try {
      await bus.ensureTopics([{ name: 'jitter', partitions: 1 }]);
      let seed = 42;
      const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const timestamps = range(0, 3000).map((i) => 1_000_000 + i * 10 + Math.floor(random() * 400) - 200);
      const padding = 'p'.repeat(100);
      for (let i = 0; i < timestamps.length; i += 100) {
        await bus.produce(
          'jitter',
          range(i, i + 100).map((n) => ({ key: null, value: padding, timestamp: timestamps[n] })),
        );
      }
      for (let q = 0; q < 300; q++) {
        const ts = 999_000 + Math.floor(random() * 32_000);
        const expected = timestamps.findIndex((t) => t >= ts);
        assert.equal(await bus.offsetForTimestamp('jitter', 0, ts), expected === -1 ? 3000 : expected, `ts ${ts}`);
      }
    } finally {
      await cleanup();
    }
  });

  test('invalid records are rejected whole, naming the record, and nothing is appended', async () => {
    const { bus, cleanup } = await fixture({ maxRecordBytes: 1024 });
    try {
      await bus.ensureTopics([{ name: 'v', partitions: 1 }]);
      const bad: unknown[] = [
        { key: null, value: 42 },
        { key: 7, value: 'x' },
        { key: null, value: 'x', headers: { a: 1 } },
        { key: null, value: 'x', timestamp: 'yesterday' },
        { key: null, value: 'x'.repeat(2000) },
        null,
      ];
      for (const record of bad) {
        await assert.rejects(
          bus.produce('v', [{ key: null, value: 'fine' }, record as never]),
          /"v": record 1/,
          JSON.stringify(record),
        );
      }
      await assert.rejects(bus.produce('v', 'nope' as never), /array/);
      await assert.rejects(bus.ensureTopics([{ name: '../escape', partitions: 1 }]), /invalid topic name/);
      await assert.rejects(bus.ensureTopics([{ name: 'zero', partitions: 0 }]), /partitions/);
      await assert.rejects(bus.offsetForTimestamp('v', 0, Number.NaN), /timestamp/);
      await assert.rejects(bus.consume({ groupId: '', topics: ['v'], handler: async () => {} }), /group id/);
      assert.deepEqual(await bus.partitionBounds('v', 0), { earliest: 0, latest: 0 });
      await bus.ping();
    } finally {
      await cleanup();
    }
  });

  test('close finishes produces already under way, then refuses new ones', async () => {
    const dataDir = await tempDir();
    const bus = await open(dataDir);
    await bus.ensureTopics([{ name: 'c', partitions: 1 }]);
    const inFlight = bus.produce('c', [{ key: null, value: 'last' }]);
    await bus.close();
    assert.equal((await inFlight)[0].offset, 0);
    await assert.rejects(bus.produce('c', [{ key: null, value: 'late' }]), /closed/);
    await assert.rejects(bus.ping(), /closed/);
    await bus.close(); // idempotent
    const reopened = await open(dataDir);
    try {
      assert.deepEqual(
        (await readAll(reopened, 'c', 0)).map((r) => r.value.toString()),
        ['last'],
      );
    } finally {
      await reopened.close();
    }
  });

  test('a consumer that produces can finish its in-flight batch while the bus closes', async () => {
    const dataDir = await tempDir();
    const bus = await open(dataDir);
    await bus.ensureTopics([
      { name: 'in', partitions: 1 },
      { name: 'out', partitions: 1 },
    ]);
    await bus.produce('in', [{ key: null, value: 'a' }]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inHandler = new Promise<void>((resolve) => (started = resolve));
    await bus.consume({
      groupId: 'stage',
      topics: ['in'],
      handler: async (batch) => {
        started();
        await gate;
        await bus.produce(
          'out',
          batch.map((r) => ({ key: r.key, value: r.value })),
        );
      },
    });
    await inHandler;
    const closed = bus.close();
    release();
    await closed;
    const reopened = await open(dataDir);
    try {
      assert.deepEqual(await reopened.groupPositions('stage', 'in'), [
        { partition: 0, committed: 1, latest: 1, lag: 0 },
      ]);
      assert.equal((await reopened.partitionBounds('out', 0)).latest, 1);
    } finally {
      await reopened.close();
    }
  });

  test('invalid options are refused', async () => {
    const dataDir = await tempDir();
    await assert.rejects(open(dataDir, { segmentBytes: 0 }), /segmentBytes/);
    await assert.rejects(open(dataDir, { maxRecordBytes: -1 }), /maxRecordBytes/);
  });

  test('records larger than the read and recovery buffers survive a reopen and read back from the files', async () => {
    const dataDir = await tempDir();
    const options: Options = { maxRecordBytes: 8 * 1024 * 1024, cacheBytesPerPartition: 0 };
    const big = (size: number, fill: number): Buffer => Buffer.alloc(size, fill);
    const bus = await open(dataDir, options);
    await bus.ensureTopics([{ name: 'big', partitions: 1 }]);
    await bus.produce('big', [
      { key: 'a', value: 'small' },
      { key: 'b', value: big(2 * 1024 * 1024, 1) },
      { key: 'c', value: big(5 * 1024 * 1024, 2) },
    ]);
    await bus.produce('big', [{ key: 'd', value: 'after' }]); // the big ones leave the cache
    await bus.close();
    const reopened = await open(dataDir, options);
    try {
      const records = await readAll(reopened, 'big', 0);
      assert.deepEqual(
        records.map((r) => [r.key, r.value.length]),
        [
          ['a', 5],
          ['b', 2 * 1024 * 1024],
          ['c', 5 * 1024 * 1024],
          ['d', 5],
        ],
      );
      assert.ok(records[2].value.every((byte) => byte === 2));
    } finally {
      await reopened.close();
    }
  });

  test('a data directory cannot be opened twice', async () => {
    const dataDir = await tempDir();
    const bus = await open(dataDir);
    try {
      await assert.rejects(open(dataDir), /already open/);
    } finally {
      await bus.close();
    }
    const again = await open(dataDir);
    await again.close();
  });

  test('a seek while a batch is in flight wins over that batch’s commit', async () => {
    const { bus, cleanup } = await fixture();
    try {
      await bus.ensureTopics([{ name: 's', partitions: 1 }]);
      const t0 = 1_700_000_000_000;
      await bus.produce(
        's',
        range(0, 20).map((i) => ({ key: null, value: String(i), timestamp: t0 + i })),
      );
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const firstBatchStarted = new Promise<void>((resolve) => (started = resolve));
      let finished!: () => void;
      const sawEnd = new Promise<void>((resolve) => (finished = resolve));
      const batches: number[][] = [];
      const sub = await bus.consume({
        groupId: 'g',
        topics: ['s'],
        maxBatchRecords: 5,
        handler: async (batch) => {
          batches.push(batch.map((r) => r.offset));
          if (batches.length === 1) {
            started();
            await gate;
          }
          if (batch[batch.length - 1].offset === 19) finished();
        },
      });
      await firstBatchStarted;
      await bus.seekGroupToTimestamp('g', 's', t0 + 12);
      release();
      await sawEnd;
      await sub.stop();
      assert.deepEqual(batches, [range(0, 5), range(12, 17), range(17, 20)]);
      assert.equal((await bus.groupPositions('g', 's'))[0].committed, 20);
    } finally {
      await cleanup();
    }
  });

  test('group assignment is balanced per topic and keeps partitions with their owners', () => {
    const counts = (plan: Map<number, Array<{ topic: string; partition: number }>>, topic: string): number[] =>
      [...plan.values()].map((tps) => tps.filter((tp) => tp.topic === topic).length);
    const owners = new Map<string, number>();
    const input = (members: number[]) => ({
      members: members.map((id) => ({ id, topics: ['a', 'b'] })),
      partitionCount: (topic: string) => (topic === 'a' ? 8 : 3),
      currentOwner: (topic: string, partition: number) => owners.get(`${topic}/${partition}`),
    });
    const remember = (plan: Map<number, Array<{ topic: string; partition: number }>>): void => {
      owners.clear();
      for (const [id, tps] of plan) for (const tp of tps) owners.set(`${tp.topic}/${tp.partition}`, id);
    };

    const one = assignPartitions(input([1]));
    assert.deepEqual(counts(one, 'a'), [8]);
    remember(one);
    const two = assignPartitions(input([1, 2]));
    assert.deepEqual(counts(two, 'a'), [4, 4]);
    assert.deepEqual(counts(two, 'b').sort(), [1, 2]);
    // Member 1 keeps partitions it had; only what member 2 needs moves.
    assert.ok(two.get(1)!.every((tp) => owners.get(`${tp.topic}/${tp.partition}`) === 1));
    remember(two);
    const three = assignPartitions(input([1, 2, 3]));
    assert.deepEqual(counts(three, 'a').sort(), [2, 3, 3]);
    const moved = [...three].flatMap(([id, tps]) =>
      tps.filter((tp) => owners.get(`${tp.topic}/${tp.partition}`) !== id),
    );
    assert.equal(moved.length, three.get(3)!.length, 'only the new member’s partitions moved');
    remember(three);
    const afterLeave = assignPartitions(input([1, 3]));
    const all = [...afterLeave.values()]
      .flat()
      .map((tp) => `${tp.topic}/${tp.partition}`)
      .sort();
    assert.equal(new Set(all).size, 11, 'every partition assigned exactly once');
    assert.deepEqual(counts(afterLeave, 'a'), [4, 4]);
  });

  test('an unreadable offsets file stops the open with a message naming the file', async () => {
    const dataDir = await tempDir();
    await (await open(dataDir)).close();
    await writeFile(join(dataDir, 'offsets.json'), '{ not json');
    await assert.rejects(open(dataDir), /offsets\.json/);
  });
});
