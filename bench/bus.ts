/**
 * Embedded bus benchmark: batch produce throughput, single-record produce latency under
 * concurrency (group commit), and consume throughput (from the files and from the memory cache).
 * Usage: node dist/bench/bus.js [--seconds 5] [--partitions 8] [--dir /path/on/the/disk/to/test]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEmbeddedBus } from '../src/bus/embedded/index.js';
import type { Bus, ProduceRecord } from '../src/bus/port.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    partitions: { type: 'string', default: '8' },
    dir: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const PARTITIONS = Number(args.partitions);
const VALUE = JSON.stringify({ tenantId: 't-1', service: 'checkout', level: 'error', message: 'x'.repeat(330) });

function record(i: number): ProduceRecord {
  return { key: `tenant-${i % 97}`, value: VALUE, headers: { 'content-type': 'application/json' } };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function batchProduce(bus: Bus, topic: string, producers: number): Promise<number> {
  const batch = Array.from({ length: 1000 }, (_, i) => record(i));
  const deadline = performance.now() + SECONDS * 1000;
  let records = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (performance.now() < deadline) {
        await bus.produce(topic, batch);
        records += batch.length;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `produce, batches of 1000 x ~${VALUE.length} B, ${producers} producer(s): ${Math.round(records / seconds).toLocaleString()} records/s ` +
      `(${((records * VALUE.length) / seconds / 1e6).toFixed(1)} MB/s of values, CPU ${(cpuMs(cpu) / seconds / 10).toFixed(0)}% of one core)`,
  );
  return records;
}

async function singleProduce(bus: Bus, topic: string, producers: number): Promise<number> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async (_, id) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t = performance.now();
        await bus.produce(topic, [record(id * 1_000_000 + i)]);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `produce, single records, ${producers} concurrent producers: ${Math.round(latencies.length / seconds).toLocaleString()} records/s, ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms ` +
      `(CPU ${(cpuMs(cpu) / seconds / 10).toFixed(0)}% of one core)`,
  );
  return latencies.length;
}

/**
 * Open loop: single-record produces at a fixed rate, latency measured from the moment each was due
 * (so a stall counts against every record it delays, not just the one in flight).
 */
async function fixedRateProduce(bus: Bus, topic: string, ratePerSecond: number): Promise<void> {
  const latencies: number[] = [];
  const total = ratePerSecond * SECONDS;
  const pending: Array<Promise<void>> = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerSecond));
    for (; sent < due; sent++) {
      const dueAt = start + (sent / ratePerSecond) * 1000;
      pending.push(bus.produce(topic, [record(sent)]).then(() => void latencies.push(performance.now() - dueAt)));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  console.log(
    `produce, single records at a fixed ${ratePerSecond.toLocaleString()}/s: p50 ${percentile(latencies, 50).toFixed(2)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1].toFixed(2)} ms ` +
      `(CPU ${(cpuMs(cpu) / seconds / 10).toFixed(0)}% of one core)`,
  );
}

async function consumeAll(bus: Bus, topic: string, expected: number, label: string): Promise<void> {
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const subscription = await bus.consume({
    groupId: `bench-${label}-${Date.now()}`,
    topics: [topic],
    maxBatchRecords: 1000,
    handler: async (batch) => {
      received += batch.length;
      if (received >= expected) done();
    },
  });
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await subscription.stop();
  console.log(
    `consume ${label}: ${Math.round(received / seconds).toLocaleString()} records/s (${received.toLocaleString()} records, ` +
      `CPU ${(cpuMs(cpu) / seconds / 10).toFixed(0)}% of one core)`,
  );
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(args.dir ?? tmpdir(), 'log0-bus-bench-'));
  const bus = await createEmbeddedBus({ dataDir, retentionCheckIntervalMs: 0 });
  try {
    await bus.ensureTopics([
      { name: 'batches', partitions: PARTITIONS },
      { name: 'singles', partitions: PARTITIONS },
    ]);
    console.log(`embedded bus bench: ${PARTITIONS} partitions, ${SECONDS} s per run, data in ${dataDir}`);
    const one = await batchProduce(bus, 'batches', 1);
    const four = await batchProduce(bus, 'batches', 4);
    await singleProduce(bus, 'singles', 64);
    await fixedRateProduce(bus, 'singles', 10_000);
    await consumeAll(bus, 'batches', one + four, 'from the start (mostly from files)');

    // Consumer keeping up with producers: the records come from the memory cache.
    let received = 0;
    let produced = 0;
    const subscription = await bus.consume({
      groupId: `bench-live-${Date.now()}`,
      topics: ['singles'],
      resetTo: 'latest',
      maxBatchRecords: 1000,
      handler: async (batch) => {
        received += batch.length;
      },
    });
    const batch = Array.from({ length: 1000 }, (_, i) => record(i));
    const start = performance.now();
    while (performance.now() - start < SECONDS * 1000) {
      await bus.produce('singles', batch);
      produced += batch.length;
    }
    await subscription.stop();
    const seconds = (performance.now() - start) / 1000;
    console.log(
      `produce + live consume (same process): ${Math.round(produced / seconds).toLocaleString()} records/s produced, ` +
        `${Math.round(received / seconds).toLocaleString()} records/s consumed`,
    );
  } finally {
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
