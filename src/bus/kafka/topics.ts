/**
 * What the adapter knows about topics: partition count, topic id and partition leaders, read from
 * the cluster's metadata and cached briefly. Unknown topics and partitions are reported with an
 * error naming them; topics are created (ensureTopics) with their partition count and retention.
 */
import type { Admin, Broker } from '@platformatic/kafka';
import type { TopicSpec } from '../port.js';
import { TransientError } from '../../runtime/errors.js';
import { callApi } from './clients.js';
import { busError, errorResponse, hasProtocolError, KafkaBusError, withTimeout } from './errors.js';
import type { ResolvedKafkaOptions } from './options.js';
import type { MetadataResponse } from './wire-types.js';

export interface PartitionInfo {
  leader: number;
  leaderEpoch: number;
}

export interface TopicInfo {
  name: string;
  id: string;
  partitions: PartitionInfo[];
}

/** Kafka's legal topic names: [A-Za-z0-9._-], at most 249 characters, not "." or "..". */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

const UNKNOWN_TOPIC = 3;
const CACHE_MS = 10_000;

export function validateTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new KafkaBusError(`kafka bus: invalid topic name ${JSON.stringify(name)} (allowed: 1-249 of [A-Za-z0-9._-])`);
  }
}

export function validateTopicSpec(spec: TopicSpec): void {
  if (spec === null || typeof spec !== 'object') throw new TypeError('kafka bus: a topic spec must be an object');
  validateTopicName(spec.name);
  const { name, partitions, retentionMs, retentionBytes } = spec;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new KafkaBusError(`kafka bus: topic "${name}": partitions must be an integer in 1..10000, got ${partitions}`);
  }
  if (retentionMs !== undefined && !(Number.isSafeInteger(retentionMs) && retentionMs > 0)) {
    throw new KafkaBusError(`kafka bus: topic "${name}": retentionMs must be a positive integer, got ${retentionMs}`);
  }
  if (retentionBytes !== undefined && !(Number.isSafeInteger(retentionBytes) && retentionBytes > 0)) {
    throw new KafkaBusError(
      `kafka bus: topic "${name}": retentionBytes must be a positive integer, got ${retentionBytes}`,
    );
  }
}

/**
 * Topic configs for a spec. Kafka's broker defaults would delete records after 7 days; the port
 * promises "undefined: keep forever", so both limits are always set explicitly (-1 = unbounded).
 */
export function topicConfigs(spec: TopicSpec, replicationFactor = -1): Array<{ name: string; value: string }> {
  return [
    { name: 'retention.ms', value: String(spec.retentionMs ?? -1) },
    { name: 'retention.bytes', value: String(spec.retentionBytes ?? -1) },
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'message.timestamp.type', value: 'CreateTime' },
    // acks=all waits for the in-sync replicas only: with a replicated topic, insist on two, so an
    // acknowledged record survives the loss of a broker (with the broker default of one it may not).
    ...(replicationFactor >= 2 ? [{ name: 'min.insync.replicas', value: '2' }] : []),
  ];
}

export class TopicCatalog {
  private readonly cache = new Map<string, { info: TopicInfo; at: number }>();
  private brokers = new Map<number, Broker>();

  constructor(
    private readonly admin: Admin,
    private readonly options: ResolvedKafkaOptions,
  ) {}

  /** The topic, from the cache or the cluster; rejects with an error naming it if it does not exist. */
  async get(name: string, fresh = false): Promise<TopicInfo> {
    validateTopicName(name);
    const cached = this.cache.get(name);
    if (!fresh && cached && Date.now() - cached.at < CACHE_MS) return cached.info;
    const [info] = await this.describe([name]);
    if (!info) throw unknownTopic(name);
    return info;
  }

  /** The cached info of a topic, however old, without asking the cluster. */
  peek(name: string): TopicInfo | undefined {
    return this.cache.get(name)?.info;
  }

  /** Validates a partition number against the topic's partition count. */
  async partition(name: string, partition: number): Promise<TopicInfo> {
    let info = await this.get(name);
    if (Number.isInteger(partition) && partition >= info.partitions.length) info = await this.get(name, true);
    if (!Number.isInteger(partition) || partition < 0 || partition >= info.partitions.length) {
      throw new KafkaBusError(
        `kafka bus: topic "${name}" has no partition ${String(partition)} (it has ${info.partitions.length} partitions)`,
      );
    }
    return info;
  }

  /** Forgets cached metadata (after a leader moved or a topic changed). */
  invalidate(name?: string): void {
    if (name === undefined) this.cache.clear();
    else this.cache.delete(name);
  }

  /** Leader broker of a partition, waiting (up to ~2 s) for metadata to name one. */
  async leader(name: string, partition: number): Promise<{ nodeId: number; broker: Broker }> {
    for (let attempt = 0; ; attempt++) {
      const info = await this.partition(name, partition);
      const nodeId = info.partitions[partition].leader;
      const broker = this.brokers.get(nodeId);
      if (nodeId >= 0 && broker) return { nodeId, broker };
      if (attempt >= 20) {
        throw new TransientError(`kafka bus: topic "${name}" partition ${partition} has no leader`);
      }
      this.invalidate(name);
      await sleep(100);
    }
  }

  /** Infos of the topics that exist (null for those that do not), in the order asked. */
  async describe(names: string[]): Promise<Array<TopicInfo | null>> {
    let response: MetadataResponse;
    try {
      response = await withTimeout(
        callApi<MetadataResponse>(this.admin, 'Metadata', 'bootstrap', names, false, false),
        this.options.requestTimeoutMs,
        'reading topic metadata',
      );
    } catch (err) {
      // Per-topic errors (unknown topic, leader election) come as an error carrying the response.
      const partial = errorResponse<MetadataResponse>(err);
      if (!partial || !Array.isArray(partial.topics) || !Array.isArray(partial.brokers)) {
        throw busError('reading topic metadata', err);
      }
      response = partial;
    }
    this.brokers = new Map(response.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
    const now = Date.now();
    const byName = new Map<string, TopicInfo | null>();
    for (const topic of response.topics) {
      if (!topic.name) continue;
      if (topic.errorCode === UNKNOWN_TOPIC) {
        byName.set(topic.name, null);
        this.cache.delete(topic.name);
        continue;
      }
      const partitions: PartitionInfo[] = [];
      for (const p of topic.partitions) {
        partitions[p.partitionIndex] = { leader: p.errorCode === 0 ? p.leaderId : -1, leaderEpoch: p.leaderEpoch };
      }
      const info: TopicInfo = { name: topic.name, id: topic.topicId, partitions };
      byName.set(topic.name, info);
      // Cached even when a partition has no leader (marked -1): its consumers wait and refresh,
      // while the topic's other partitions keep being fetched and produced to.
      const complete = partitions.length === topic.partitions.length && partitions.every((p) => p !== undefined);
      if (topic.errorCode === 0 && complete) this.cache.set(topic.name, { info, at: now });
    }
    return names.map((name) => byName.get(name) ?? null);
  }

  /**
   * Creates the topics that do not exist yet with their partition count and retention; existing
   * topics are left as they are. Resolves once every topic is served by a leader on all partitions.
   */
  async ensure(specs: TopicSpec[]): Promise<void> {
    if (!Array.isArray(specs)) throw new TypeError('kafka bus: ensureTopics expects an array of topic specs');
    for (const spec of specs) validateTopicSpec(spec);
    const unique = new Map(specs.map((s) => [s.name, s]));
    const existing = await this.describe([...unique.keys()]);
    const missing = [...unique.values()].filter((_, i) => existing[i] === null);
    await Promise.all(missing.map((spec) => this.create(spec)));
    await this.waitReady([...unique.keys()]);
  }

  private async create(spec: TopicSpec): Promise<void> {
    try {
      await withTimeout(
        this.admin.createTopics({
          topics: [spec.name],
          partitions: spec.partitions,
          replicas: this.options.replicationFactor,
          configs: topicConfigs(spec, this.options.replicationFactor),
        }),
        this.options.requestTimeoutMs,
        `creating topic "${spec.name}"`,
      );
    } catch (err) {
      if (hasProtocolError(err, 'TOPIC_ALREADY_EXISTS')) return; // created meanwhile: left as it is
      throw busError(`creating topic "${spec.name}"`, err);
    }
  }

  /** Waits until metadata shows every topic with a leader on each partition. */
  private async waitReady(names: string[]): Promise<void> {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    for (;;) {
      const infos = await this.describe(names);
      const notReady = names.filter((_name, i) => {
        const info = infos[i];
        return !info || info.partitions.length === 0 || !info.partitions.every((p) => p && p.leader >= 0);
      });
      if (notReady.length === 0) return;
      if (Date.now() > deadline) {
        throw new TransientError(
          `kafka bus: topics ${notReady.map((n) => `"${n}"`).join(', ')} have no leader after ${this.options.requestTimeoutMs} ms`,
        );
      }
      await sleep(50);
    }
  }
}

/** The cluster says the topic does not exist (as opposed to: could not be asked). */
export class UnknownTopicError extends KafkaBusError {}

export function unknownTopic(name: string): KafkaBusError {
  return new UnknownTopicError(`kafka bus: unknown topic "${name}"`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
