import { randomUUID } from 'node:crypto';
import { partitionForKey } from '../../src/bus/partitioner.js';

/** One tenant id per partition 0 … count-1 of a topic with `partitions` partitions (records are keyed by tenant). */
export function tenantsOnDistinctPartitions(count: number, partitions = count): string[] {
  const byPartition = new Map<number, string>();
  while (byPartition.size < count) {
    const tenant = randomUUID();
    const partition = partitionForKey(tenant, partitions);
    if (!byPartition.has(partition)) byPartition.set(partition, tenant);
  }
  return [...byPartition.values()];
}
