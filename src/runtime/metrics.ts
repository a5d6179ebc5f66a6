/**
 * Prometheus metrics (prom-client): process figures plus, per consumer group, the committed
 * offsets, log end offsets and lag of its topic — the numbers an operator watches to see whether
 * log0 keeps up. Collected on scrape; nothing is counted on the hot path.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Bus } from '../bus/port.js';
import { localConsumption } from './consumption-meter.js';
import { namedThreads, threadCpuSeconds } from './thread-cpu.js';

export interface ConsumerGroupRef {
  groupId: string;
  topic: string;
}

export function createMetricsRegistry(bus: Bus, groups: ConsumerGroupRef[]): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'log0_' });

  interface Snapshot {
    perGroup: Array<{ groupId: string; topic: string; lag: number; committed: number }>;
    endOffsets: Map<string, number>;
  }
  // prom-client collects gauges concurrently: the three share one read of the bus per scrape.
  let inFlight: Promise<Snapshot> | undefined;
  const snapshot = (): Promise<Snapshot> =>
    (inFlight ??= (async () => {
      const result: Snapshot = { perGroup: [], endOffsets: new Map() };
      for (const { groupId, topic } of groups) {
        const positions = await bus.groupPositions(groupId, topic);
        let lag = 0;
        let committed = 0;
        let end = 0;
        for (const p of positions) {
          lag += p.lag;
          committed += Math.max(p.committed, 0);
          end += p.latest;
        }
        result.perGroup.push({ groupId, topic, lag, committed });
        result.endOffsets.set(topic, end);
      }
      return result;
    })().finally(() => (inFlight = undefined)));

  new Gauge({
    name: 'log0_consumer_lag',
    help: 'Records on the topic not yet committed by the consumer group (sum over partitions).',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of (await snapshot()).perGroup) this.set({ group: g.groupId, topic: g.topic }, g.lag);
    },
  });
  new Gauge({
    name: 'log0_consumer_committed_records',
    help: 'Records committed by the consumer group (sum of committed offsets over partitions).',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of (await snapshot()).perGroup) this.set({ group: g.groupId, topic: g.topic }, g.committed);
    },
  });
  /** A gauge per consumer group of what this thread's consumers counted (consumption-meter.ts). */
  const localGauge = (name: string, help: string, figure: (c: ReturnType<typeof localConsumption>[number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['group', 'topic'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const c of localConsumption()) this.set({ group: c.groupId, topic: c.topic }, figure(c));
      },
    });
  localGauge(
    'log0_consumer_assigned_partitions',
    'Partitions this process holds now, per consumer group (scale-out: how the partitions are shared).',
    (c) => c.partitions,
  );
  localGauge(
    'log0_consumer_processed_records',
    'Records this process has processed and committed since it started, per consumer group.',
    (c) => c.processed,
  );
  localGauge(
    'log0_consumer_batches',
    'Batches (handler calls) processed and committed since start by the consumers of the thread serving this endpoint, per consumer group; processed records ÷ batches is the mean batch size.',
    (c) => c.batches,
  );
  new Gauge({
    name: 'log0_thread_cpu_seconds',
    help:
      "CPU seconds (user + system) each of log0's own threads has used (Linux; reported where the threads are started: the gateway's endpoint in log0 up). The process total also counts the embedded databases' threads, V8's garbage-collection helpers and libuv's pool.",
    labelNames: ['thread'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [thread, tid] of namedThreads()) {
        const seconds = threadCpuSeconds(tid);
        if (seconds !== null) this.set({ thread }, seconds);
      }
    },
  });
  new Gauge({
    name: 'log0_topic_end_offset',
    help: 'Records ever appended to the topic (sum of log end offsets over partitions).',
    labelNames: ['topic'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [topic, end] of (await snapshot()).endOffsets) this.set({ topic }, end);
    },
  });
  return registry;
}
