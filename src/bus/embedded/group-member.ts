/**
 * One member of a consumer group (one `consume()` call): owns a set of partitions, runs one
 * PartitionWorker per owned partition and calls the member's onAssigned/onRevoked hooks.
 * The GroupCoordinator decides what it owns; the member only carries the decisions out.
 */
import type { PartitionAssignment } from '../port.js';
import type { TopicPartition } from './assignment.js';
import type { FrameRun } from './frame-run.js';
import type { OffsetStore } from './offset-store.js';
import type { PartitionLog } from './partition-log.js';
import { PartitionWorker, type FetchWait, type RetryBackoff } from './partition-worker.js';
import { retentionSkipWarning } from '../retention-skip.js';

export interface GroupMemberOptions {
  groupId: string;
  topics: readonly string[];
  /** Gets each batch of a partition as its frames. */
  handler: (batch: FrameRun, topic: string, partition: number) => Promise<void>;
  maxBatchRecords: number;
  resetTo: 'earliest' | 'latest';
  onAssigned?: (assigned: PartitionAssignment[]) => Promise<void>;
  onRevoked?: (revoked: TopicPartition[]) => Promise<void>;
}

export interface GroupMemberContext {
  logFor(topic: string, partition: number): PartitionLog;
  offsets: OffsetStore;
  backoff: RetryBackoff;
  fetchWait: FetchWait;
  onWarning: (message: string) => void;
}

interface OwnedPartition {
  topic: string;
  partition: number;
  /** Null until onAssigned succeeded and delivery started. */
  worker: PartitionWorker | null;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class GroupMember {
  /** Set once the member asked to leave; the coordinator stops giving it partitions. */
  stopping = false;
  private readonly owned = new Map<string, OwnedPartition>();
  /** Ends an onAssigned retry backoff early when the member stops. */
  private wakeRetry: (() => void) | null = null;

  constructor(
    readonly id: number,
    readonly options: GroupMemberOptions,
    private readonly context: GroupMemberContext,
  ) {}

  get topics(): readonly string[] {
    return this.options.topics;
  }

  ownedPartitions(): TopicPartition[] {
    return [...this.owned.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  owns(topic: string, partition: number): boolean {
    return this.owned.has(partitionKey(topic, partition));
  }

  requestStop(): void {
    this.stopping = true;
    this.wakeRetry?.();
  }

  /** Stops delivery of the partitions (each after its in-flight batch committed), then calls onRevoked. */
  async revoke(partitions: TopicPartition[]): Promise<void> {
    const revoked = partitions.filter((tp) => this.owned.has(partitionKey(tp.topic, tp.partition)));
    if (revoked.length === 0) return;
    await Promise.all(revoked.map((tp) => this.owned.get(partitionKey(tp.topic, tp.partition))!.worker?.stop()));
    for (const tp of revoked) this.owned.delete(partitionKey(tp.topic, tp.partition));
    if (!this.options.onRevoked) return;
    try {
      await this.options.onRevoked(revoked.map(({ topic, partition }) => ({ topic, partition })));
    } catch (error) {
      // The partitions are released regardless: another member must be able to take them.
      this.context.onWarning(`embedded bus: group ${this.options.groupId}: onRevoked failed: ${String(error)}`);
    }
  }

  /**
   * Takes ownership of the partitions: computes where each resumes, calls onAssigned (retried with
   * backoff until it succeeds or the member stops), then starts delivery.
   */
  async assign(partitions: TopicPartition[]): Promise<void> {
    if (partitions.length === 0) return;
    const { groupId, onAssigned } = this.options;
    const { offsets } = this.context;
    const committedAtAssignment = partitions.map((tp) => offsets.get(groupId, tp.topic, tp.partition));
    const assignments: PartitionAssignment[] = partitions.map((tp, i) => ({
      topic: tp.topic,
      partition: tp.partition,
      position: this.resumePosition(tp, committedAtAssignment[i]),
    }));
    for (const tp of partitions) {
      this.owned.set(partitionKey(tp.topic, tp.partition), { topic: tp.topic, partition: tp.partition, worker: null });
    }
    if (onAssigned && !(await this.callOnAssigned(onAssigned, assignments))) {
      // Stopped before onAssigned ever succeeded: the member never held these partitions.
      for (const tp of partitions) this.owned.delete(partitionKey(tp.topic, tp.partition));
      return;
    }
    if (this.stopping) return; // leaving: the coordinator revokes these next
    for (let i = 0; i < assignments.length; i++) {
      const { topic, partition } = assignments[i];
      const owned = this.owned.get(partitionKey(topic, partition));
      if (!owned) continue;
      // A seek while onAssigned ran moved the committed offset: start from there instead.
      const committedNow = offsets.get(groupId, topic, partition);
      const start =
        committedNow === committedAtAssignment[i]
          ? assignments[i].position
          : this.resumePosition({ topic, partition }, committedNow);
      owned.worker = new PartitionWorker(
        {
          groupId,
          topic,
          partition,
          log: this.context.logFor(topic, partition),
          offsets,
          handler: (batch) => this.options.handler(batch, topic, partition),
          maxBatchRecords: this.options.maxBatchRecords,
          backoff: this.context.backoff,
          fetchWait: this.context.fetchWait,
          onWarning: this.context.onWarning,
        },
        start,
      );
    }
  }

  /** Moves the member's delivery position on a partition it owns (group seek). */
  seek(topic: string, partition: number, offset: number): void {
    this.owned.get(partitionKey(topic, partition))?.worker?.seek(offset);
  }

  /** The committed offset, or the reset policy's choice, kept within the retained range. */
  private resumePosition(tp: TopicPartition, committed: number | undefined): number {
    const log = this.context.logFor(tp.topic, tp.partition);
    const { earliest, latest } = log;
    if (committed === undefined) return this.options.resetTo === 'latest' ? latest : earliest;
    if (committed > latest) {
      this.context.onWarning(
        `embedded bus: group ${this.options.groupId}: committed offset ${committed} of ${tp.topic}/${tp.partition} ` +
          `is past the log end ${latest} (log files lost?); resuming at the log end`,
      );
      return latest;
    }
    if (committed < earliest) {
      this.context.onWarning(`embedded bus: group ${this.options.groupId}: ${retentionSkipWarning(tp.topic, tp.partition, committed, earliest)}`);
      return earliest;
    }
    return committed;
  }

  /** True once onAssigned resolved; false if the member stopped first. */
  private async callOnAssigned(
    onAssigned: (assigned: PartitionAssignment[]) => Promise<void>,
    assignments: PartitionAssignment[],
  ): Promise<boolean> {
    let delay = 0;
    while (!this.stopping) {
      try {
        await onAssigned(assignments);
        return true;
      } catch (error) {
        delay = delay === 0 ? this.context.backoff.initialMs : Math.min(delay * 2, this.context.backoff.maxMs);
        this.context.onWarning(
          `embedded bus: group ${this.options.groupId}: onAssigned failed: ${String(error)}; retrying in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => finish(), delay);
          const finish = (): void => {
            clearTimeout(timer);
            this.wakeRetry = null;
            resolve();
          };
          this.wakeRetry = finish;
        });
      }
    }
    return false;
  }
}
