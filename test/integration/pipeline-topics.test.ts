/** The pipeline's topics at startup: created with the configured partitions, existing ones kept and said so. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';
import { loadConfig } from '../../src/config/config.js';
import { TOPIC } from '../../src/contracts/topics.js';
import { ensurePipelineTopics } from '../../src/pipeline.js';

/** A logger whose JSON lines are kept. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

test('missing topics get the configured partitions; an existing topic keeps its count, and startup says so once per topic', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'log0-pipeline-topics-'));
  try {
    // A data directory made with 6 partitions, opened again with the default of 2.
    const first = await createEmbeddedBus({ dataDir, onWarning: () => {} });
    await ensurePipelineTopics(first, loadConfig({ LOG0_BUS_PARTITIONS: '6' }), capturingLogger().logger);
    await first.close();

    const bus = await createEmbeddedBus({ dataDir, onWarning: () => {} });
    try {
      const { logger, lines } = capturingLogger();
      const config = loadConfig({});
      assert.equal(config.bus.partitions, 2);
      await ensurePipelineTopics(bus, config, logger);
      for (const topic of Object.values(TOPIC)) assert.equal(await bus.partitionCount(topic), 6, `${topic} keeps its 6 partitions`);
      const said = lines.filter((l) => l.configured === 2);
      assert.deepEqual(said.map((l) => l.topic).sort(), Object.values(TOPIC).sort(), 'one line per topic');
      assert.match(String(said[0].msg), /exists with 6 partitions and keeps them \(LOG0_BUS_PARTITIONS is 2; it applies to topics log0 creates\)/);

      // Matching counts: nothing to say.
      const again = capturingLogger();
      await ensurePipelineTopics(bus, loadConfig({ LOG0_BUS_PARTITIONS: '6' }), again.logger);
      assert.deepEqual(again.lines, []);
    } finally {
      await bus.close();
    }

    // A fresh directory gets the default.
    const freshDir = mkdtempSync(join(tmpdir(), 'log0-pipeline-topics-'));
    const fresh = await createEmbeddedBus({ dataDir: freshDir, onWarning: () => {} });
    try {
      const { logger, lines } = capturingLogger();
      await ensurePipelineTopics(fresh, loadConfig({}), logger);
      for (const topic of Object.values(TOPIC)) assert.equal(await fresh.partitionCount(topic), 2);
      assert.deepEqual(lines, []);
    } finally {
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
