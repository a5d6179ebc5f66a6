/**
 * One member of a Kafka consumer group (one `consume()` call), speaking the classic group
 * protocol with eager rebalancing, the way Kafka's Java consumer does it:
 *
 *   join → (leader: range-assign) → sync → resume positions → onAssigned → deliver …
 *   … until a heartbeat reports a rebalance (or the member is stopping / was fenced) →
 *   stop fetching, let in-flight batches finish, commit, onRevoked → join again.
 *
 * A member rejoins only after its partitions' last batches finished and committed, and the
 * coordinator completes a rebalance only when every member rejoined (or the rebalance timeout
 * removed it), so a partition never has two members delivering it, and the next owner resumes
 * exactly after the last committed batch.
 */
import type { Consumer } from '@platformatic/kafka';
import type { BusRecord, PartitionAssignment } from '../port.js';
import { errorMessage } from '../../runtime/errors.js';
import { closeClient, createRawConsumer } from './clients.js';
import { Committer, type OffsetToCommit } from './committer.js';
import {
  busError,
  describeKafkaError,
  hasProtocolError,
  isTransientKafkaError,
  KafkaBusError,
  MEMBERSHIP_LOST,
} from './errors.js';
import { decodeAssignment, rangeAssign, type TopicPartitions } from './group-protocol.js';
import { GroupSession } from './group-session.js';
import { MemberFetcher } from './member-fetcher.js';
import type { OffsetsApi } from './offsets.js';
import type { ResolvedKafkaOptions } from './options.js';
import { PartitionWorker } from './partition-worker.js';
import { retentionSkipWarning } from '../retention-skip.js';
import { UnknownTopicError, type TopicCatalog } from './topics.js';

export interface MemberOptions {
  groupId: string;
  topics: string[];
  handler: (batch: BusRecord[]) => Promise<void>;
  maxBatchRecords: number;
  resetTo: 'earliest' | 'latest';
  onAssigned?: (assigned: PartitionAssignment[]) => Promise<void>;
  onRevoked?: (revoked: Array<{ topic: string; partition: number }>) => Promise<void>;
}

export interface MemberContext {
  options: ResolvedKafkaOptions;
  topics: TopicCatalog;
  offsets: OffsetsApi;
  /** Distinguishes this member's client ids from its siblings'. */
  index: number;
}

/** Join errors no retry can fix. */
const FATAL_JOIN_ERRORS = new Set([
  'INCONSISTENT_GROUP_PROTOCOL',
  'INVALID_SESSION_TIMEOUT',
  'GROUP_AUTHORIZATION_FAILED',
  'INVALID_GROUP_ID',
  'GROUP_MAX_SIZE_REACHED',
  'UNSUPPORTED_VERSION',
]);

/** How often members re-read the partition counts of their topics (new partitions trigger a rebalance). */
const METADATA_CHECK_MS = 30_000;

class Signal {
  fired = false;
  private release!: () => void;
  readonly promise = new Promise<void>((resolve) => (this.release = resolve));

  fire(): void {
    this.fired = true;
    this.release();
  }
}

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class GroupMember {
  readonly session: GroupSession;
  private readonly joinClient: Consumer;
  private readonly coordClient: Consumer;
  private readonly fetchClient: Consumer;
  private readonly fetcher: MemberFetcher;
  private readonly committer: Committer;
  private readonly workers = new Map<string, PartitionWorker>();
  /** A JoinGroup/SyncGroup round is under way. */
  private joining = false;
  /** Workers of a revoke in progress, until their in-flight batches finished (a seek must reach them). */
  private revoking = new Map<string, PartitionWorker>();
  /** Partitions of the current generation (assigned by the last sync). */
  private readonly current = new Set<string>();
  /** Partitions whose onAssigned succeeded: onRevoked is owed for them. */
  private held: Array<{ topic: string; partition: number }> = [];
  /** Seeks of assigned partitions whose delivery has not started yet. */
  private readonly pendingSeeks = new Map<string, number>();
  /** Partition counts the current assignment was made with. */
  private readonly knownCounts = new Map<string, number>();
  private rejoin = new Signal();
  private stopping = false;
  private wakePause: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private warnedHeartbeat = 0;

  constructor(
    private readonly context: MemberContext,
    readonly options: MemberOptions,
  ) {
    const { options: o } = context;
    const role = `${options.groupId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100)}-${context.index}`;
    this.joinClient = createRawConsumer(o, `group-${role}`, options.groupId, o.rebalanceTimeoutMs + o.requestTimeoutMs);
    this.coordClient = createRawConsumer(o, `coord-${role}`, options.groupId, o.requestTimeoutMs);
    this.fetchClient = createRawConsumer(o, `fetch-${role}`, options.groupId, o.fetchMaxWaitMs + o.requestTimeoutMs);
    this.session = new GroupSession(options.groupId, this.joinClient, this.coordClient, o);
    this.committer = new Committer((offsets) => this.sendCommits(offsets));
    this.fetcher = new MemberFetcher({
      groupId: options.groupId,
      client: this.fetchClient,
      topics: context.topics,
      options: o,
      workers: () => this.workers.values(),
      outOfRange: (worker, offset, epoch) => void this.resetOutOfRange(worker, offset, epoch),
    });
  }

  /** True while the member takes part in its group. */
  get active(): boolean {
    return !this.stopping && this.session.memberId !== '';
  }

  get groupId(): string {
    return this.options.groupId;
  }

  /** Joins the group; resolves once the member got its first assignment. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.loop = this.run({ resolve, reject });
    });
  }

  /** Stops fetching, lets in-flight batches finish and commit, calls onRevoked, leaves the group. */
  stop(): Promise<void> {
    this.stopping = true;
    this.rejoin.fire();
    this.wakePause?.();
    // A join in progress waits for the whole group to rejoin (up to the rebalance timeout);
    // leaving the group answers it at once, so a stop during a rolling restart is quick.
    if (this.joining) void this.session.leave().catch(() => undefined);
    return this.loop ?? Promise.resolve();
  }

  /**
   * Moves this member's partitions of `topic` (those it owns, or is about to start) to the given
   * offsets and commits them. Returns the partitions it moved.
   */
  async seek(topic: string, offsets: number[]): Promise<number[]> {
    const moved: number[] = [];
    const commits: Array<Promise<void>> = [];
    offsets.forEach((offset, partition) => {
      const k = key(topic, partition);
      // A worker being revoked still has its in-flight batch to commit: moving it keeps that commit
      // from landing after (and on top of) this seek's.
      const worker = this.workers.get(k) ?? this.revoking.get(k);
      if (worker) worker.moveTo(offset);
      else if (this.current.has(k)) this.pendingSeeks.set(k, offset);
      else return;
      moved.push(partition);
      commits.push(this.committer.commit(topic, partition, offset));
    });
    await Promise.all(commits);
    return moved;
  }

  /** Commits offsets under this member's generation (for partitions no local member owns). */
  async commitFor(topic: string, offsets: Array<{ partition: number; offset: number }>): Promise<void> {
    await Promise.all(offsets.map((o) => this.committer.commit(topic, o.partition, o.offset)));
  }

  private warn(message: string, err?: unknown): void {
    this.context.options.onWarning(`kafka bus: group ${this.options.groupId}: ${message}`, err);
  }

  private async run(first: { resolve: () => void; reject: (err: Error) => void }): Promise<void> {
    const { options } = this.context;
    let joined = false;
    let failures = 0;
    const startedAt = Date.now();
    try {
      while (!this.stopping) {
        let assignment: TopicPartitions[];
        try {
          this.joining = true;
          try {
            assignment = await this.joinAndSync();
          } finally {
            this.joining = false;
          }
        } catch (err) {
          if (this.stopping) break;
          const fatal = hasProtocolError(err, FATAL_JOIN_ERRORS) || err instanceof KafkaBusError;
          failures++;
          const giveUp =
            !joined && (fatal || Date.now() - startedAt > options.rebalanceTimeoutMs + options.requestTimeoutMs);
          if (giveUp) {
            first.reject(busError(`joining group "${this.options.groupId}"`, err));
            this.stopping = true;
            break;
          }
          if (failures === 1 || failures % 10 === 0)
            this.warn(`joining failed (${failures}×): ${describeKafkaError(err)}`, err);
          await this.pause(
            Math.min(options.retryBackoff.initialMs * 2 ** Math.min(failures, 8), options.retryBackoff.maxMs),
          );
          continue;
        }
        failures = 0;
        if (!joined) {
          joined = true;
          first.resolve();
        }
        this.rejoin = new Signal();
        if (this.stopping) this.rejoin.fire();
        const heartbeats = this.startHeartbeats();
        try {
          if (!this.stopping) await this.assign(assignment);
          await this.rejoin.promise;
          await this.revokeAll();
        } finally {
          heartbeats.stop();
        }
      }
    } catch (err) {
      this.warn(`consumer failed: ${describeKafkaError(err)}`, err);
      if (!joined) first.reject(busError(`consuming as group "${this.options.groupId}"`, err));
    } finally {
      this.stopping = true;
      this.fetcher.stop();
      await this.revokeAll().catch((err: unknown) => this.warn(`stopping failed: ${describeKafkaError(err)}`, err));
      try {
        await this.session.leave();
      } catch (err) {
        this.warn(
          `leaving the group failed (it rebalances after the session timeout): ${describeKafkaError(err)}`,
          err,
        );
      }
      await Promise.all(
        [this.joinClient, this.coordClient, this.fetchClient].map((c) => closeClient(c).catch(() => undefined)),
      );
      if (!joined) first.reject(new KafkaBusError(`kafka bus: group ${this.options.groupId}: stopped before joining`));
    }
  }

  /** JoinGroup (+ the leader's assignment) and SyncGroup, repeated while the group keeps rebalancing. */
  private async joinAndSync(): Promise<TopicPartitions[]> {
    for (let round = 0; ; round++) {
      const joined = await this.session.join(this.options.topics);
      const assignments = joined.leader ? await this.computeAssignments(joined.members) : null;
      try {
        const payload = await this.session.sync(assignments);
        const subscribed = new Set(this.options.topics);
        return decodeAssignment(payload).filter((tp) => subscribed.has(tp.topic));
      } catch (err) {
        const again = hasProtocolError(err, 'REBALANCE_IN_PROGRESS') || hasProtocolError(err, MEMBERSHIP_LOST);
        if (!again || round >= 20 || this.stopping) throw err;
        if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.session.resetMembership();
      }
    }
  }

  private async computeAssignments(
    members: Array<{ memberId: string; topics: string[] }>,
  ): Promise<Map<string, TopicPartitions[]>> {
    const topics = [...new Set(members.flatMap((m) => m.topics))];
    const counts = new Map<string, number>();
    await Promise.all(
      topics.map(async (topic) => {
        try {
          counts.set(topic, (await this.context.topics.get(topic, true)).partitions.length);
        } catch (err) {
          // Deleted meanwhile: nothing to assign. Any other failure (metadata unavailable during
          // a broker restart) fails this join, which is retried: assigning nothing would leave the
          // whole group idle with every heartbeat succeeding.
          if (!(err instanceof UnknownTopicError)) throw err;
          counts.set(topic, 0);
        }
      }),
    );
    return rangeAssign(members, (topic) => counts.get(topic) ?? 0);
  }

  /** Resume positions, onAssigned, then delivery of the newly assigned partitions. */
  private async assign(assignment: TopicPartitions[]): Promise<void> {
    const { options, topics } = this.context;
    this.current.clear();
    this.knownCounts.clear();
    for (const topic of this.options.topics) {
      const info = topics.peek(topic);
      if (info) this.knownCounts.set(topic, info.partitions.length);
    }
    const partitions = assignment.flatMap((tp) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })));
    for (const tp of partitions) this.current.add(key(tp.topic, tp.partition));
    if (partitions.length === 0) return;

    let positions: PartitionAssignment[] | null = null;
    const topicIds = new Map<string, string>();
    for (let failures = 1; !positions; failures++) {
      try {
        for (const { topic } of assignment) topicIds.set(topic, (topics.peek(topic) ?? (await topics.get(topic))).id);
        positions = await this.resumePositions(assignment);
      } catch (err) {
        if (this.rejoin.fired) return;
        this.warn(`reading committed offsets failed: ${describeKafkaError(err)}`, err);
        await this.pause(Math.min(options.retryBackoff.initialMs * 2 ** failures, options.retryBackoff.maxMs));
        if (this.rejoin.fired) return;
      }
    }

    // Held from the first onAssigned call on: even if it fails and a rebalance abandons it, the
    // consumer may have set up state for some partitions, and onRevoked lets it drop that.
    this.held = partitions;
    if (this.options.onAssigned && !(await this.callOnAssigned(this.options.onAssigned, positions))) return;
    if (this.rejoin.fired) return; // revoked next; onRevoked is owed since onAssigned ran

    for (const position of positions) {
      const k = key(position.topic, position.partition);
      const start = this.pendingSeeks.get(k) ?? position.position;
      this.workers.set(
        k,
        new PartitionWorker(position.topic, position.partition, topicIds.get(position.topic)!, start, {
          groupId: this.options.groupId,
          handler: this.options.handler,
          maxBatchRecords: this.options.maxBatchRecords,
          prefetchRecords: this.options.maxBatchRecords * options.prefetchBatches,
          backoff: options.retryBackoff,
          commit: (topic, partition, offset) => {
            this.committer.commit(topic, partition, offset).catch((err: unknown) => {
              this.warn(
                `commit of ${topic}/${partition} at ${offset} failed (the records will be delivered again): ${describeKafkaError(err)}`,
                err,
              );
            });
          },
          wantsData: () => this.fetcher.poke(),
          onWarning: options.onWarning,
        }),
      );
    }
    this.pendingSeeks.clear();
    this.fetcher.poke();
  }

  /** Committed offset per partition, or the reset policy's choice, kept within the retained range. */
  private async resumePositions(assignment: TopicPartitions[]): Promise<PartitionAssignment[]> {
    const { offsets } = this.context;
    const perTopic = await Promise.all(
      assignment.map(async ({ topic, partitions }) => {
        const [committed, earliest, latest] = await Promise.all([
          this.session.committed(topic, partitions),
          offsets.earliest(topic, partitions),
          offsets.latest(topic, partitions),
        ]);
        return partitions.map((partition, i): PartitionAssignment => {
          let position: number;
          if (committed[i] < 0) position = this.options.resetTo === 'latest' ? latest[i] : earliest[i];
          else if (committed[i] > latest[i]) {
            this.warn(
              `committed offset ${committed[i]} of ${topic}/${partition} is past the log end ${latest[i]} (topic recreated?); resuming at the log end`,
            );
            position = latest[i];
          } else if (committed[i] < earliest[i]) {
            this.warn(retentionSkipWarning(topic, partition, committed[i], earliest[i]));
            position = earliest[i];
          } else position = committed[i];
          return { topic, partition, position };
        });
      }),
    );
    return perTopic.flat();
  }

  /** Retries onAssigned with backoff; false if a rebalance or stop came first. */
  private async callOnAssigned(
    onAssigned: (assigned: PartitionAssignment[]) => Promise<void>,
    positions: PartitionAssignment[],
  ): Promise<boolean> {
    const { retryBackoff } = this.context.options;
    let delay = 0;
    while (!this.rejoin.fired) {
      try {
        await onAssigned(positions);
        return true;
      } catch (err) {
        delay = delay === 0 ? retryBackoff.initialMs : Math.min(delay * 2, retryBackoff.maxMs);
        this.warn(`onAssigned failed: ${errorMessage(err)}; retrying in ${delay} ms`, err);
        await this.pause(delay);
      }
    }
    return false;
  }

  /** Stops delivery (each partition after its in-flight batch), flushes commits, calls onRevoked. */
  private async revokeAll(): Promise<void> {
    const workers = [...this.workers.values()];
    this.revoking = new Map(this.workers);
    this.workers.clear();
    try {
      await Promise.all(workers.map((w) => w.stop()));
    } finally {
      this.revoking = new Map();
    }
    await this.committer.idle();
    const held = this.held;
    this.held = [];
    this.current.clear();
    this.pendingSeeks.clear();
    if (held.length === 0 || !this.options.onRevoked) return;
    try {
      await this.options.onRevoked(held.map(({ topic, partition }) => ({ topic, partition })));
    } catch (err) {
      // The partitions are released regardless: another member must be able to take them.
      this.warn(`onRevoked failed: ${errorMessage(err)}`, err);
    }
  }

  private requestRejoin(): void {
    this.rejoin.fire();
    this.wakePause?.();
  }

  /** Heartbeats until stopped; a rebalance, fencing or a long silence of the coordinator asks to rejoin. */
  private startHeartbeats(): { stop: () => void } {
    const { heartbeatIntervalMs, sessionTimeoutMs } = this.context.options;
    const checkEvery = Math.max(1, Math.round(METADATA_CHECK_MS / heartbeatIntervalMs));
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let lastOk = Date.now();
    let beats = 0;
    let checking: Promise<void> | undefined;
    const beat = async (): Promise<void> => {
      if (stopped) return;
      try {
        await this.session.heartbeat();
        lastOk = Date.now();
        this.warnedHeartbeat = 0;
        // Off the heartbeat chain: a slow metadata request must not delay the next heartbeat.
        if (++beats % checkEvery === 0 && !checking) {
          checking = this.checkPartitionCounts().finally(() => (checking = undefined));
        }
      } catch (err) {
        if (stopped) return;
        if (hasProtocolError(err, 'REBALANCE_IN_PROGRESS')) {
          this.requestRejoin();
        } else if (hasProtocolError(err, MEMBERSHIP_LOST)) {
          this.warn(`the coordinator dropped this member (${describeKafkaError(err)}); rejoining`);
          if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.session.resetMembership();
          this.requestRejoin();
        } else {
          if (this.warnedHeartbeat++ % 10 === 0) this.warn(`heartbeat failed: ${describeKafkaError(err)}`, err);
          if (Date.now() - lastOk > sessionTimeoutMs) this.requestRejoin();
        }
      }
      if (!stopped) timer = setTimeout(() => void beat(), heartbeatIntervalMs);
    };
    timer = setTimeout(() => void beat(), heartbeatIntervalMs);
    return {
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /** A topic that gained partitions needs a rebalance for them to be consumed. */
  private async checkPartitionCounts(): Promise<void> {
    for (const topic of this.options.topics) {
      const known = this.knownCounts.get(topic);
      try {
        const count = (await this.context.topics.get(topic, true)).partitions.length;
        if (known !== undefined && count !== known) {
          this.warn(`topic ${topic} now has ${count} partitions (was ${known}); rebalancing`);
          this.requestRejoin();
        }
      } catch {
        // Metadata unavailable (or topic deleted): the fetcher reports its own errors.
      }
    }
  }

  /** A fetch position outside the log: back to the earliest retained record, or the log end. */
  private async resetOutOfRange(worker: PartitionWorker, offset: number, epoch: number): Promise<void> {
    const { topic, partition } = worker;
    try {
      const [[earliest], [latest]] = await Promise.all([
        this.context.offsets.earliest(topic, [partition]),
        this.context.offsets.latest(topic, [partition]),
      ]);
      const target = offset < earliest ? earliest : offset > latest ? latest : offset;
      // The worker may have moved while the bounds were looked up (a seek, or an earlier reset).
      const reset = this.workers.get(key(topic, partition)) === worker && worker.resetFetchPosition(target, { epoch, from: offset });
      if (reset) {
        this.warn(
          offset < earliest
            ? retentionSkipWarning(topic, partition, offset, earliest)
            : offset > latest
              ? `offset ${offset} of ${topic}/${partition} is past the log end ${latest} (log truncated?); resuming at ${target}`
              : `offset ${offset} of ${topic}/${partition} was reported out of range, but is within [${earliest}, ${latest}]; fetching it again`,
        );
      }
    } catch (err) {
      this.warn(`cannot find the log bounds of ${topic}/${partition}: ${describeKafkaError(err)}`, err);
      setTimeout(() => this.fetcher.poke(), 1_000).unref();
    }
  }

  /** OffsetCommit with retries for coordinator moves and an in-progress rebalance. */
  private async sendCommits(offsets: OffsetToCommit[]): Promise<void> {
    const deadline = Date.now() + this.context.options.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.session.commit(offsets);
        return;
      } catch (err) {
        if (hasProtocolError(err, MEMBERSHIP_LOST)) {
          this.requestRejoin();
          throw busError('committing offsets: this member is no longer in the group', err);
        }
        const retriable = hasProtocolError(err, 'REBALANCE_IN_PROGRESS') || isTransientKafkaError(err);
        if (!retriable || Date.now() > deadline) throw busError('committing offsets', err);
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1_000)));
      }
    }
  }

  /** Sleeps, ending early on stop or a rebalance. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping) return resolve();
      const timer = setTimeout(() => finish(), ms);
      const finish = (): void => {
        clearTimeout(timer);
        this.wakePause = null;
        resolve();
      };
      this.wakePause = finish;
    });
  }
}
