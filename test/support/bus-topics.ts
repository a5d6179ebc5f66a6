/** Reading a whole topic back in tests: every record of every partition, partition by partition. */
import type { Bus, BusRecord } from '../../src/bus/port.js';

export async function readTopic(bus: Bus, topic: string): Promise<BusRecord[]> {
  const out: BusRecord[] = [];
  for (let partition = 0; partition < (await bus.partitionCount(topic)); partition++) {
    const { earliest, latest } = await bus.partitionBounds(topic, partition);
    for await (const batch of bus.read(topic, partition, earliest, latest)) out.push(...batch);
  }
  return out;
}
