/**
 * The Kafka adapter of the Bus port: topics, produce, consumer groups and offset queries against
 * an Apache Kafka cluster through @platformatic/kafka. Records are exactly the bytes produced
 * (no framing), headers UTF-8 strings, timestamps CreateTime epoch ms; partitions are chosen by
 * log0 (murmur2 of the key, as Kafka's default partitioner does) so every client agrees.
 */
import type { Admin, Consumer } from '@platformatic/kafka';
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
import { createAdmin, createRawConsumer } from './clients.js';
import { busError, describeKafkaError, KafkaBusError, withTimeout } from './errors.js';
import { GroupMember } from './group-member.js';
import { OffsetsApi } from './offsets.js';
import { type KafkaBusOptions, type ResolvedKafkaOptions, resolveKafkaOptions } from './options.js';
import { KafkaProducer } from './producer.js';
import { PartitionReader } from './reader.js';
import { TopicCatalog } from './topics.js';

function validateGroupId(groupId: unknown): asserts groupId is string {
  if (typeof groupId !== 'string' || groupId.length === 0 || groupId.length > 255) {
    throw new KafkaBusError(`kafka bus: invalid consumer group id ${JSON.stringify(groupId)} (1-255 characters)`);
  }
}

function validateTimestamp(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new KafkaBusError(`kafka bus: ${what} must be an integer epoch-ms timestamp, got ${String(value)}`);
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export class KafkaBus implements Bus {
  private readonly admin: Admin;
  private readonly readerClient: Consumer;
  private readonly topics: TopicCatalog;
  private readonly offsets: OffsetsApi;
  private readonly producer: KafkaProducer;
  private readonly reader: PartitionReader;
  private readonly members = new Set<GroupMember>();
  private nextMemberIndex = 1;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ResolvedKafkaOptions) {
    this.admin = createAdmin(options);
    this.readerClient = createRawConsumer(options, 'reader', `${options.clientId}-reader`, options.requestTimeoutMs);
    this.topics = new TopicCatalog(this.admin, options);
    this.offsets = new OffsetsApi(this.admin, options);
    this.producer = new KafkaProducer(options, this.topics);
    this.reader = new PartitionReader(this.readerClient, this.topics, this.offsets, options);
  }

  static create(options: KafkaBusOptions): KafkaBus {
    return new KafkaBus(resolveKafkaOptions(options));
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen();
    await this.topics.ensure(topics);
  }

  async partitionCount(topic: string): Promise<number> {
    this.assertOpen();
    return (await this.topics.get(topic)).partitions.length;
  }

  async produce(topic: string, records: ProduceRecord[]): Promise<RecordPosition[]> {
    this.assertOpen();
    return this.producer.produce(topic, records);
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    this.assertOpen();
    if (options === null || typeof options !== 'object')
      throw new TypeError('kafka bus: consume options must be an object');
    const { groupId, topics, handler, onAssigned, onRevoked } = options;
    validateGroupId(groupId);
    if (!Array.isArray(topics) || topics.length === 0) {
      throw new KafkaBusError(`kafka bus: group ${groupId}: topics must be a non-empty array`);
    }
    if (typeof handler !== 'function') throw new TypeError(`kafka bus: group ${groupId}: handler must be a function`);
    const maxBatchRecords = options.maxBatchRecords ?? this.options.defaultMaxBatchRecords;
    if (!Number.isSafeInteger(maxBatchRecords) || maxBatchRecords < 1) {
      throw new KafkaBusError(
        `kafka bus: group ${groupId}: maxBatchRecords must be a positive integer, got ${maxBatchRecords}`,
      );
    }
    const resetTo = options.resetTo ?? 'earliest';
    if (resetTo !== 'earliest' && resetTo !== 'latest') {
      throw new KafkaBusError(
        `kafka bus: group ${groupId}: resetTo must be 'earliest' or 'latest', got ${String(resetTo)}`,
      );
    }
    const unique = [...new Set(topics)];
    await Promise.all(unique.map((topic) => this.topics.get(topic, true)));

    const member = new GroupMember(
      { options: this.options, topics: this.topics, offsets: this.offsets, index: this.nextMemberIndex++ },
      { groupId, topics: unique, handler, maxBatchRecords, resetTo, onAssigned, onRevoked },
    );
    this.members.add(member);
    try {
      await member.start();
    } catch (err) {
      this.members.delete(member);
      await member.stop();
      throw err;
    }
    let stopped: Promise<void> | null = null;
    return {
      stop: () => (stopped ??= member.stop().finally(() => this.members.delete(member))),
    };
  }

  async groupPositions(groupId: string, topic: string): Promise<PartitionPosition[]> {
    this.assertOpen();
    validateGroupId(groupId);
    const partitions = range((await this.topics.get(topic)).partitions.length);
    const [committed, earliest, latest] = await Promise.all([
      this.offsets.committed(groupId, topic, partitions),
      this.offsets.earliest(topic, partitions),
      this.offsets.latest(topic, partitions),
    ]);
    return partitions.map((partition) => {
      const from = committed[partition] === -1 ? earliest[partition] : committed[partition];
      return {
        partition,
        committed: committed[partition],
        latest: latest[partition],
        lag: Math.max(0, latest[partition] - from),
      };
    });
  }

  /**
   * Kafka lets a group's offsets be altered from outside only while the group has no member.
   * Members in this process are moved in-process (their partitions repositioned at once and the
   * offsets committed under their generation); a group with members elsewhere is refused.
   */
  async seekGroupToTimestamp(groupId: string, topic: string, timestamp: number): Promise<void> {
    this.assertOpen();
    validateGroupId(groupId);
    validateTimestamp('seekGroupToTimestamp: timestamp', timestamp);
    const partitions = range((await this.topics.get(topic)).partitions.length);
    const offsets = await this.offsets.forTimestamp(topic, partitions, timestamp);
    const local = [...this.members].filter((m) => m.groupId === groupId);
    const localIds = new Set(local.map((m) => m.session.memberId).filter((id) => id !== ''));
    const foreign = (await this.offsets.members(groupId)).filter((id) => !localIds.has(id));
    if (foreign.length > 0) {
      throw new KafkaBusError(
        `kafka bus: cannot seek group "${groupId}" on "${topic}": it has ${foreign.length} active member(s) outside this ` +
          `process (${foreign.slice(0, 5).join(', ')}); Kafka only lets an empty group's offsets be moved — stop those consumers first`,
      );
    }
    const active = local.filter((m) => m.active);
    if (active.length === 0) {
      try {
        await this.offsets.alterCommitted(
          groupId,
          topic,
          offsets.map((offset, partition) => ({ partition, offset })),
        );
      } catch (err) {
        throw busError(`seeking group "${groupId}" on "${topic}" (did a member join meanwhile?)`, err);
      }
      return;
    }
    const moved = new Set<number>();
    for (const member of active) for (const p of await member.seek(topic, offsets)) moved.add(p);
    const rest = partitions
      .filter((p) => !moved.has(p))
      .map((partition) => ({ partition, offset: offsets[partition] }));
    if (rest.length > 0) await active[0].commitFor(topic, rest);
  }

  async offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    this.assertOpen();
    validateTimestamp('offsetForTimestamp: timestamp', timestamp);
    await this.topics.partition(topic, partition);
    const [offset] = await this.offsets.forTimestamp(topic, [partition], timestamp);
    return offset;
  }

  async partitionBounds(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
    this.assertOpen();
    await this.topics.partition(topic, partition);
    const [[earliest], [latest]] = await Promise.all([
      this.offsets.earliest(topic, [partition]),
      this.offsets.latest(topic, [partition]),
    ]);
    return { earliest, latest };
  }

  async *read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]> {
    this.assertOpen();
    yield* this.reader.read(topic, partition, from, to);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await withTimeout(this.topics.describe([]), this.options.requestTimeoutMs, 'ping');
    } catch (err) {
      throw busError('ping', err);
    }
  }

  /** Stops every consumer (in-flight batches finish and commit), sends queued produces, closes all clients. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.members].map((m) => m.stop()));
      this.members.clear();
      await this.producer.close();
      await Promise.all(
        [this.admin, this.readerClient].map((client) =>
          client.close().catch((err: unknown) => {
            this.options.onWarning(`kafka bus: closing a client failed: ${describeKafkaError(err)}`, err);
          }),
        ),
      );
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new KafkaBusError('kafka bus: the bus is closed');
  }
}
