/**
 * Produce path: validates records, picks each record's partition (murmur2 of the key like Kafka's
 * default partitioner, round-robin for null keys), and sends through one idempotent producer
 * (acks = all) with one request in flight at a time. Calls arriving meanwhile share the next
 * request (see produce-queue.ts). A call resolves once the brokers acknowledged all its records.
 */
import type { Producer } from '@platformatic/kafka';
import { partitionForKey } from '../partitioner.js';
import type { ProduceRecord, RecordPosition } from '../port.js';
import { TransientError } from '../../runtime/errors.js';
import { closeClient, createProducer } from './clients.js';
import { busError, describeKafkaError, hasProtocolError, KafkaBusError, withTimeout } from './errors.js';
import type { ResolvedKafkaOptions } from './options.js';
import { partitionKey, type PlannedRecord, ProduceQueue } from './produce-queue.js';
import { prepareRecord, type PrepareMemo } from './records.js';
import type { TopicCatalog } from './topics.js';

/** Kafka's default socket.request.max.bytes is 100 MiB; stay far below it. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export class KafkaProducer {
  private producer: Producer;
  private readonly queue = new ProduceQueue();
  private readonly roundRobin = new Map<string, number>();
  private sending: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly options: ResolvedKafkaOptions,
    private readonly topics: TopicCatalog,
  ) {
    this.producer = createProducer(options);
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<RecordPosition[]> {
    this.assertOpen();
    if (!Array.isArray(records)) throw new TypeError(`kafka bus: produce to "${topic}": records must be an array`);
    const info = await this.topics.get(topic);
    const partitions = info.partitions.length;
    const now = Date.now();
    const memo: PrepareMemo = {};
    let lastKey: string | undefined;
    let lastPartition = 0;
    const choosePartition = (key: string | null): number => {
      if (key === null) return this.nextRoundRobin(topic, partitions);
      if (key !== lastKey) [lastKey, lastPartition] = [key, partitionForKey(key, partitions)];
      return lastPartition;
    };
    const prepared = records.map((record, i) => prepareRecord(topic, i, record, now, this.options.maxRecordBytes, choosePartition, memo));
    this.assertOpen();
    const bytes = prepared.reduce((sum, r) => sum + r.size, 0);
    if (this.queue.size > 0 && this.queue.queuedBytes + bytes > this.options.maxQueuedBytes) {
      // The cluster does not keep up (or is unreachable): refuse now rather than queue without bound.
      throw new TransientError(
        `kafka bus: produce to "${topic}": ${this.queue.queuedBytes} bytes already wait for the Kafka cluster (limit ${this.options.maxQueuedBytes})`,
      );
    }
    // A call not acknowledged when its deadline passes fails, queued or in flight: no caller
    // waits longer than produceTimeoutMs, even behind a request to a broker that hung (whose own
    // timeout would otherwise start only after the request before it timed out). A request keeps
    // its full timeout for the other calls it carries.
    let deadline: NodeJS.Timeout | undefined;
    const done = this.queue.add(topic, prepared, (call) => {
      deadline = setTimeout(() => {
        this.queue.expire(call, (inFlight) =>
          inFlight
            ? new TransientError(`kafka bus: produce to "${topic}": not acknowledged within ${this.options.produceTimeoutMs} ms (the Kafka cluster is slow or unreachable); the records may or may not be stored`)
            : new TransientError(`kafka bus: produce to "${topic}": not sent within ${this.options.produceTimeoutMs} ms (the Kafka cluster is slow or unreachable); nothing was stored`),
        );
      }, this.options.produceTimeoutMs);
    });
    this.sending ??= this.sendAll();
    return done.finally(() => clearTimeout(deadline));
  }

  /** Sends what is queued, then closes the producer. Produce calls made afterwards are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.sending) await this.sending;
    await closeClient(this.producer).catch((err: unknown) => {
      this.options.onWarning(`kafka bus: closing the producer failed: ${describeKafkaError(err)}`, err);
    });
  }

  private nextRoundRobin(topic: string, partitions: number): number {
    const n = this.roundRobin.get(topic) ?? 0;
    this.roundRobin.set(topic, (n + 1) % 1_000_000_000);
    return n % partitions;
  }

  private async sendAll(): Promise<void> {
    try {
      // Let calls issued in the same tick join the first request.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.queue.size > 0) {
        const planned = this.queue.take({
          maxBatchBytes: this.options.maxBatchBytes,
          maxRequestBytes: MAX_REQUEST_BYTES,
        });
        if (planned.length > 0) await this.send(planned);
      }
    } finally {
      this.sending = null;
    }
    // A call may have been queued between the loop's last check and the reset above.
    if (this.queue.size > 0) this.sending ??= this.sendAll();
  }

  private async send(planned: PlannedRecord[]): Promise<void> {
    const producer = this.producer;
    const messages = planned.map(({ call, index }) => {
      const r = call.records[index];
      return {
        topic: call.topic,
        partition: r.partition,
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
      };
    });
    try {
      const result = await withTimeout(producer.send({ messages }), this.options.produceTimeoutMs, 'produce');
      const baseOffsets = new Map<string, number>();
      for (const o of result.offsets ?? []) baseOffsets.set(partitionKey(o.topic, o.partition), Number(o.offset));
      this.queue.acknowledge(planned, baseOffsets);
    } catch (err) {
      // The outcome is unknown: the brokers may have stored some of the records. A new producer
      // (new producer id) keeps the next request from reusing sequence numbers the brokers may
      // already hold, which they would "deduplicate" — silently dropping different records.
      this.replaceProducer(producer);
      const topics = new Set(planned.map((p) => p.call.topic));
      for (const topic of topics) this.topics.invalidate(topic);
      this.options.onWarning(`kafka bus: produce of ${planned.length} records failed: ${describeKafkaError(err)}`, err);
      this.queue.failRequest(planned, (call) => produceError(call.topic, err));
    }
  }

  private replaceProducer(failed: Producer): void {
    if (this.producer !== failed) return;
    this.producer = createProducer(this.options);
    closeClient(failed).catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new KafkaBusError('kafka bus: the bus is closed');
  }
}

function produceError(topic: string, err: unknown): Error {
  if (err instanceof TransientError) {
    return new TransientError(
      `kafka bus: produce to "${topic}": ${err.message}; the records may or may not be stored`,
      {
        cause: err,
      },
    );
  }
  if (hasProtocolError(err, 'UNKNOWN_TOPIC_OR_PARTITION')) {
    return new KafkaBusError(`kafka bus: produce to "${topic}": unknown topic or partition (deleted?)`, { cause: err });
  }
  return busError(`produce to "${topic}"`, err);
}
