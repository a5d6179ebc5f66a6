/**
 * One Fetch request to one broker for several partitions, decoded into BusRecords per partition.
 * Partition-level errors (offset out of range, leader moved) are reported per partition instead
 * of failing the whole request.
 */
import type { Consumer } from '@platformatic/kafka';
import type { BusRecord } from '../port.js';
import { errorResponse } from './errors.js';
import { decodeBatches, type FetchedBatch } from './records.js';

export interface FetchTarget {
  topic: string;
  topicId: string;
  partition: number;
  offset: number;
}

export interface FetchResult {
  records: BusRecord[];
  /** Where the next fetch of this partition starts (after the last batch returned). */
  next: number;
  highWatermark: number;
  logStartOffset: number;
  /** Protocol error id for this partition, if any (e.g. OFFSET_OUT_OF_RANGE). */
  error?: string;
}

interface FetchResponse {
  responses: Array<{
    topicId: string;
    partitions: Array<{
      partitionIndex: number;
      errorCode: number;
      highWatermark: bigint;
      logStartOffset: bigint;
      records?: FetchedBatch[];
    }>;
  }>;
}

/** Kafka error codes a fetch may report per partition, by id (see the library's protocol errors). */
const FETCH_ERRORS: Record<number, string> = {
  1: 'OFFSET_OUT_OF_RANGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  74: 'FENCED_LEADER_EPOCH',
  75: 'UNKNOWN_LEADER_EPOCH',
  100: 'UNKNOWN_TOPIC_ID',
};

export function fetchKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Fetches the targets (all led by broker `node`) and returns a result per "topic\0partition".
 * Rejects only when the request as a whole failed (network, timeout).
 */
export async function fetchPartitions(
  client: Consumer,
  node: number,
  targets: FetchTarget[],
  settings: { maxWaitMs: number; maxBytesPerPartition: number; minBytes?: number },
): Promise<Map<string, FetchResult>> {
  const byTopicId = new Map<string, { topic: string; partitions: FetchTarget[] }>();
  for (const t of targets) {
    const entry = byTopicId.get(t.topicId) ?? { topic: t.topic, partitions: [] };
    entry.partitions.push(t);
    byTopicId.set(t.topicId, entry);
  }
  let response: FetchResponse;
  try {
    response = (await client.fetch({
      node,
      maxWaitTime: settings.maxWaitMs,
      minBytes: settings.minBytes ?? 1,
      maxBytes: Math.min(64 * 1024 * 1024, settings.maxBytesPerPartition * Math.max(1, targets.length)),
      isolationLevel: 0,
      topics: [...byTopicId].map(([topicId, { partitions }]) => ({
        topicId,
        partitions: partitions.map((p) => ({
          partition: p.partition,
          fetchOffset: BigInt(p.offset),
          partitionMaxBytes: settings.maxBytesPerPartition,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        })),
      })),
    })) as unknown as FetchResponse;
  } catch (err) {
    const partial = errorResponse<FetchResponse>(err);
    if (!partial || !Array.isArray(partial.responses)) throw err;
    // A request-level error (no per-partition code) is still a failure of the whole request.
    if (!partial.responses.some((t) => t.partitions.some((p) => p.errorCode !== 0))) throw err;
    response = partial;
  }
  const results = new Map<string, FetchResult>();
  for (const topicResponse of response.responses) {
    const entry = byTopicId.get(topicResponse.topicId);
    if (!entry) continue;
    for (const p of topicResponse.partitions) {
      const target = entry.partitions.find((t) => t.partition === p.partitionIndex);
      if (!target) continue;
      const base = {
        highWatermark: Number(p.highWatermark),
        logStartOffset: Number(p.logStartOffset),
      };
      if (p.errorCode !== 0) {
        results.set(fetchKey(entry.topic, p.partitionIndex), {
          records: [],
          next: target.offset,
          ...base,
          error: FETCH_ERRORS[p.errorCode] ?? `ERROR_${p.errorCode}`,
        });
        continue;
      }
      const { records, next } = decodeBatches(entry.topic, p.partitionIndex, p.records, target.offset);
      results.set(fetchKey(entry.topic, p.partitionIndex), { records, next, ...base });
    }
  }
  return results;
}
