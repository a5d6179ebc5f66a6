/**
 * The bus port: a partitioned, durable, log-structured message bus with consumer groups.
 * Kafka semantics are the model; the embedded adapter and the Kafka adapter both implement
 * this interface and both pass test/contract/bus.contract.ts.
 */

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Records older than this may be deleted. Undefined: keep by age forever. */
  retentionMs?: number;
  /** Per partition: oldest records are deleted beyond this size. Undefined: no size bound. */
  retentionBytes?: number;
}

export type Headers = Record<string, string>;

/** The headers of records without any: frozen, because adapters share it between records. */
export const NO_HEADERS: Headers = Object.freeze({}) as Headers;

export interface ProduceRecord {
  /** Partition key; the partition is murmur2(key) like Kafka's default partitioner. Null: round-robin. */
  key: string | null;
  value: Buffer | string;
  headers?: Headers;
  /** Create time in epoch ms; defaults to now. */
  timestamp?: number;
}

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: number;
}

export interface BusRecord extends RecordPosition {
  key: string | null;
  value: Buffer;
  headers: Headers;
  /** Create time, epoch ms. */
  timestamp: number;
}

export interface PartitionAssignment {
  topic: string;
  partition: number;
  /** Offset the group will resume from (its committed offset, or where the reset policy put it). */
  position: number;
}

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /**
   * Processes one batch of records of a single partition, in offset order. Resolving commits
   * the offset after the batch's last record; rejecting commits nothing and the batch is
   * delivered again after a backoff (at-least-once). Per-record failure handling (DLQ) lives
   * above the port, in runtime/consumer.ts.
   */
  handler: (batch: BusRecord[]) => Promise<void>;
  /** Upper bound on records per batch. */
  maxBatchRecords?: number;
  /** Where a group with no committed offset starts: 'earliest' (default) or 'latest'. */
  resetTo?: 'earliest' | 'latest';
  /**
   * Called when partitions are assigned to this member, before any of their records is delivered.
   * Lets stateful consumers rebuild state (e.g. by reading back from a timestamp).
   */
  onAssigned?: (assigned: PartitionAssignment[]) => Promise<void>;
  /** Called when partitions are taken away, after their last batch finished. */
  onRevoked?: (revoked: Array<{ topic: string; partition: number }>) => Promise<void>;
}

export interface Subscription {
  /** Stops fetching, waits for in-flight batches to finish and commit, leaves the group. */
  stop(): Promise<void>;
}

export interface PartitionPosition {
  partition: number;
  /** Committed offset of the group (next offset to consume); -1 if the group never committed. */
  committed: number;
  /** Log end offset: offset the next produced record will get. */
  latest: number;
  /** latest − committed (with committed −1 counted from the log start). */
  lag: number;
}

export interface Bus {
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /**
   * Appends records; resolves once every record is durably stored (embedded: fsynced;
   * Kafka: acknowledged by all in-sync replicas). Positions are in input order.
   */
  produce(topic: string, records: ProduceRecord[]): Promise<RecordPosition[]>;
  /** Joins a consumer group and starts delivering batches to the handler. */
  consume(options: ConsumeOptions): Promise<Subscription>;
  /** Committed offset, latest offset and lag per partition of a topic for a group. */
  groupPositions(groupId: string, topic: string): Promise<PartitionPosition[]>;
  /**
   * Moves a group's committed offsets on every partition of a topic to the first record with
   * timestamp ≥ ts (or the log end). Members of the group pick the new positions up at once.
   */
  seekGroupToTimestamp(groupId: string, topic: string, timestamp: number): Promise<void>;
  /** Offset of the first record with timestamp ≥ ts on a partition, or the log end offset. */
  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number>;
  /** Earliest retained offset and log end offset of a partition. */
  partitionBounds(topic: string, partition: number): Promise<{ earliest: number; latest: number }>;
  /** Reads records [from, to) of one partition outside any group, in batches. */
  read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]>;
  /** Health probe: resolves when the bus can serve. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
