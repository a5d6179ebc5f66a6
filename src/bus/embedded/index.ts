/**
 * The embedded bus adapter: a durable, partitioned log on local files with in-process consumer
 * groups, implementing the Bus port for single-node log0.
 */
import { EmbeddedBus } from './embedded-bus.js';
import type { EmbeddedBusOptions } from './options.js';

export { EmbeddedBus, type EmbeddedBusOptions };

/** Opens (creating if needed) an embedded bus in options.dataDir, recovering from any crash of the last run. */
export function createEmbeddedBus(options: EmbeddedBusOptions): Promise<EmbeddedBus> {
  return EmbeddedBus.open(options);
}
