/**
 * Child process for the embedded bus crash test (bus-embedded.test.ts): produces records as fast as
 * it can from many concurrent producers and prints one line per acknowledged record,
 * `<partition> <offset> <value>`, until the parent kills it with SIGKILL.
 * Usage: node bus-embedded-crash-child.js <dataDir> <topic>
 */
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';

const [dataDir, topic] = process.argv.slice(2);
if (!dataDir || !topic) {
  process.stderr.write('usage: bus-embedded-crash-child <dataDir> <topic>\n');
  process.exit(2);
}

const bus = await createEmbeddedBus({ dataDir, segmentBytes: 64 * 1024, retentionCheckIntervalMs: 0 });
await bus.ensureTopics([{ name: topic, partitions: 4 }]);
process.stdout.write('ready\n');

const PRODUCERS = 32;
const padding = 'x'.repeat(200);

async function producer(id: number): Promise<void> {
  for (let seq = 0; ; seq++) {
    // Mix single-record produces (group commit) with small batches spanning partitions.
    const count = seq % 4 === 0 ? 25 : 1;
    const values = Array.from({ length: count }, (_, i) => `${id}-${seq}-${i}`);
    const positions = await bus.produce(
      topic,
      values.map((value, i) => ({ key: i % 5 === 0 ? null : `key-${id}-${i}`, value: `${value} ${padding}` })),
    );
    process.stdout.write(positions.map((p, i) => `${p.partition} ${p.offset} ${values[i]}\n`).join(''));
  }
}

await Promise.all(Array.from({ length: PRODUCERS }, (_, id) => producer(id)));
