/**
 * What this process consumes, per consumer group and topic: the partitions it holds now and the
 * records it has processed. Lag is a property of the group (metrics.ts reads it from the bus);
 * these are per process, so an operator scaling a service out sees how the work is shared.
 */
import type { BusRecord, ConsumeOptions } from '../bus/port.js';

interface Consumption {
  groupId: string;
  topic: string;
  partitions: Set<number>;
  processed: number;
  /** Handler calls that processed records: processed ÷ batches is the mean batch size. */
  batches: number;
}

const consumption = new Map<string, Consumption>();

function entry(groupId: string, topic: string): Consumption {
  const key = `${groupId}\u0000${topic}`;
  let found = consumption.get(key);
  if (!found) {
    found = { groupId, topic, partitions: new Set(), processed: 0, batches: 0 };
    consumption.set(key, found);
  }
  return found;
}

/** The same options, with the handler and the assignment callbacks counted. */
export function metered(options: ConsumeOptions): ConsumeOptions {
  const { groupId, handler, onAssigned, onRevoked } = options;
  for (const topic of options.topics) entry(groupId, topic);
  return {
    ...options,
    handler: async (batch: BusRecord[]) => {
      await handler(batch);
      if (batch.length > 0) {
        const counted = entry(groupId, batch[0].topic);
        counted.processed += batch.length;
        counted.batches++;
      }
    },
    onAssigned: async (assigned) => {
      for (const a of assigned) entry(groupId, a.topic).partitions.add(a.partition);
      await onAssigned?.(assigned);
    },
    onRevoked: async (revoked) => {
      for (const r of revoked) entry(groupId, r.topic).partitions.delete(r.partition);
      await onRevoked?.(revoked);
    },
  };
}

export function localConsumption(): Array<{ groupId: string; topic: string; partitions: number; processed: number; batches: number }> {
  return [...consumption.values()].map((c) => ({
    groupId: c.groupId,
    topic: c.topic,
    partitions: c.partitions.size,
    processed: c.processed,
    batches: c.batches,
  }));
}
