/**
 * The one consume loop every pipeline service uses: decode and validate each record against its
 * contract, hand the valid messages to the service, and forward whatever cannot be processed to
 * raw-logs-dlq as a DlqEvent *before* the batch's offset is committed (seed 000: manual ack,
 * nothing silently lost).
 */
import { randomUUID } from 'node:crypto';
import type { Bus, BusRecord, ConsumeOptions, Subscription } from '../bus/port.js';
import { TOPIC, type TopicName } from '../contracts/topics.js';
import type { ContractSchemas, DlqEvent, FailedAt } from '../contracts/types.js';
import { messageValidator } from '../contracts/validators.js';
import { metered } from './consumption-meter.js';
import { errorMessage, PoisonMessageError, TransientError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * A valid message of a batch and its record. A handler that is done with the decoded messages
 * before it waits (for a publish, a write) calls release(): kept alive across the wait, the whole
 * batch is copied by the young-generation collector and promoted, which cost the processing
 * thread more than a third of its garbage collection. Reading value after release() decodes the
 * record again (the consume loop does so when it isolates a failing message).
 */
export class Delivered<T> {
  #value: T | undefined;

  constructor(
    readonly record: BusRecord,
    value: T,
  ) {
    this.#value = value;
  }

  get value(): T {
    // Validated when first decoded; decoding the same bytes again gives the same message.
    return (this.#value ??= JSON.parse(this.record.value.toString('utf8')) as T);
  }

  release(): void {
    this.#value = undefined;
  }
}

/** Releases the decoded messages of a batch (see Delivered). */
export function release(messages: ReadonlyArray<Delivered<unknown>>): void {
  for (const message of messages) message.release();
}

export interface MessageConsumerOptions<N extends keyof ContractSchemas> {
  bus: Bus;
  logger: Logger;
  /** Service name recorded as DlqEvent.failedAt. */
  service: FailedAt;
  groupId: string;
  topic: TopicName;
  /** Contract message every record of the topic must be. */
  message: N;
  /**
   * Processes the valid messages of one partition batch, in order. Throw TransientError to have
   * the whole batch redelivered later; PoisonMessageError (or any other error that persists for
   * the same record) dead-letters the message(s) that fail. Must be idempotent: delivery is
   * at-least-once.
   */
  handle: (messages: Array<Delivered<ContractSchemas[N]>>) => Promise<void>;
  maxBatchRecords?: number;
  onAssigned?: ConsumeOptions['onAssigned'];
  onRevoked?: ConsumeOptions['onRevoked'];
}

/** Attempts before a record failing with an unclassified error is dead-lettered. */
const MAX_ATTEMPTS = 3;

interface DeadLetter {
  record: BusRecord;
  originalEvent: object;
  error: string;
}

function decode(record: BusRecord): { ok: true; value: unknown; text: string } | { ok: false; text: string; error: string } {
  const text = record.value.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (err) {
    return { ok: false, text, error: `record is not valid JSON: ${errorMessage(err)}` };
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function dlqEvent(service: FailedAt, letter: DeadLetter): DlqEvent {
  return {
    originalEvent: letter.originalEvent,
    errorMessage: letter.error.slice(0, 10_000) || 'unknown error',
    failedAt: service,
    failedAtTs: new Date().toISOString(),
    sourceTopic: letter.record.topic,
    sourcePartition: letter.record.partition,
    sourceOffset: letter.record.offset,
  };
}

/**
 * A dead letter must always be publishable, or the partition behind it stalls for good: well under
 * Kafka's default 1 MB record limit, whatever the record it carries (up to that limit itself, or
 * more once invalid UTF-8 bytes have each become a 3-byte U+FFFD).
 */
export const MAX_DEAD_LETTER_BYTES = 512 * 1024;
/** Characters of a record's text kept when it cannot go whole: ≤ 6 bytes each once escaped. */
const TRUNCATED_CHARS = 80_000;

/**
 * The DlqEvent as JSON. A record too large for the DLQ, or nested too deeply for JSON.stringify
 * (it overflows the stack; JSON.parse does not), goes as the start of its text instead, marked
 * truncated: its source topic, partition and offset still point at the whole record.
 */
export function deadLetterJson(service: FailedAt, letter: DeadLetter): string {
  const event = dlqEvent(service, letter);
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch {
    // RangeError: Maximum call stack size exceeded
  }
  if (json !== undefined && Buffer.byteLength(json) <= MAX_DEAD_LETTER_BYTES) return json;
  const text = letter.record.value.toString('utf8');
  // At most 80,000 characters of ≤ 6 bytes each and a 1,000-character error: under the limit.
  return JSON.stringify({
    ...event,
    errorMessage: event.errorMessage.slice(0, 1_000),
    originalEvent: { unparsed: text.slice(0, TRUNCATED_CHARS), truncated: true, originalBytes: letter.record.value.length },
  });
}

export async function publishDeadLetters(bus: Bus, service: FailedAt, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await bus.produce(
    TOPIC.dlq,
    letters.map((letter) => {
      const eventId = (letter.originalEvent as { eventId?: unknown }).eventId;
      return {
        key: typeof eventId === 'string' && eventId ? eventId.slice(0, 1000) : randomUUID(),
        value: deadLetterJson(service, letter),
      };
    }),
  );
}

export async function consumeMessages<N extends keyof ContractSchemas>(
  options: MessageConsumerOptions<N>,
): Promise<Subscription> {
  const { bus, logger, service, topic, handle } = options;
  const validate = messageValidator(options.message);
  /** Failed attempts of records still being retried, by partition:offset (forgotten when a partition moves away). */
  const attempts = new Map<string, number>();
  const attemptKey = (r: BusRecord) => `${r.partition}:${r.offset}`;
  const forgetAttempts = async (revoked: Array<{ topic: string; partition: number }>) => {
    const gone = new Set(revoked.filter((r) => r.topic === topic).map((r) => `${r.partition}:`));
    for (const key of attempts.keys()) if (gone.has(key.slice(0, key.indexOf(':') + 1))) attempts.delete(key);
    await options.onRevoked?.(revoked);
  };

  /**
   * `messages` failed together with `error`: find the message(s) that make them fail by halving.
   * What succeeds is handled; a single message that keeps failing is dead-lettered. A few bad
   * messages in a large batch cost a few dozen calls instead of one per message (a store that
   * spaces its writes makes every call wait). Halves go in order, so the batch order holds.
   */
  async function isolate(messages: Array<Delivered<ContractSchemas[N]>>, error: unknown, letters: DeadLetter[]): Promise<void> {
    if (error instanceof TransientError) throw error;
    if (messages.length === 1) {
      const key = attemptKey(messages[0].record);
      const tries = (attempts.get(key) ?? 0) + 1;
      // Kept (at the limit) until the letter is published: if a later message of this pass is
      // retried, the batch comes again and this message must go straight to the DLQ then.
      attempts.set(key, tries);
      if (!(error instanceof PoisonMessageError) && tries < MAX_ATTEMPTS) throw error; // redelivered after the bus's backoff
      letters.push({ record: messages[0].record, originalEvent: messages[0].value as object, error: errorMessage(error) });
      return;
    }
    const middle = Math.ceil(messages.length / 2);
    for (const half of [messages.slice(0, middle), messages.slice(middle)]) {
      try {
        await handle(half);
        for (const message of half) attempts.delete(attemptKey(message.record));
      } catch (err) {
        await isolate(half, err, letters);
      }
    }
  }

  async function handleBatch(batch: BusRecord[]): Promise<void> {
    const letters: DeadLetter[] = [];
    const valid: Array<Delivered<ContractSchemas[N]>> = [];
    for (const record of batch) {
      const decoded = decode(record);
      if (!decoded.ok) {
        letters.push({ record, originalEvent: { unparsed: decoded.text.slice(0, 100_000) }, error: decoded.error });
        continue;
      }
      if (!isObject(decoded.value)) {
        letters.push({ record, originalEvent: { unparsed: decoded.text.slice(0, 100_000) }, error: `record is not a JSON object` });
        continue;
      }
      const result = validate(decoded.value);
      if (!result.ok) {
        const detail = result.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
        letters.push({ record, originalEvent: decoded.value, error: `invalid ${options.message}: ${detail}` });
        continue;
      }
      valid.push(new Delivered(record, result.value));
    }

    if (valid.length > 0) {
      try {
        await handle(valid);
      } catch (err) {
        if (!(err instanceof TransientError)) logger.warn({ err, topic, size: valid.length }, 'batch failed; isolating the failing messages');
        await isolate(valid, err, letters);
      }
    }

    if (letters.length > 0) {
      logger.warn({ topic, count: letters.length, first: letters[0].error }, 'dead-lettering messages');
      await publishDeadLetters(bus, service, letters);
      for (const letter of letters) attempts.delete(attemptKey(letter.record));
    }
  }

  return bus.consume(
    metered({
      groupId: options.groupId,
      topics: [topic],
      handler: handleBatch,
      maxBatchRecords: options.maxBatchRecords,
      onAssigned: options.onAssigned,
      onRevoked: forgetAttempts,
    }),
  );
}
