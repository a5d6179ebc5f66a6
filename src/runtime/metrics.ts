/**
 * Prometheus metrics (prom-client): process figures plus, per consumer group, the committed
 * offsets, log end offsets and lag of its topic — the numbers an operator watches to see whether
 * log0 keeps up. Collected on scrape; nothing is counted on the hot path.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Bus } from '../bus/port.js';

export interface ConsumerGroupRef {
  groupId: string;
  topic: string;
}

export function createMetricsRegistry(bus: Bus, groups: ConsumerGroupRef[]): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'log0_' });

  const lag = new Gauge({
    name: 'log0_consumer_lag',
    help: 'Records on the topic not yet committed by the consumer group (sum over partitions).',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
  });
  const committed = new Gauge({
    name: 'log0_consumer_committed_records',
    help: 'Records committed by the consumer group (sum of committed offsets over partitions).',
    labelNames: ['group', 'topic'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'log0_topic_end_offset',
    help: 'Records ever appended to the topic (sum of log end offsets over partitions).',
    labelNames: ['topic'] as const,
    registers: [registry],
    async collect() {
      lag.reset();
      committed.reset();
      this.reset();
      const ends = new Map<string, number>();
      for (const { groupId, topic } of groups) {
        const positions = await bus.groupPositions(groupId, topic);
        let lagSum = 0;
        let committedSum = 0;
        let endSum = 0;
        for (const p of positions) {
          lagSum += p.lag;
          committedSum += Math.max(p.committed, 0);
          endSum += p.latest;
        }
        lag.set({ group: groupId, topic }, lagSum);
        committed.set({ group: groupId, topic }, committedSum);
        ends.set(topic, endSum);
      }
      for (const [topic, value] of ends) this.set({ topic }, value);
    },
  });
  return registry;
}
