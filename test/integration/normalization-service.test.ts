/** The normalization service on the embedded bus: raw-logs → normalized-logs, timestamps carried over, poison to the DLQ. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';
import type { Bus, BusRecord } from '../../src/bus/port.js';
import { loadConfig } from '../../src/config/config.js';
import { HEADER, TOPIC } from '../../src/contracts/topics.js';
import type { RawLogEvent } from '../../src/contracts/types.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { createLogger } from '../../src/runtime/logger.js';
import { startNormalizationService } from '../../src/services/normalization/index.js';
import { readTopic } from '../support/bus-topics.js';
import { rawPaymentLog } from '../support/log-generator.js';

/** An embedded bus with the normalizer's topics (3 partitions each), removed afterwards. */
async function withBus(run: (bus: Awaited<ReturnType<typeof createEmbeddedBus>>) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'log0-normalization-'));
  const bus = await createEmbeddedBus({ dataDir, onWarning: () => {} });
  try {
    await bus.ensureTopics([TOPIC.rawLogs, TOPIC.normalizedLogs, TOPIC.dlq].map((name) => ({ name, partitions: 3 })));
    await run(bus);
  } finally {
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('normalized logs keep the raw record’s bus timestamp and key; a poison record is dead-lettered', () =>
  withBus(async (bus) => {
    const tenantId = randomUUID();
    const ingestedAt = Date.now() - 3_600_000; // an hour ago: a backlog normalized late
    const raw: RawLogEvent = {
      eventId: randomUUID(),
      tenantId,
      serviceName: 'payment-service',
      environment: 'production',
      receivedAt: new Date(ingestedAt).toISOString(),
      level: ' error ',
      message: 'Connection timeout to payment-gateway after 30000ms',
    };
    await bus.produce(TOPIC.rawLogs, [
      { key: tenantId, value: 'not json', timestamp: ingestedAt },
      { key: tenantId, value: JSON.stringify(raw), timestamp: ingestedAt },
    ]);
    const service = await startNormalizationService({ bus, logger: createLogger('silent'), config: loadConfig({}) });
    let normalized: BusRecord[] = [];
    for (let i = 0; i < 500 && normalized.length === 0; i++) {
      normalized = await readTopic(bus, TOPIC.normalizedLogs);
      await sleep(10);
    }
    await service.stop();

    assert.equal(normalized.length, 1);
    const [record] = normalized;
    assert.equal(record.timestamp, ingestedAt);
    assert.equal(record.key, tenantId);
    const value = JSON.parse(record.value.toString());
    assert.ok(messageValidator('NormalizedLogEvent')(value).ok);
    assert.equal(value.eventId, raw.eventId);
    assert.equal(value.level, 'ERROR');
    assert.equal(value.messageTemplate, 'Connection timeout to payment-gateway after <number>ms');

    const letters = (await readTopic(bus, TOPIC.dlq)).map((r) => JSON.parse(r.value.toString()));
    assert.equal(letters.length, 1);
    assert.equal(letters[0].failedAt, 'normalization-service');
    assert.match(letters[0].errorMessage, /not valid JSON/);
    assert.equal(letters[0].sourceTopic, TOPIC.rawLogs);
  }));

test('normalized logs made from raw logs delivered for the first time are marked as first normalizations; those possibly seen before are not', () =>
  withBus(async (bus) => {
    const tenantId = randomUUID();
    const raw = (message: string) => rawPaymentLog(tenantId, message);
    const produceRaw = (events: RawLogEvent[]) => bus.produce(TOPIC.rawLogs, events.map((e) => ({ key: tenantId, value: JSON.stringify(e) })));
    // On the bus before the normalizer starts: a crashed normalizer may have published these already.
    const earlier = [raw('earlier 1'), raw('earlier 2')];
    await produceRaw(earlier);
    const service = await startNormalizationService({ bus, logger: createLogger('silent'), config: loadConfig({}) });
    try {
      const later = [raw('later 1'), raw('later 2'), raw('later 3')];
      for (let i = 0; i < 500 && (await readTopic(bus, TOPIC.normalizedLogs)).length < 2; i++) await sleep(10);
      await produceRaw(later);
      let normalized: BusRecord[] = [];
      for (let i = 0; i < 500 && normalized.length < 5; i++) {
        normalized = await readTopic(bus, TOPIC.normalizedLogs);
        await sleep(10);
      }
      const marked = new Map(normalized.map((r) => [JSON.parse(r.value.toString()).eventId as string, r.headers[HEADER.firstNormalization]]));
      assert.deepEqual(
        [...earlier, ...later].map((e) => marked.get(e.eventId)),
        [undefined, undefined, '1', '1', '1'],
      );
    } finally {
      await service.stop();
    }
  }));

test('a batch published in slices: when one slice fails, the batch is retried only after every slice has settled, and every log is published', () =>
  withBus(async (bus) => {
    const tenantId = randomUUID();
    const raw = Array.from({ length: 600 }, (_, i) => rawPaymentLog(tenantId, `timeout ${i}`));
    // One tenant, one partition: the 600 logs come as one batch, published in three slices.
    await bus.produce(TOPIC.rawLogs, raw.map((e) => ({ key: tenantId, value: JSON.stringify(e) })));

    // The first slice's publish is slow to be acknowledged, the second fails once.
    const calls: Array<{ start: number; end: number }> = [];
    const produce: Bus['produce'] = async (topic, records) => {
      if (topic !== TOPIC.normalizedLogs) return bus.produce(topic, records);
      const call = { start: performance.now(), end: Infinity };
      const n = calls.push(call) - 1;
      try {
        if (n === 1) throw new Error('broker hiccup');
        const positions = await bus.produce(topic, records);
        if (n === 0) await sleep(300);
        return positions;
      } finally {
        call.end = performance.now();
      }
    };
    const wrapped = new Proxy(bus, {
      get: (target, prop) => {
        if (prop === 'produce') return produce;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const service = await startNormalizationService({ bus: wrapped, logger: createLogger('silent'), config: loadConfig({}) });
    try {
      let published = new Set<string>();
      for (let i = 0; i < 500 && published.size < raw.length; i++) {
        await sleep(20);
        published = new Set((await readTopic(bus, TOPIC.normalizedLogs)).map((r) => JSON.parse(r.value.toString()).eventId as string));
      }
      assert.deepEqual([...published].sort(), raw.map((e) => e.eventId).sort(), 'every log published');
      assert.ok(calls.length >= 5, `${calls.length} publishes: three slices, then the retry's`);
      // The redelivery's publishes start only once the slow first slice has settled.
      for (const later of calls.slice(3)) {
        assert.ok(later.start >= calls[0].end, `a retry published at ${later.start} ms, the first attempt settled at ${calls[0].end} ms`);
      }
    } finally {
      await service.stop();
    }
  }));
