/**
 * Settings of the Kafka bus adapter: defaults and validation. Only brokers and clientId are
 * required; the rest are tuning knobs whose defaults suit a small cluster and log0's workloads.
 */

export interface KafkaBusOptions {
  /** Bootstrap brokers, "host:port". */
  brokers: string[];
  /** Prefix of the Kafka client ids this bus uses (one per connection role). */
  clientId: string;
  /** Receives recoveries and failures worth an operator's attention. Default: process.emitWarning. */
  onWarning?: (message: string, err?: unknown) => void;
  /** Upper bound on a produce call waiting for the brokers' acknowledgement. Default 10 s. */
  produceTimeoutMs?: number;
  /** Upper bound on one admin/metadata/offsets request (including the client's retries). Default 10 s. */
  requestTimeoutMs?: number;
  /** Largest accepted record (key + value + headers). Default 1,000,000 bytes (Kafka's max.message.bytes ≈ 1 MiB). */
  maxRecordBytes?: number;
  /** Bytes of records per partition in one produce request (a Kafka record batch). Default 900 KiB, under the broker default max.message.bytes (1 MiB): fewer, fuller requests (one is in flight at a time). */
  maxBatchBytes?: number;
  /** Bytes of records waiting to be sent; beyond it produce fails at once (TransientError). Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Consumer-group session timeout: a member silent this long is removed. Default 30 s. */
  sessionTimeoutMs?: number;
  /** How often members heartbeat; also how quickly they notice a rebalance. Default 1 s. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to finish in-flight batches and rejoin. Default 60 s. */
  rebalanceTimeoutMs?: number;
  /** Long-poll wait of a consumer fetch when no records are available. Default 500 ms. */
  fetchMaxWaitMs?: number;
  /** Bytes fetched per partition per request. Default 1 MiB. */
  fetchMaxBytesPerPartition?: number;
  /**
   * After a fetch that returned records but fewer than fetchTrickleMinBytes of values, the next
   * fetch from that broker asks for at least that many bytes and waits up to
   * fetchTrickleMaxWaitMs for them (Kafka's fetch.min.bytes, applied only after a trickle: the
   * first record after a quiet spell still comes at once). Single-log requests then reach the
   * consumers in batches, not one by one: measured with log0 up at 64 connections, ≈ 15 % less
   * CPU per request. Defaults 128 KiB and 25 ms, or fetchMaxBytesPerPartition and fetchMaxWaitMs
   * if smaller: they may not exceed those (the broker counts at most fetchMaxBytesPerPartition
   * of a partition toward the minimum; the fetch's request timeout allows for fetchMaxWaitMs).
   * fetchTrickleMaxWaitMs 0 turns it off. Only values are counted, not keys, headers or batch
   * overhead: a heuristic, not the broker's measure.
   */
  fetchTrickleMinBytes?: number;
  fetchTrickleMaxWaitMs?: number;
  /** Records buffered per partition ahead of the handler. Default 4 × the batch size. */
  prefetchBatches?: number;
  /** Batch size when the consumer does not set maxBatchRecords. Default 500. */
  defaultMaxBatchRecords?: number;
  /** Redelivery backoff after a handler rejects: doubles from initialMs up to maxMs. Default 100 ms → 5 s. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** Replication factor of topics created by ensureTopics. Default -1 (the broker's default.replication.factor). */
  replicationFactor?: number;
}

export interface ResolvedKafkaOptions {
  brokers: string[];
  clientId: string;
  onWarning: (message: string, err?: unknown) => void;
  produceTimeoutMs: number;
  requestTimeoutMs: number;
  maxRecordBytes: number;
  maxBatchBytes: number;
  maxQueuedBytes: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  fetchMaxWaitMs: number;
  fetchMaxBytesPerPartition: number;
  fetchTrickleMinBytes: number;
  fetchTrickleMaxWaitMs: number;
  prefetchBatches: number;
  defaultMaxBatchRecords: number;
  retryBackoff: { initialMs: number; maxMs: number };
  replicationFactor: number;
}

const BROKER = /^[^\s:]+:\d{1,5}$/;
const CLIENT_ID = /^[A-Za-z0-9._-]{1,200}$/;

const POSITIVE = [
  'produceTimeoutMs',
  'requestTimeoutMs',
  'maxRecordBytes',
  'maxBatchBytes',
  'maxQueuedBytes',
  'sessionTimeoutMs',
  'heartbeatIntervalMs',
  'rebalanceTimeoutMs',
  'fetchMaxWaitMs',
  'fetchMaxBytesPerPartition',
  'fetchTrickleMinBytes',
  'prefetchBatches',
  'defaultMaxBatchRecords',
] as const;

/** Fills in defaults; throws an Error naming the first invalid option. */
export function resolveKafkaOptions(options: KafkaBusOptions): ResolvedKafkaOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('kafka bus: options must be an object');
  const { brokers, clientId } = options;
  if (
    !Array.isArray(brokers) ||
    brokers.length === 0 ||
    !brokers.every((b) => typeof b === 'string' && BROKER.test(b))
  ) {
    throw new Error(
      `kafka bus: option brokers must be a non-empty array of "host:port", got ${JSON.stringify(brokers)}`,
    );
  }
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
    throw new Error(`kafka bus: option clientId must be 1-200 of [A-Za-z0-9._-], got ${JSON.stringify(clientId)}`);
  }
  for (const name of POSITIVE) checkInteger(name, options[name], 1);
  checkInteger('fetchTrickleMaxWaitMs', options.fetchTrickleMaxWaitMs, 0);
  if (options.retryBackoff !== undefined) {
    checkInteger('retryBackoff.initialMs', options.retryBackoff.initialMs, 1);
    checkInteger('retryBackoff.maxMs', options.retryBackoff.maxMs, options.retryBackoff.initialMs);
  }
  if (options.replicationFactor !== undefined && options.replicationFactor !== -1) {
    checkInteger('replicationFactor', options.replicationFactor, 1);
  }
  const resolved: ResolvedKafkaOptions = {
    brokers: [...brokers],
    clientId,
    onWarning: options.onWarning ?? ((message: string) => process.emitWarning(message, 'KafkaBusWarning')),
    produceTimeoutMs: options.produceTimeoutMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    maxRecordBytes: options.maxRecordBytes ?? 1_000_000,
    maxBatchBytes: options.maxBatchBytes ?? 900 * 1024,
    maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
    rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 60_000,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 500,
    fetchMaxBytesPerPartition: options.fetchMaxBytesPerPartition ?? 1024 * 1024,
    fetchTrickleMinBytes: options.fetchTrickleMinBytes ?? Math.min(128 * 1024, options.fetchMaxBytesPerPartition ?? 1024 * 1024),
    fetchTrickleMaxWaitMs: options.fetchTrickleMaxWaitMs ?? Math.min(25, options.fetchMaxWaitMs ?? 500),
    prefetchBatches: options.prefetchBatches ?? 4,
    defaultMaxBatchRecords: options.defaultMaxBatchRecords ?? 500,
    retryBackoff: options.retryBackoff ?? { initialMs: 100, maxMs: 5_000 },
    replicationFactor: options.replicationFactor ?? -1,
  };
  if (resolved.heartbeatIntervalMs * 3 > resolved.sessionTimeoutMs) {
    throw new Error(
      `kafka bus: option heartbeatIntervalMs (${resolved.heartbeatIntervalMs}) must be at most a third of sessionTimeoutMs (${resolved.sessionTimeoutMs})`,
    );
  }
  if (resolved.fetchTrickleMaxWaitMs > resolved.fetchMaxWaitMs) {
    // The fetch client's request timeout allows for fetchMaxWaitMs; a longer wait would time out.
    throw new Error(
      `kafka bus: option fetchTrickleMaxWaitMs (${resolved.fetchTrickleMaxWaitMs}) must be at most fetchMaxWaitMs (${resolved.fetchMaxWaitMs})`,
    );
  }
  if (resolved.fetchTrickleMinBytes > resolved.fetchMaxBytesPerPartition) {
    // The broker counts at most fetchMaxBytesPerPartition of a partition toward the minimum: a
    // larger one could be out of reach, and every fetch would wait the whole trickle wait.
    throw new Error(
      `kafka bus: option fetchTrickleMinBytes (${resolved.fetchTrickleMinBytes}) must be at most fetchMaxBytesPerPartition (${resolved.fetchMaxBytesPerPartition})`,
    );
  }
  if (resolved.maxBatchBytes < resolved.maxRecordBytes / 2) {
    // A record bigger than a batch still goes out alone; this only guards against silly settings.
    throw new Error('kafka bus: option maxBatchBytes must be at least half of maxRecordBytes');
  }
  return resolved;
}

function checkInteger(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    throw new Error(`kafka bus: option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}
