/**
 * Keeps a member's partition workers supplied with records: one Fetch in flight per leader
 * broker, carrying every partition of that leader whose buffer has room. Fetches long-poll
 * (fetchMaxWaitMs) so an idle member is woken by new records without polling the broker hard;
 * after a fetch that brought only a trickle, the next one waits briefly for more
 * (fetchTrickleMinBytes, fetchTrickleMaxWaitMs), so a stream of single logs arrives in batches.
 */
import type { Consumer } from '@platformatic/kafka';
import { describeKafkaError } from './errors.js';
import { fetchKey, fetchPartitions, type FetchResult, type FetchTarget } from './fetch.js';
import type { ResolvedKafkaOptions } from './options.js';
import type { PartitionWorker } from './partition-worker.js';
import type { TopicCatalog } from './topics.js';

export interface FetcherContext {
  groupId: string;
  client: Consumer;
  topics: TopicCatalog;
  options: ResolvedKafkaOptions;
  workers: () => Iterable<PartitionWorker>;
  /**
   * A partition's position is outside the log (retention deleted it, or the topic was recreated):
   * the fetch at `offset` was asked under the worker's `epoch`.
   */
  outOfRange: (worker: PartitionWorker, offset: number, epoch: number) => void;
}

/** Fetch settings: a long poll for any record, or after a trickle a short wait for more. */
export function fetchSettings(
  afterTrickle: boolean,
  options: Pick<ResolvedKafkaOptions, 'fetchMaxWaitMs' | 'fetchMaxBytesPerPartition' | 'fetchTrickleMinBytes' | 'fetchTrickleMaxWaitMs'>,
): { maxWaitMs: number; maxBytesPerPartition: number; minBytes: number } {
  return afterTrickle && options.fetchTrickleMaxWaitMs > 0
    ? { maxWaitMs: options.fetchTrickleMaxWaitMs, maxBytesPerPartition: options.fetchMaxBytesPerPartition, minBytes: options.fetchTrickleMinBytes }
    : { maxWaitMs: options.fetchMaxWaitMs, maxBytesPerPartition: options.fetchMaxBytesPerPartition, minBytes: 1 };
}

/** A fetch brought a trickle: some records, but fewer than minBytes bytes of values in all. */
export function isTrickle(results: Iterable<FetchResult>, minBytes: number): boolean {
  let records = 0;
  let bytes = 0;
  for (const result of results) {
    records += result.records.length;
    for (const record of result.records) bytes += record.value.length;
  }
  return records > 0 && bytes < minBytes;
}

export class MemberFetcher {
  private readonly inFlight = new Set<number>();
  private readonly failures = new Map<number, number>();
  /** Leaders whose last fetch returned records, but fewer bytes than fetchTrickleMinBytes. */
  private readonly trickling = new Set<number>();
  private readonly refreshing = new Set<string>();
  private readonly warnedAt = new Map<string, number>();
  private scheduled = false;
  private stopped = false;

  constructor(private readonly context: FetcherContext) {}

  /** Starts fetches for partitions that want records (coalesced to once per tick). */
  poke(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    if (this.stopped) return;
    const byLeader = new Map<number, Array<{ worker: PartitionWorker; target: FetchTarget; epoch: number }>>();
    for (const worker of this.context.workers()) {
      const offset = worker.fetchPosition();
      if (offset === null) continue;
      const info = this.context.topics.peek(worker.topic);
      const leader = info?.partitions[worker.partition]?.leader ?? -1;
      if (leader < 0) {
        this.refresh(worker.topic);
        continue;
      }
      if (this.inFlight.has(leader)) continue;
      const list = byLeader.get(leader) ?? [];
      list.push({
        worker,
        epoch: worker.currentEpoch,
        target: { topic: worker.topic, topicId: worker.topicId, partition: worker.partition, offset },
      });
      byLeader.set(leader, list);
    }
    for (const [leader, entries] of byLeader) void this.fetchFrom(leader, entries);
  }

  /** Reports a partition's fetch error, at most every 30 s per partition (leader moves are routine). */
  private warnPartition(target: FetchTarget, error: string): void {
    const k = fetchKey(target.topic, target.partition);
    const now = Date.now();
    if (now - (this.warnedAt.get(k) ?? 0) < 30_000) return;
    this.warnedAt.set(k, now);
    this.context.options.onWarning(
      `kafka bus: group ${this.context.groupId}: fetching ${target.topic}/${target.partition} at ${target.offset} failed: ${error}; retrying`,
    );
  }

  /** Reloads a topic's metadata (its leader is unknown), then tries again. */
  private refresh(topic: string): void {
    if (this.refreshing.has(topic)) return;
    this.refreshing.add(topic);
    const retry = (delayMs: number): void => {
      setTimeout(() => {
        this.refreshing.delete(topic);
        this.poke();
      }, delayMs);
    };
    this.context.topics.get(topic, true).then(
      (info) => {
        // A partition still without a leader (election under way, or its broker down): ask again
        // in a while, not at once; the topic's other partitions are fetched meanwhile.
        const leaderless = info.partitions.some((p) => p.leader < 0);
        retry(leaderless ? 500 : this.context.topics.peek(topic) ? 0 : 100);
      },
      () => retry(500),
    );
  }

  private async fetchFrom(
    leader: number,
    entries: Array<{ worker: PartitionWorker; target: FetchTarget; epoch: number }>,
  ): Promise<void> {
    const { options, client, topics, groupId } = this.context;
    this.inFlight.add(leader);
    for (const e of entries) e.worker.inFetch = true;
    let pauseMs = 0;
    try {
      const results = await fetchPartitions(
        client,
        leader,
        entries.map((e) => e.target),
        fetchSettings(this.trickling.has(leader), options),
      );
      this.failures.delete(leader);
      if (isTrickle(results.values(), options.fetchTrickleMinBytes)) this.trickling.add(leader);
      else this.trickling.delete(leader);
      for (const { worker, target, epoch } of entries) {
        worker.inFetch = false;
        const result = results.get(fetchKey(target.topic, target.partition));
        if (!result) continue;
        if (result.error === 'OFFSET_OUT_OF_RANGE') {
          // A seek during the fetch moved the worker: the answer is about a position it left.
          if (epoch === worker.currentEpoch) this.context.outOfRange(worker, target.offset, epoch);
          pauseMs = Math.max(pauseMs, 50);
        } else if (result.error) {
          topics.invalidate(target.topic);
          pauseMs = Math.max(pauseMs, 200);
          this.warnPartition(target, result.error);
        } else {
          worker.onFetched(epoch, target.offset, result);
        }
      }
    } catch (err) {
      this.trickling.delete(leader); // the retry long-polls: its first record comes at once
      const failures = (this.failures.get(leader) ?? 0) + 1;
      this.failures.set(leader, failures);
      pauseMs = Math.min(options.retryBackoff.initialMs * 2 ** Math.min(failures, 8), options.retryBackoff.maxMs);
      for (const { target } of entries) topics.invalidate(target.topic);
      if (!this.stopped && (failures === 1 || failures % 10 === 0)) {
        options.onWarning(
          `kafka bus: group ${groupId}: fetch from broker ${leader} failed (${failures}×): ${describeKafkaError(err)}; retrying in ${pauseMs} ms`,
          err,
        );
      }
    } finally {
      for (const e of entries) e.worker.inFetch = false;
    }
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    this.inFlight.delete(leader);
    this.poke();
  }
}
