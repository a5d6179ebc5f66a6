/**
 * Delivers one assigned partition to a group member's handler: fetch a batch at the group's
 * position, hand it over, commit the offset after its last record once the handler resolves.
 * One batch in flight at a time, so a partition is processed strictly in order. A rejected batch
 * is not committed and is fetched again after an exponential backoff. After a small batch, the
 * next one waits briefly for records to accumulate (FetchWait; options.ts fetchMinRecords).
 */
import type { FrameRun } from './frame-run.js';
import type { OffsetStore } from './offset-store.js';
import type { PartitionLog } from './partition-log.js';
import { retentionSkipWarning } from '../retention-skip.js';

export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

/** After a batch of fewer than minRecords records, wait up to maxWaitMs for that many. */
export interface FetchWait {
  minRecords: number;
  maxWaitMs: number;
}

export interface PartitionWorkerOptions {
  groupId: string;
  topic: string;
  partition: number;
  log: PartitionLog;
  offsets: OffsetStore;
  /** Gets each batch as its frames (frame-run.ts). */
  handler: (batch: FrameRun) => Promise<void>;
  maxBatchRecords: number;
  backoff: RetryBackoff;
  fetchWait: FetchWait;
  onWarning: (message: string) => void;
}

export class PartitionWorker {
  private position: number;
  private running = true;
  /** Bumped by seek: a batch fetched under an older generation must not be committed. */
  private generation = 0;
  /** Ends the current wait (for records or a backoff) early. */
  private wake: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(
    private readonly options: PartitionWorkerOptions,
    startPosition: number,
  ) {
    this.position = startPosition;
    this.done = this.run().catch((error: unknown) => {
      options.onWarning(
        `embedded bus: group ${options.groupId}: consumer of ${options.topic}/${options.partition} stopped: ${String(error)}`,
      );
    });
  }

  /** Moves the position (group seek); an in-flight batch finishes but is not committed. */
  seek(offset: number): void {
    this.position = offset;
    this.generation++;
    this.wake?.();
  }

  /** Stops after the in-flight batch (if any) finished and committed. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const { log, offsets, groupId, topic, partition, handler, maxBatchRecords, backoff, fetchWait, onWarning } = this.options;
    let delay = 0;
    while (this.running) {
      const generation = this.generation;
      let batch: FrameRun;
      try {
        batch = await log.fetchFrames(this.position, maxBatchRecords);
      } catch (error) {
        delay = nextDelay(delay, backoff);
        onWarning(
          `embedded bus: group ${groupId}: cannot read ${topic}/${partition} at ${this.position}: ${String(error)}; retrying in ${delay} ms`,
        );
        await this.sleep(delay);
        continue;
      }
      if (!this.running) break;
      if (generation !== this.generation) continue;
      if (batch.count === 0) {
        await this.waitForRecords();
        continue;
      }
      if (batch.firstOffset > this.position) {
        // Offsets are contiguous here: a gap is retention deleting what the group had not read.
        onWarning(`embedded bus: group ${groupId}: ${retentionSkipWarning(topic, partition, this.position, batch.firstOffset)}`);
        this.position = batch.firstOffset;
      }
      try {
        await handler(batch);
      } catch (error) {
        if (generation !== this.generation) continue;
        delay = nextDelay(delay, backoff);
        onWarning(
          `embedded bus: group ${groupId}: handler failed on ${topic}/${partition} offsets ` +
            `${batch.firstOffset}..${batch.lastOffset}: ${errorMessage(error)}; redelivering in ${delay} ms`,
        );
        await this.sleep(delay);
        continue;
      }
      delay = 0;
      if (generation !== this.generation) continue; // a seek moved the group while this batch ran
      this.position = batch.lastOffset + 1;
      offsets.commit(groupId, topic, partition, this.position);
      // A consumer whose batches are smaller than minRecords waits only for a full batch of its own.
      const enough = Math.min(fetchWait.minRecords, maxBatchRecords);
      if (batch.count < enough && fetchWait.maxWaitMs > 0) await this.waitForRecords(enough, fetchWait.maxWaitMs);
    }
  }

  /**
   * Resolves once at least `count` records are there past the position, after `maxWaitMs` if
   * given, or on stop or seek.
   */
  private waitForRecords(count = 1, maxWaitMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const { log } = this.options;
      // Records past the position (which retention may have left behind the earliest offset).
      const available = (): boolean => log.latest - Math.max(this.position, log.earliest) >= count;
      // No append can slip in between this check and subscribing: both happen in one synchronous step.
      if (!this.running || available()) return resolve();
      const unsubscribe = log.onAppend(() => {
        if (available()) finish();
      });
      const timer = maxWaitMs === undefined ? undefined : setTimeout(() => finish(), maxWaitMs);
      const finish = (): void => {
        unsubscribe();
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = finish;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      const timer = setTimeout(() => finish(), ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      this.wake = finish;
    });
  }
}

function nextDelay(previous: number, backoff: RetryBackoff): number {
  return previous === 0 ? backoff.initialMs : Math.min(previous * 2, backoff.maxMs);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
