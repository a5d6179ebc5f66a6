/**
 * An in-memory Bus for unit-level tests of one service: partitioned topics (Kafka's partitioner),
 * one member per consumer group, at-least-once delivery with redelivery after a failed batch.
 * Not durable, no retention. End-to-end tests use the real embedded bus.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { partitionForKey } from '../../src/bus/partitioner.js';
import type {
  Bus,
  BusRecord,
  ConsumeOptions,
  PartitionPosition,
  ProduceRecord,
  RecordPosition,
  Subscription,
  TopicSpec,
} from '../../src/bus/port.js';

const IDLE_POLL_MS = 5;
const RETRY_BACKOFF_MS = 20;

export class MemoryBus implements Bus {
  private readonly topics = new Map<string, BusRecord[][]>();
  private readonly committed = new Map<string, number>();
  private roundRobin = 0;
  private closed = false;
  /** The next this-many produce calls fail, as if the broker were unreachable. */
  failNextProduces = 0;

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      if (!this.topics.has(spec.name)) this.topics.set(spec.name, Array.from({ length: spec.partitions }, () => []));
    }
  }

  private partitions(topic: string): BusRecord[][] {
    const partitions = this.topics.get(topic);
    if (!partitions) throw new Error(`memory bus: unknown topic ${topic}`);
    return partitions;
  }

  async partitionCount(topic: string): Promise<number> {
    return this.partitions(topic).length;
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<RecordPosition[]> {
    if (this.closed) throw new Error('memory bus: closed');
    if (this.failNextProduces > 0) {
      this.failNextProduces--;
      throw new Error('memory bus: produce failed (injected)');
    }
    const partitions = this.partitions(topic);
    return records.map((record) => {
      const partition = record.key === null ? this.roundRobin++ % partitions.length : partitionForKey(record.key, partitions.length);
      const log = partitions[partition];
      const stored: BusRecord = {
        topic,
        partition,
        offset: log.length,
        key: record.key,
        value: Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value, 'utf8'),
        headers: { ...(record.headers ?? {}) },
        timestamp: record.timestamp ?? Date.now(),
      };
      log.push(stored);
      return { topic, partition, offset: stored.offset };
    });
  }

  /** Every record of a topic, partition by partition, in offset order. */
  records(topic: string): BusRecord[] {
    return this.partitions(topic).flat();
  }

  private offsetKey(groupId: string, topic: string, partition: number): string {
    return `${groupId}\u0000${topic}\u0000${partition}`;
  }

  private position(groupId: string, topic: string, partition: number): number {
    return this.committed.get(this.offsetKey(groupId, topic, partition)) ?? 0;
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const maxBatch = options.maxBatchRecords ?? 100;
    let running = true;
    const assigned = options.topics.flatMap((topic) =>
      this.partitions(topic).map((_, partition) => ({ topic, partition, position: this.position(options.groupId, topic, partition) })),
    );
    await options.onAssigned?.(assigned);

    const loop = (async () => {
      while (running && !this.closed) {
        let delivered = false;
        for (const { topic, partition } of assigned) {
          if (!running) break;
          const from = this.position(options.groupId, topic, partition);
          const batch = this.partitions(topic)[partition].slice(from, from + maxBatch);
          if (batch.length === 0) continue;
          delivered = true;
          try {
            await options.handler(batch);
            this.committed.set(this.offsetKey(options.groupId, topic, partition), from + batch.length);
          } catch {
            await sleep(RETRY_BACKOFF_MS);
          }
        }
        if (!delivered) await sleep(IDLE_POLL_MS);
      }
    })();

    return {
      stop: async () => {
        running = false;
        await loop;
        await options.onRevoked?.(assigned.map(({ topic, partition }) => ({ topic, partition })));
      },
    };
  }

  async groupPositions(groupId: string, topic: string): Promise<PartitionPosition[]> {
    return this.partitions(topic).map((log, partition) => {
      const committed = this.committed.get(this.offsetKey(groupId, topic, partition)) ?? -1;
      return { partition, committed, latest: log.length, lag: log.length - Math.max(committed, 0) };
    });
  }

  /** Resolves once the group has committed everything produced to the topic so far. */
  async drained(groupId: string, topic: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const positions = await this.groupPositions(groupId, topic);
      if (positions.every((p) => p.lag === 0)) return;
      if (Date.now() > deadline) throw new Error(`memory bus: ${groupId} did not drain ${topic} in ${timeoutMs} ms`);
      await sleep(IDLE_POLL_MS);
    }
  }

  async seekGroupToTimestamp(groupId: string, topic: string, timestamp: number): Promise<void> {
    const partitions = this.partitions(topic);
    for (let partition = 0; partition < partitions.length; partition++) {
      this.committed.set(this.offsetKey(groupId, topic, partition), await this.offsetForTimestamp(topic, partition, timestamp));
    }
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    const log = this.partitions(topic)[partition];
    const found = log.findIndex((r) => r.timestamp >= timestamp);
    return found === -1 ? log.length : found;
  }

  async partitionBounds(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
    return { earliest: 0, latest: this.partitions(topic)[partition].length };
  }

  async *read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]> {
    const slice = this.partitions(topic)[partition].slice(from, to);
    for (let i = 0; i < slice.length; i += 100) yield slice.slice(i, i + 100);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('memory bus: closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
