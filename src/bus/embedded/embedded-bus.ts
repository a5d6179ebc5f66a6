/**
 * The embedded bus: the Bus port on local files, for single-node deployments. Composes the topic
 * registry (partition logs with group commit), the offset store and one coordinator per consumer
 * group. Everything runs in this process; nothing here blocks the event loop on disk I/O.
 *
 * Delivered values are shared, not copied: a record's value Buffer is a view of the frames the
 * partition keeps (frame-run.ts), which every group reading that partition sees, so handlers must
 * treat values as read-only. Different partitions of one member are processed concurrently; each
 * partition strictly one batch at a time.
 */
import { access, constants as fsConstants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { partitionForKey } from '../partitioner.js';
import type {
  Bus,
  BusRecord,
  ConsumeOptions,
  PartitionPosition,
  ProduceRecord,
  RecordPosition,
  Subscription,
  TopicSpec,
} from '../port.js';
import { DataDirLock } from '../../runtime/data-dir-lock.js';
import { decodeRun, type FrameRun } from './frame-run.js';
import { GroupCoordinator } from './group-coordinator.js';
import { GroupMember } from './group-member.js';
import { OffsetStore } from './offset-store.js';
import type { PendingAppend } from './partition-log.js';
import { type EmbeddedBusOptions, logOptionsFor, type ResolvedOptions, resolveOptions } from './options.js';
import type { PreparedRecord } from './record-codec.js';
import { type Topic, TopicRegistry } from './topic-registry.js';
import { prepareRecord, validateGroupId, validateOffset, validateTimestamp } from './validation.js';

/** consume() with batches as their frames, for a consumer that ships them elsewhere (bus/thread/host.ts). */
export type FrameConsumeOptions = Omit<ConsumeOptions, 'handler'> & {
  handler: (batch: FrameRun, topic: string, partition: number) => Promise<void>;
};

export class EmbeddedBus implements Bus {
  private readonly coordinators = new Map<string, GroupCoordinator>();
  private nextMemberId = 1;
  private closing: Promise<void> | null = null;
  /**
   * Produces stay open while close() stops the consumers, so a handler that produces (a pipeline
   * stage) can finish its in-flight batch and commit instead of failing and being redelivered.
   */
  private producesClosed = false;
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRun: Promise<void> | null = null;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly lock: DataDirLock,
    private readonly topics: TopicRegistry,
    private readonly offsets: OffsetStore,
  ) {
    if (options.retentionCheckIntervalMs > 0) {
      this.retentionTimer = setInterval(() => void this.runRetention(), options.retentionCheckIntervalMs);
      this.retentionTimer.unref();
    }
  }

  static async open(options: EmbeddedBusOptions): Promise<EmbeddedBus> {
    const resolved = resolveOptions(options);
    await mkdir(resolved.dataDir, { recursive: true });
    const lock = await DataDirLock.acquire(resolved.dataDir, 'LOCK', 'embedded bus');
    try {
      const offsets = await OffsetStore.open(
        join(resolved.dataDir, 'offsets.json'),
        resolved.commitFlushIntervalMs,
        resolved.onWarning,
      );
      const topics = await TopicRegistry.open(resolved.dataDir, (spec) => logOptionsFor(spec, resolved));
      return new EmbeddedBus(resolved, lock, topics, offsets);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    await this.topics.ensure(topics);
  }

  async partitionCount(topic: string): Promise<number> {
    this.assertOpen();
    return this.topics.get(topic).partitions;
  }

  async produce(topicName: string, records: ProduceRecord[]): Promise<RecordPosition[]> {
    if (this.producesClosed) throw new Error('embedded bus: the bus is closed');
    const topic = this.topics.get(topicName);
    if (!Array.isArray(records))
      throw new TypeError(`embedded bus: produce to "${topicName}": records must be an array`);
    if (records.length === 0) return [];
    const now = Date.now();
    const { maxRecordBytes } = this.options;

    if (records.length === 1) {
      // The gateway's hot path: one record from one HTTP request. No grouping needed.
      const prepared = prepareRecord(topicName, 0, records[0], now, maxRecordBytes);
      const partition = choosePartition(topic, prepared.key);
      return new Promise((resolve, reject) => {
        topic.logs[partition].append({
          records: [prepared],
          bytes: prepared.size,
          onDurable: (offset) => resolve([{ topic: topicName, partition, offset }]),
          onFailure: reject,
        });
      });
    }
    return appendGroups(topic, topicName, groupByPartition(topic, topicName, records, now, maxRecordBytes), records.length);
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    if (options === null || typeof options !== 'object')
      throw new TypeError('embedded bus: consume options must be an object');
    const { handler } = options;
    // Not a function: passed on as it is, for consumeFrames to refuse after the options before it.
    const decoding: FrameConsumeOptions['handler'] =
      typeof handler === 'function' ? (batch, topic, partition) => handler(decodeRun(batch, topic, partition)) : (handler as never);
    return this.consumeFrames({ ...options, handler: decoding });
  }

  /** consume(), each batch handed over as its frames rather than decoded. */
  async consumeFrames(options: FrameConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    if (options === null || typeof options !== 'object')
      throw new TypeError('embedded bus: consume options must be an object');
    const { groupId, topics, handler, onAssigned, onRevoked } = options;
    validateGroupId(groupId);
    if (!Array.isArray(topics) || topics.length === 0) {
      throw new Error(`embedded bus: group ${groupId}: topics must be a non-empty array`);
    }
    for (const name of topics) this.topics.get(name);
    if (typeof handler !== 'function')
      throw new TypeError(`embedded bus: group ${groupId}: handler must be a function`);
    const maxBatchRecords = options.maxBatchRecords ?? this.options.defaultMaxBatchRecords;
    if (!Number.isSafeInteger(maxBatchRecords) || maxBatchRecords < 1) {
      throw new Error(
        `embedded bus: group ${groupId}: maxBatchRecords must be a positive integer, got ${maxBatchRecords}`,
      );
    }
    const resetTo = options.resetTo ?? 'earliest';
    if (resetTo !== 'earliest' && resetTo !== 'latest') {
      throw new Error(`embedded bus: group ${groupId}: resetTo must be 'earliest' or 'latest', got ${String(resetTo)}`);
    }

    let coordinator = this.coordinators.get(groupId);
    if (!coordinator) {
      coordinator = new GroupCoordinator(groupId, (topic) => this.topics.get(topic).partitions);
      this.coordinators.set(groupId, coordinator);
    }
    const member = new GroupMember(
      this.nextMemberId++,
      { groupId, topics: [...new Set(topics)], handler, maxBatchRecords, resetTo, onAssigned, onRevoked },
      {
        logFor: (topic, partition) => this.topics.get(topic).log(partition),
        offsets: this.offsets,
        backoff: this.options.retryBackoff,
        fetchWait: { minRecords: this.options.fetchMinRecords, maxWaitMs: this.options.fetchMaxWaitMs },
        onWarning: this.options.onWarning,
      },
    );
    await coordinator.join(member);

    const group = coordinator;
    let stopped: Promise<void> | null = null;
    return {
      stop: () =>
        (stopped ??= (async () => {
          await group.leave(member);
          await this.offsets.flush().catch((error: unknown) => {
            this.options.onWarning(`embedded bus: group ${groupId}: cannot persist commits on stop: ${String(error)}`);
          });
        })()),
    };
  }

  async groupPositions(groupId: string, topicName: string): Promise<PartitionPosition[]> {
    this.assertOpen();
    validateGroupId(groupId);
    const topic = this.topics.get(topicName);
    return topic.logs.map((log, partition) => {
      const committed = this.offsets.get(groupId, topicName, partition) ?? -1;
      const latest = log.latest;
      const from = committed === -1 ? log.earliest : committed;
      return { partition, committed, latest, lag: Math.max(0, latest - from) };
    });
  }

  async seekGroupToTimestamp(groupId: string, topicName: string, timestamp: number): Promise<void> {
    this.assertOpen();
    validateGroupId(groupId);
    validateTimestamp('seekGroupToTimestamp: timestamp', timestamp);
    const topic = this.topics.get(topicName);
    const offsets = await Promise.all(topic.logs.map((log) => log.offsetForTimestamp(timestamp)));
    // Set the offsets and reposition live members in one synchronous step, so no in-flight batch
    // of the old position can commit over the seek.
    offsets.forEach((offset, partition) => this.offsets.commit(groupId, topicName, partition, offset));
    this.coordinators.get(groupId)?.seek(topicName, offsets);
    await this.offsets.flush();
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    this.assertOpen();
    validateTimestamp('offsetForTimestamp: timestamp', timestamp);
    return this.topics.get(topic).log(partition).offsetForTimestamp(timestamp);
  }

  async partitionBounds(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
    this.assertOpen();
    const log = this.topics.get(topic).log(partition);
    return { earliest: log.earliest, latest: log.latest };
  }

  /**
   * Records [from, to) of one partition, in batches. `to` is capped at the log end when the read
   * starts; offsets before the earliest retained one are skipped (retention deleted them).
   */
  async *read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]> {
    this.assertOpen();
    const log = this.topics.get(topic).log(partition);
    validateOffset('read: from', from);
    validateOffset('read: to', to);
    const end = Math.min(to, log.latest);
    let position = from;
    while (position < end) {
      this.assertOpen();
      const batch = await log.fetch(position, Math.min(this.options.defaultMaxBatchRecords, end - position));
      let count = batch.length;
      while (count > 0 && batch[count - 1].offset >= end) count--;
      if (count === 0) return;
      const records = count === batch.length ? batch : batch.slice(0, count);
      position = records[records.length - 1].offset + 1;
      yield records;
    }
  }

  async ping(): Promise<void> {
    this.assertOpen();
    for (const topic of this.topics.all()) {
      for (const log of topic.logs) {
        const failure = log.health;
        if (failure) throw failure;
      }
    }
    await access(this.options.dataDir, fsConstants.W_OK);
  }

  /**
   * Applies every topic's retention now (also runs on a timer). Returns the number of segments
   * deleted. Exposed for operators and tests.
   */
  async runRetention(now = Date.now()): Promise<number> {
    if (this.closing) return 0;
    while (this.retentionRun) await this.retentionRun;
    let deleted = 0;
    const run = (async () => {
      for (const topic of this.topics.all()) {
        const { retentionMs, retentionBytes } = topic.spec;
        if (retentionMs === undefined && retentionBytes === undefined) continue;
        for (const log of topic.logs) {
          try {
            deleted += await log.enforceRetention({ retentionMs, retentionBytes }, now);
          } catch (error) {
            this.options.onWarning(`embedded bus: retention of ${topic.name} failed: ${String(error)}`);
          }
        }
      }
    })();
    this.retentionRun = run;
    try {
      await run;
    } finally {
      this.retentionRun = null;
    }
    return deleted;
  }

  /** Stops every consumer (in-flight batches finish and commit), writes what is queued, closes files. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.retentionTimer) clearInterval(this.retentionTimer);
      while (this.retentionRun) await this.retentionRun.catch(() => undefined);
      await Promise.all([...this.coordinators.values()].map((c) => c.shutdown()));
      this.coordinators.clear();
      this.producesClosed = true;
      try {
        await this.topics.close();
        await this.offsets.flush();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('embedded bus: the bus is closed');
  }
}

interface PartitionGroup {
  partition: number;
  records: PreparedRecord[];
  /** Position of each record in the produce call. */
  indexes: number[];
  bytes: number;
}

/** Validates every record (a bad one fails the whole call, nothing appended) and groups them by partition. */
function groupByPartition(topic: Topic, topicName: string, records: ProduceRecord[], now: number, maxRecordBytes: number): PartitionGroup[] {
  const groups = new Map<number, PartitionGroup>();
  for (let i = 0; i < records.length; i++) {
    const prepared = prepareRecord(topicName, i, records[i], now, maxRecordBytes);
    const partition = choosePartition(topic, prepared.key);
    let group = groups.get(partition);
    if (!group) groups.set(partition, (group = { partition, records: [], indexes: [], bytes: 0 }));
    group.records.push(prepared);
    group.indexes.push(i);
    group.bytes += prepared.size;
  }
  return [...groups.values()];
}

/**
 * Appends each group to its partition; resolves with every record's position once all are durable.
 * Its own function, so the callbacks waiting for the fsync keep only the positions, not the
 * records (the partition log lets go of them once encoded).
 */
function appendGroups(topic: Topic, topicName: string, groups: PartitionGroup[], count: number): Promise<RecordPosition[]> {
  return new Promise((resolve, reject) => {
    const positions = new Array<RecordPosition>(count);
    let remaining = groups.length;
    let failed = false;
    for (const group of groups) {
      const { partition, indexes } = group;
      const append: PendingAppend = {
        records: group.records,
        bytes: group.bytes,
        onDurable: (firstOffset) => {
          for (let j = 0; j < indexes.length; j++) {
            positions[indexes[j]] = { topic: topicName, partition, offset: firstOffset + j };
          }
          if (--remaining === 0 && !failed) resolve(positions);
        },
        onFailure: (error) => {
          // Records on other partitions may be durable already: a retry can duplicate them (at-least-once).
          if (!failed) reject(error);
          failed = true;
        },
      };
      topic.logs[partition].append(append);
    }
  });
}

function choosePartition(topic: Topic, key: string | null): number {
  return key === null ? topic.roundRobinPartition() : partitionForKey(key, topic.partitions);
}
