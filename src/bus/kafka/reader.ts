/**
 * Reads a range of one partition outside any consumer group (Bus.read), in batches. The end is
 * capped at the log end when the read starts; offsets before the earliest retained record are
 * skipped (retention deleted them).
 */
import type { Consumer } from '@platformatic/kafka';
import type { BusRecord } from '../port.js';
import { busError, KafkaBusError } from './errors.js';
import { fetchKey, fetchPartitions } from './fetch.js';
import type { OffsetsApi } from './offsets.js';
import type { ResolvedKafkaOptions } from './options.js';
import { sleep, type TopicCatalog } from './topics.js';

const STALL_LIMIT = 20;

export function validateOffset(what: string, value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new KafkaBusError(`kafka bus: ${what} must be a non-negative integer, got ${String(value)}`);
  }
}

export class PartitionReader {
  constructor(
    private readonly client: Consumer,
    private readonly topics: TopicCatalog,
    private readonly offsets: OffsetsApi,
    private readonly options: ResolvedKafkaOptions,
  ) {}

  async *read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]> {
    const info = await this.topics.partition(topic, partition);
    validateOffset('read: from', from);
    validateOffset('read: to', to);
    const [latest] = await this.offsets.latest(topic, [partition]);
    const end = Math.min(to, latest);
    const batchSize = this.options.defaultMaxBatchRecords;
    let position = from;
    let stalls = 0;
    while (position < end) {
      const { nodeId } = await this.topics.leader(topic, partition);
      let result;
      try {
        const results = await fetchPartitions(
          this.client,
          nodeId,
          [{ topic, topicId: info.id, partition, offset: position }],
          { maxWaitMs: 100, maxBytesPerPartition: this.options.fetchMaxBytesPerPartition },
        );
        result = results.get(fetchKey(topic, partition));
      } catch (err) {
        throw busError(`reading "${topic}" partition ${partition} at offset ${position}`, err);
      }
      if (result?.error === 'OFFSET_OUT_OF_RANGE') {
        const [earliest] = await this.offsets.earliest(topic, [partition]);
        if (position < earliest) {
          position = earliest; // retention deleted these records
          continue;
        }
      }
      if (!result || result.error || (result.records.length === 0 && result.next <= position)) {
        // Leader moved, or nothing came back yet: refresh metadata and try again, a few times.
        if (++stalls > STALL_LIMIT) {
          throw busError(
            `reading "${topic}" partition ${partition} at offset ${position}`,
            new Error(result?.error ?? 'no records returned below the log end'),
          );
        }
        this.topics.invalidate(topic);
        await sleep(Math.min(50 * stalls, 500));
        continue;
      }
      stalls = 0;
      let records = result.records;
      let count = records.length;
      while (count > 0 && records[count - 1].offset >= end) count--;
      if (count < records.length) records = records.slice(0, count);
      for (let i = 0; i < records.length; i += batchSize) yield records.slice(i, i + batchSize);
      // After the last batch returned (past any control records it ended with).
      position = result.next;
    }
  }
}
