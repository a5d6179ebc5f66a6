/**
 * Kafka adapter benchmark against a real broker: produce N ~500-byte JSON records in batches
 * through Bus.produce (idempotent producer, acks = all), then consume them all back through a
 * consumer group (handler does nothing but count), and print records/s for both.
 * Usage: node dist/bench/kafka-client.js [--records 200000] [--batch 1000] [--partitions 6]
 *        [--producers 1] [--max-batch-records 500]
 * Brokers: KAFKA_BROKERS, else 127.0.0.1:9092 (started with scripts/kafka.sh if nothing serves there).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { createKafkaBus } from '../src/bus/kafka/index.js';
import type { Bus, BusRecord, ProduceRecord } from '../src/bus/port.js';
import { kafkaBrokers } from '../test/support/kafka-broker.js';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '1000' },
    partitions: { type: 'string', default: '6' },
    producers: { type: 'string', default: '1' },
    'max-batch-records': { type: 'string', default: '500' },
  },
});
const RECORDS = Number(args.records);
const BATCH = Number(args.batch);
const PARTITIONS = Number(args.partitions);
const PRODUCERS = Number(args.producers);
const MAX_BATCH_RECORDS = Number(args['max-batch-records']);

/** A log event of about 500 bytes, as the gateway puts on raw-logs. */
function value(i: number): string {
  const event = {
    tenantId: `tenant-${i % 97}`,
    receivedAt: new Date(1_700_000_000_000 + i).toISOString(),
    log: {
      timestamp: new Date(1_700_000_000_000 + i).toISOString(),
      service: 'checkout',
      level: 'error',
      message: `payment provider timeout after 3000 ms (order ${i})`,
      attributes: { host: `pod-${i % 12}`, region: 'eu-west-1' },
    },
    padding: '',
  };
  const base = JSON.stringify(event).length;
  event.padding = 'x'.repeat(Math.max(0, 500 - base));
  return JSON.stringify(event);
}

function cpuPercent(start: NodeJS.CpuUsage, seconds: number): string {
  const used = process.cpuUsage(start);
  return `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core`;
}

async function produceAll(bus: Bus, topic: string): Promise<{ seconds: number; bytes: number }> {
  const batches: ProduceRecord[][] = [];
  let bytes = 0;
  for (let start = 0; start < RECORDS; start += BATCH) {
    const batch: ProduceRecord[] = [];
    for (let i = start; i < Math.min(RECORDS, start + BATCH); i++) {
      const v = value(i);
      bytes += v.length;
      batch.push({ key: `tenant-${i % 97}`, value: v, headers: { 'content-type': 'application/json' } });
    }
    batches.push(batch);
  }
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async () => {
      while (next < batches.length) await bus.produce(topic, batches[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `produce: ${RECORDS.toLocaleString()} records (~${Math.round(bytes / RECORDS)} B) in batches of ${BATCH}, ` +
      `${PRODUCERS} concurrent caller(s), acks=all: ${Math.round(RECORDS / seconds).toLocaleString()} records/s, ` +
      `${(bytes / seconds / 1e6).toFixed(1)} MB/s (${seconds.toFixed(2)} s; client CPU ${cpuPercent(cpu, seconds)})`,
  );
  return { seconds, bytes };
}

async function consumeAll(bus: Bus, topic: string, bytes: number): Promise<void> {
  let count = 0;
  const last = new Map<number, number>();
  let outOfOrder = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const subscription = await bus.consume({
    groupId: `bench-${randomUUID().slice(0, 8)}`,
    topics: [topic],
    maxBatchRecords: MAX_BATCH_RECORDS,
    handler: async (batch: BusRecord[]) => {
      for (const r of batch) {
        if ((last.get(r.partition) ?? -1) + 1 !== r.offset) outOfOrder++;
        last.set(r.partition, r.offset);
      }
      count += batch.length;
      if (count >= RECORDS) done();
    },
  });
  await all;
  const seconds = (performance.now() - started) / 1000;
  await subscription.stop();
  console.log(
    `consume: ${count.toLocaleString()} records through a consumer group (batches ≤ ${MAX_BATCH_RECORDS}, commit per batch): ` +
      `${Math.round(count / seconds).toLocaleString()} records/s, ${(bytes / seconds / 1e6).toFixed(1)} MB/s ` +
      `(${seconds.toFixed(2)} s from consume() to the last record, incl. joining the group; client CPU ${cpuPercent(cpu, seconds)})`,
  );
  if (outOfOrder > 0) console.log(`  ${outOfOrder} records out of offset order!`);
}

async function main(): Promise<void> {
  const brokers = await kafkaBrokers();
  const bus = await createKafkaBus({
    brokers,
    clientId: 'log0-bench',
    onWarning: (message) => console.warn(`warning: ${message}`),
  });
  const topic = `bench-${randomUUID().slice(0, 8)}`;
  console.log(`Kafka at ${brokers.join(',')}, topic ${topic} with ${PARTITIONS} partitions`);
  try {
    await bus.ensureTopics([{ name: topic, partitions: PARTITIONS }]);
    const { bytes } = await produceAll(bus, topic);
    await consumeAll(bus, topic, bytes);
  } finally {
    await bus.close();
    const admin = new Admin({ clientId: 'log0-bench-cleanup', bootstrapBrokers: brokers });
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}

await main();
