import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';
import { metered } from '../../src/runtime/consumption-meter.js';
import { createMetricsRegistry } from '../../src/runtime/metrics.js';
import { removeDir, tempDataDir } from '../support/platform-process.js';

test('metrics: consumer lag, committed records and topic end offsets per group', async () => {
  const dir = tempDataDir('log0-metrics-');
  const bus = await createEmbeddedBus({ dataDir: dir });
  try {
    await bus.ensureTopics([{ name: 't', partitions: 2 }]);
    await bus.produce('t', Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const seen: number[] = [];
    let handlerCalls = 0;
    const sub = await bus.consume(
      metered({
        groupId: 'g-done',
        topics: ['t'],
        handler: async (batch) => {
          if (batch.length > 0) handlerCalls++;
          seen.push(...batch.map((r) => r.offset));
        },
      }),
    );
    while (seen.length < 10) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    const text = await createMetricsRegistry(bus, [
      { groupId: 'g-done', topic: 't' },
      { groupId: 'g-never', topic: 't' },
    ]).metrics();
    assert.match(text, /^log0_consumer_lag\{group="g-done",topic="t"\} 0$/m);
    assert.match(text, /^log0_consumer_lag\{group="g-never",topic="t"\} 10$/m);
    assert.match(text, /^log0_consumer_committed_records\{group="g-done",topic="t"\} 10$/m);
    assert.match(text, /^log0_topic_end_offset\{topic="t"\} 10$/m);
    // This process's own share, as the consume loops count it (metered): records and batches.
    assert.match(text, /^log0_consumer_processed_records\{group="g-done",topic="t"\} 10$/m);
    assert.ok(handlerCalls >= 2, 'two partitions: at least two batches');
    assert.match(text, new RegExp(`^log0_consumer_batches\\{group="g-done",topic="t"\\} ${handlerCalls}$`, 'm'));
    assert.match(text, /^log0_process_resident_memory_bytes \d+/m);
  } finally {
    await bus.close();
    removeDir(dir);
  }
});
