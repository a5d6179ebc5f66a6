/**
 * Settings of the embedded bus: defaults, validation, and the per-topic settings derived from them.
 */
import type { TopicSpec } from '../port.js';
import { MAX_FRAME_BYTES } from './record-codec.js';
import type { SharedLogOptions } from './topic-registry.js';

export interface EmbeddedBusOptions {
  /** Folder holding topics, offsets and the lock file; created if missing. */
  dataDir: string;
  /** Segment file size before rolling to a new one. Default 32 MiB. */
  segmentBytes?: number;
  /** Age at which the active segment is rolled even if not full. Default 1 day. */
  segmentMaxAgeMs?: number;
  /**
   * Memory for recent records, per partition: the frames as written (record-cache.ts), outside
   * the JS heap. Default 4 MiB: a few thousand records, what consumers that keep up, or fall a
   * little behind, read; a consumer further behind reads from disk.
   */
  cacheBytesPerPartition?: number;
  /** Largest accepted record (encoded frame). Default 4 MiB. */
  maxRecordBytes?: number;
  /** Upper bound on the bytes one group-commit flush writes. Default 8 MiB. */
  maxFlushBytes?: number;
  /** How often retention runs; 0 disables the timer (runRetention() still works). Default 60 s. */
  retentionCheckIntervalMs?: number;
  /** Committed offsets are written at most this often. Default 100 ms. */
  commitFlushIntervalMs?: number;
  /** Redelivery backoff after a handler rejects: doubles from initialMs up to maxMs. Default 100 ms → 5 s. */
  retryBackoff?: { initialMs: number; maxMs: number };
  /** Batch size when the consumer does not set maxBatchRecords. Default 500. */
  defaultMaxBatchRecords?: number;
  /**
   * After a batch of fewer than fetchMinRecords records, a partition's next batch waits until
   * that many records are there or fetchMaxWaitMs passed (Kafka's fetch.min.bytes and
   * fetch.max.wait.ms, in records). A trickle then costs one hand-over, commit and publish per
   * few milliseconds instead of one per record or two: measured with single-log requests at 64
   * connections (batches of 8–10 records before), 190–201 instead of 214–225 µs of CPU per
   * request; 256 records within 25 ms instead of 64 within 5 ms took another 8–11 % off (the
   * processing thread's share by about a quarter). It adds at most 25 ms per stage between a
   * log's acceptance and its incident, which is counted in minutes; a 202 never waits for it
   * (the gateway waits for the write, never for a consumer). The first record after a quiet
   * spell is delivered at once. Defaults 256 and 25 ms; fetchMaxWaitMs 0 turns the wait off.
   */
  fetchMinRecords?: number;
  fetchMaxWaitMs?: number;
  /** Receives recoveries and failures worth an operator's attention. Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export type ResolvedOptions = Required<EmbeddedBusOptions>;

const MiB = 1024 * 1024;

const POSITIVE = [
  'segmentBytes',
  'segmentMaxAgeMs',
  'maxRecordBytes',
  'maxFlushBytes',
  'defaultMaxBatchRecords',
  'fetchMinRecords',
] as const;
const NON_NEGATIVE = ['cacheBytesPerPartition', 'retentionCheckIntervalMs', 'commitFlushIntervalMs', 'fetchMaxWaitMs'] as const;

/** Fills in defaults; throws an Error naming the first invalid option. */
export function resolveOptions(options: EmbeddedBusOptions): ResolvedOptions {
  if (!options || typeof options.dataDir !== 'string' || options.dataDir === '') {
    throw new Error('embedded bus: options.dataDir is required');
  }
  for (const name of POSITIVE) checkInteger(name, options[name], 1);
  for (const name of NON_NEGATIVE) checkInteger(name, options[name], 0);
  if (options.maxRecordBytes !== undefined && options.maxRecordBytes > MAX_FRAME_BYTES) {
    throw new Error(`embedded bus: option maxRecordBytes must be at most ${MAX_FRAME_BYTES}`);
  }
  if (options.retryBackoff !== undefined) {
    checkInteger('retryBackoff.initialMs', options.retryBackoff.initialMs, 1);
    checkInteger('retryBackoff.maxMs', options.retryBackoff.maxMs, options.retryBackoff.initialMs);
  }
  return {
    dataDir: options.dataDir,
    segmentBytes: options.segmentBytes ?? 32 * MiB,
    segmentMaxAgeMs: options.segmentMaxAgeMs ?? 24 * 60 * 60 * 1000,
    cacheBytesPerPartition: options.cacheBytesPerPartition ?? 4 * MiB,
    maxRecordBytes: options.maxRecordBytes ?? 4 * MiB,
    maxFlushBytes: options.maxFlushBytes ?? 8 * MiB,
    retentionCheckIntervalMs: options.retentionCheckIntervalMs ?? 60_000,
    commitFlushIntervalMs: options.commitFlushIntervalMs ?? 100,
    retryBackoff: options.retryBackoff ?? { initialMs: 100, maxMs: 5000 },
    defaultMaxBatchRecords: options.defaultMaxBatchRecords ?? 500,
    fetchMinRecords: options.fetchMinRecords ?? 256,
    fetchMaxWaitMs: options.fetchMaxWaitMs ?? 25,
    onWarning: options.onWarning ?? ((message: string) => process.emitWarning(message, 'EmbeddedBusWarning')),
  };
}

function checkInteger(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
    throw new Error(`embedded bus: option ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
}

/**
 * Partition-log settings for a topic. Segments are kept to at most a quarter of retentionBytes
 * (retention deletes whole segments, so bigger ones would let it overshoot or not act at all) and
 * roll at half of retentionMs (so expired records go within ~1.5 × retentionMs).
 */
export function logOptionsFor(spec: TopicSpec, options: ResolvedOptions): SharedLogOptions {
  let segmentBytes = options.segmentBytes;
  if (spec.retentionBytes !== undefined) {
    segmentBytes = Math.min(segmentBytes, Math.max(64 * 1024, Math.floor(spec.retentionBytes / 4)));
  }
  let segmentMaxAgeMs = options.segmentMaxAgeMs;
  if (spec.retentionMs !== undefined) {
    segmentMaxAgeMs = Math.min(segmentMaxAgeMs, Math.max(1, Math.floor(spec.retentionMs / 2)));
  }
  return {
    segmentBytes,
    segmentMaxAgeMs,
    cacheBytes: options.cacheBytesPerPartition,
    maxFlushBytes: options.maxFlushBytes,
    onWarning: options.onWarning,
  };
}
