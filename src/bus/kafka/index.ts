/**
 * The Kafka adapter of the Bus port, for log0 deployments on an Apache Kafka cluster.
 * See kafka-bus.ts for what it maps where, and group-member.ts for consumer-group semantics.
 */
import type { Bus } from '../port.js';
import { KafkaBus } from './kafka-bus.js';
import type { KafkaBusOptions } from './options.js';
import { readZstdWithoutZlib } from './zstd.js';

export { KafkaBus, type KafkaBusOptions };

/**
 * Creates a Kafka bus. Connections are made on first use, so this succeeds while the cluster is
 * down; ping() reports whether it can serve.
 */
export async function createKafkaBus(options: KafkaBusOptions): Promise<Bus> {
  readZstdWithoutZlib();
  return KafkaBus.create(options);
}
