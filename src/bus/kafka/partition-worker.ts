/**
 * Delivers one assigned partition to a group member's handler: batches of up to maxBatchRecords
 * taken from records the member's fetcher buffered ahead, one batch in flight at a time (strict
 * offset order), the offset after the batch committed once the handler resolves. A rejected batch
 * is not committed and is delivered again, the same records, after an exponential backoff.
 */
import type { BusRecord } from '../port.js';
import { errorMessage } from '../../runtime/errors.js';
import type { FetchResult } from './fetch.js';

export interface PartitionWorkerContext {
  groupId: string;
  handler: (batch: BusRecord[]) => Promise<void>;
  maxBatchRecords: number;
  /** Records buffered ahead of the handler before fetching pauses. */
  prefetchRecords: number;
  backoff: { initialMs: number; maxMs: number };
  /** Queues the commit of `offset` (pipelined: the next batch does not wait for it). */
  commit: (topic: string, partition: number, offset: number) => void;
  /** The buffer drained below its limit: fetch more. */
  wantsData: () => void;
  onWarning: (message: string, err?: unknown) => void;
}

export class PartitionWorker {
  /** Where the next fetch starts: the end of the buffered records. */
  private fetchOffset: number;
  /** Bumped by a seek (moveTo): records fetched or a batch delivered under an older epoch are dropped. */
  private epoch = 0;
  private buffer: BusRecord[] = [];
  private running = true;
  /** Part of a fetch request in flight. */
  inFetch = false;
  private wake: (() => void) | null = null;
  private waitingForData = false;
  private readonly done: Promise<void>;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly topicId: string,
    start: number,
    private readonly context: PartitionWorkerContext,
  ) {
    this.fetchOffset = start;
    this.done = this.run().catch((err: unknown) => {
      context.onWarning(
        `kafka bus: group ${context.groupId}: consumer of ${topic}/${partition} stopped: ${errorMessage(err)}`,
        err,
      );
    });
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  /** The offset the next fetch should start at, or null when no more records are wanted now. */
  fetchPosition(): number | null {
    if (!this.running || this.inFetch || this.buffer.length >= this.context.prefetchRecords) return null;
    return this.fetchOffset;
  }

  /** Takes a fetch result made under `epoch` at `from`; stale results are dropped. */
  onFetched(epoch: number, from: number, result: FetchResult): void {
    if (!this.running || epoch !== this.epoch || from !== this.fetchOffset) return;
    for (const record of result.records) if (record.offset >= this.fetchOffset) this.buffer.push(record);
    if (this.buffer.length > 0)
      this.fetchOffset = Math.max(this.fetchOffset, this.buffer[this.buffer.length - 1].offset + 1);
    this.fetchOffset = Math.max(this.fetchOffset, result.next);
    if (this.buffer.length > 0 && this.waitingForData) this.wake?.();
  }

  /**
   * Moves delivery to `offset` (a group seek): buffered records are dropped, an in-flight batch
   * finishes but is not committed.
   */
  moveTo(offset: number): void {
    this.epoch++;
    this.buffer = [];
    this.fetchOffset = offset;
    this.wake?.();
    this.context.wantsData();
  }

  /**
   * After a fetch at an offset outside the log: fetching resumes at `offset`. Unlike moveTo this is
   * not a seek: records already buffered below `offset` are still delivered and the in-flight
   * batch still commits (dropping them would skip records nobody was given). Buffered records at
   * or past `offset` are dropped: the log was truncated below them. `askedAt` is the epoch and
   * position of the fetch that found its offset outside the log; if a seek or an earlier reset
   * has moved the worker since, nothing happens. Returns whether the position was reset.
   */
  resetFetchPosition(offset: number, askedAt: { epoch: number; from: number }): boolean {
    if (askedAt.epoch !== this.epoch || askedAt.from !== this.fetchOffset) return false;
    this.buffer = this.buffer.filter((record) => record.offset < offset);
    this.fetchOffset = offset;
    this.context.wantsData();
    return true;
  }

  /** Stops after the in-flight batch (if any) finished; its commit is queued before this resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { handler, maxBatchRecords, backoff, groupId, onWarning } = this.context;
    let delay = 0;
    while (this.running) {
      if (this.buffer.length === 0) {
        this.context.wantsData();
        await this.sleep(null);
        continue;
      }
      const epoch = this.epoch;
      const batch = this.buffer.length <= maxBatchRecords ? this.buffer.slice() : this.buffer.slice(0, maxBatchRecords);
      let delivered = false;
      for (;;) {
        try {
          await handler(batch);
          delivered = true;
          break;
        } catch (err) {
          if (!this.running || epoch !== this.epoch) break;
          delay = delay === 0 ? backoff.initialMs : Math.min(delay * 2, backoff.maxMs);
          onWarning(
            `kafka bus: group ${groupId}: handler failed on ${this.topic}/${this.partition} offsets ` +
              `${batch[0].offset}..${batch[batch.length - 1].offset}: ${errorMessage(err)}; redelivering in ${delay} ms`,
            err,
          );
          await this.sleep(delay);
          if (!this.running || epoch !== this.epoch) break;
        }
      }
      if (epoch !== this.epoch) continue; // a seek moved the position while this batch ran
      if (!delivered) break; // stopping: not committed, delivered again to whoever owns the partition next
      delay = 0;
      this.buffer.splice(0, batch.length);
      this.context.commit(this.topic, this.partition, batch[batch.length - 1].offset + 1);
      if (this.buffer.length < this.context.prefetchRecords) this.context.wantsData();
    }
  }

  /** Waits for records (ms null) or for ms; either ends early on stop, seek or new records. */
  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running || (ms === null && this.buffer.length > 0)) return resolve();
      const timer = ms === null ? null : setTimeout(() => finish(), ms);
      this.waitingForData = ms === null;
      const finish = (): void => {
        if (timer) clearTimeout(timer);
        this.wake = null;
        this.waitingForData = false;
        resolve();
      };
      this.wake = finish;
    });
  }
}
