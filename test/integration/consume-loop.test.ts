/**
 * The consume loop every pipeline service runs (runtime/consumer.ts), on the embedded bus: when a
 * handler fails a batch, the loop finds the failing messages by halving it, handles the rest in
 * order, dead-letters a poison message and a message that keeps failing after its third delivery
 * when a pass over the batch completes, and commits only then.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createEmbeddedBus, type EmbeddedBus } from '../../src/bus/embedded/index.js';
import { TOPIC } from '../../src/contracts/topics.js';
import type { DlqEvent, NormalizedLogEvent } from '../../src/contracts/types.js';
import { consumeMessages, MAX_DEAD_LETTER_BYTES, release } from '../../src/runtime/consumer.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { PoisonMessageError } from '../../src/runtime/errors.js';
import { createLogger } from '../../src/runtime/logger.js';
import { readTopic } from '../support/bus-topics.js';
import { normalizedPaymentLog } from '../support/log-generator.js';

/** An embedded bus holding `count` normalized logs on one partition, removed afterwards. */
async function withLogsOnBus(
  count: number,
  run: (bus: EmbeddedBus, logs: NormalizedLogEvent[]) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'log0-consume-loop-'));
  const bus = await createEmbeddedBus({ dataDir, onWarning: () => {}, retryBackoff: { initialMs: 20, maxMs: 50 } });
  try {
    await bus.ensureTopics([TOPIC.normalizedLogs, TOPIC.dlq].map((name) => ({ name, partitions: 1 })));
    const tenantId = randomUUID();
    const logs = Array.from({ length: count }, (_, i) => normalizedPaymentLog(tenantId, i));
    await bus.produce(
      TOPIC.normalizedLogs,
      logs.map((log) => ({ key: tenantId, value: JSON.stringify(log) })),
    );
    await run(bus, logs);
  } finally {
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The dead letters on the bus once there are `expected` of them (or what there is after `tries` polls). */
async function deadLetters(bus: EmbeddedBus, expected: number, tries: number): Promise<DlqEvent[]> {
  let letters: DlqEvent[] = [];
  for (let i = 0; i < tries && letters.length < expected; i++) {
    await sleep(20);
    letters = (await readTopic(bus, TOPIC.dlq)).map((r) => JSON.parse(r.value.toString()) as DlqEvent);
  }
  return letters;
}

test('a failing batch is halved until its bad messages are found: the rest handled in order, a persistent failure dead-lettered after three deliveries, with the poison message, once the batch passes', () =>
  withLogsOnBus(1000, async (bus, logs) => {
    const poison = logs[137].eventId;
    const persistent = logs[801].eventId;

    const handled: string[] = [];
    let calls = 0;
    /** Calls that handed the persistently failing message alone. */
    let persistentAlone = 0;
    const subscription = await consumeMessages({
      bus,
      logger: createLogger('silent'),
      service: 'clustering-service',
      groupId: 'consume-loop-test',
      topic: TOPIC.normalizedLogs,
      message: 'NormalizedLogEvent',
      maxBatchRecords: 1000,
      handle: async (messages) => {
        calls++;
        const ids = messages.map((m) => m.value.eventId);
        if (ids.includes(poison)) throw new PoisonMessageError('this one can never be handled');
        if (ids.includes(persistent)) {
          if (ids.length === 1) persistentAlone++;
          throw new Error('fails every time');
        }
        handled.push(...ids);
      },
    });
    try {
      const letters = await deadLetters(bus, 2, 500);
      assert.deepEqual(
        letters.map((l) => (l.originalEvent as NormalizedLogEvent).eventId).sort(),
        [poison, persistent].sort(),
      );
      assert.match(letters.find((l) => (l.originalEvent as NormalizedLogEvent).eventId === poison)!.errorMessage, /can never be handled/);
      assert.match(letters.find((l) => (l.originalEvent as NormalizedLogEvent).eventId === persistent)!.errorMessage, /fails every time/);

      // Every other message handled; each delivery handles the batch's messages in order.
      const good = logs.map((l) => l.eventId).filter((id) => id !== poison && id !== persistent);
      assert.deepEqual(new Set(handled), new Set(good));
      const firstSeen = [...new Set(handled)];
      assert.deepEqual(firstSeen, good, 'first handled in batch order');
      // Halving: each of the three deliveries of this 1,000-message batch with two bad messages
      // takes a few dozen calls (about 2 × log2(1000) per bad message), not one per message.
      assert.ok(calls < 150, `${calls} handler calls`);
      // The persistent failure was tried alone once per delivery, three times, then dead-lettered.
      assert.equal(persistentAlone, 3);

      let committed = -1;
      for (let i = 0; i < 250 && committed !== 1000; i++) {
        committed = (await bus.groupPositions('consume-loop-test', TOPIC.normalizedLogs))[0].committed;
        if (committed !== 1000) await sleep(20);
      }
      assert.equal(committed, 1000, 'the batch is committed once the dead letters are published');
    } finally {
      await subscription.stop();
    }
  }));

test('a handler that released its messages before failing: the loop isolates on messages decoded again, and the dead letter carries the whole original event', () =>
  withLogsOnBus(50, async (bus, logs) => {
    const poison = logs[17];

    const handled: NormalizedLogEvent[] = [];
    const subscription = await consumeMessages({
      bus,
      logger: createLogger('silent'),
      service: 'clustering-service',
      groupId: 'consume-loop-release-test',
      topic: TOPIC.normalizedLogs,
      message: 'NormalizedLogEvent',
      handle: async (messages) => {
        const values = messages.map((m) => m.value);
        release(messages);
        await sleep(1); // as a handler waiting for a publish would
        if (values.some((v) => v.eventId === poison.eventId)) throw new PoisonMessageError('poison');
        handled.push(...values);
      },
    });
    try {
      const letters = await deadLetters(bus, 1, 250);
      assert.equal(letters.length, 1);
      assert.deepEqual(letters[0].originalEvent, poison);
      assert.deepEqual(
        handled,
        logs.filter((l) => l.eventId !== poison.eventId),
        'every other message handled once, in order, with its full content',
      );
    } finally {
      await subscription.stop();
    }
  }));

test('records no dead letter could carry whole (nested too deeply to serialize, too large) go truncated, and the partition moves on', () =>
  withLogsOnBus(3, async (bus, logs) => {
    const depth = 20_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const large = JSON.stringify({ eventId: 'y'.repeat(5_000), blob: 'B'.repeat(900_000) });
    const controls = JSON.stringify({ message: '\u0001'.repeat(100_000) }); // each char escaped to 6 bytes
    await bus.produce(TOPIC.normalizedLogs, [deep, large, controls].map((value) => ({ key: 'k', value })));
    const last = normalizedPaymentLog(logs[0].tenantId, 99);
    await bus.produce(TOPIC.normalizedLogs, [{ key: 'k', value: JSON.stringify(last) }]);

    const handled: string[] = [];
    const subscription = await consumeMessages({
      bus,
      logger: createLogger('silent'),
      service: 'normalization-service',
      groupId: 'consume-loop-unserializable-test',
      topic: TOPIC.normalizedLogs,
      message: 'NormalizedLogEvent',
      handle: async (messages) => void handled.push(...messages.map((m) => m.value.eventId)),
    });
    try {
      const letters = await deadLetters(bus, 3, 500);
      assert.equal(letters.length, 3);
      for (const record of await readTopic(bus, TOPIC.dlq)) {
        assert.ok(record.value.length <= MAX_DEAD_LETTER_BYTES, `a dead letter of ${record.value.length} bytes`);
        assert.ok(messageValidator('DlqEvent')(JSON.parse(record.value.toString())).ok);
      }
      const [deepLetter, largeLetter, controlsLetter] = letters;
      assert.equal(deepLetter.sourceOffset, 3);
      assert.deepEqual(Object.keys(deepLetter.originalEvent), ['unparsed', 'truncated', 'originalBytes']);
      assert.ok((deepLetter.originalEvent as { unparsed: string }).unparsed.startsWith('{"a":{"a":'));
      assert.equal((largeLetter.originalEvent as { originalBytes: number }).originalBytes, Buffer.byteLength(large));
      assert.equal((controlsLetter.originalEvent as { truncated: boolean }).truncated, true);
      await eventually(() => handled.includes(last.eventId), 'the record behind them');
      assert.deepEqual(handled, [...logs.map((l) => l.eventId), last.eventId]);
    } finally {
      await subscription.stop();
    }
  }));

async function eventually(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await sleep(20);
  assert.ok(done(), `timed out waiting for ${what}`);
}
