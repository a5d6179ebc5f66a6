/**
 * The clustering service: normalized-logs → tumbling windows per (tenant, fingerprint) →
 * incident-events. A window emits an IncidentEvent when its count reaches the threshold and, if
 * it kept counting, a final one when it closes (windows.ts).
 *
 * Guarantees:
 * - Events are published before the batch that caused them is committed (at-least-once). A
 *   failed publish keeps them in the partition's outbox; the batch is redelivered, its already
 *   counted records are skipped by offset, and the outbox goes out first, in order.
 * - Window state survives restarts and partition moves: onAssigned rebuilds a partition's open
 *   windows by replaying it from the bus (recovery.ts), so no window fires twice or loses counts.
 *   With a snapshot store, each partition's windows are saved every snapshotIntervalMs and when
 *   the partition is revoked or the service stops (snapshot.ts); a rebuild then replays only what
 *   came after the snapshot.
 * - Window time: the clock of a partition follows the bus timestamps of its records, so a
 *   backlog (after an outage, or while catching up) is counted in the windows it belongs to, not
 *   dropped as late. When a partition has been idle for idleMs, the wall clock (minus idleMs)
 *   closes its windows instead, so finals go out when traffic stops; but not while the stage
 *   upstream (the normalizer's group on raw-logs) still has records pending for that partition —
 *   a normalizer that crashed and whose partitions wait for a new owner is a quiet partition with
 *   a backlog, not an idle one — for at most maxUpstreamWaitMs.
 * - Late logs (produced more than grace after their window ended) are not counted, only
 *   reported in status().lateLogs: a closed window never reopens with a smaller count.
 * - Memory is bounded by maxOpenWindows and maxRetainedMessageChars per process (windows.ts has
 *   the eviction policy); when the bound costs counts, a warning is logged at most once a minute.
 *
 * Assumptions: bus timestamps are ingest time (the gateway's produce time, which normalization
 * carries over to normalized-logs), and
 * logging clients' clocks run at most clockSkewMs ahead of the bus (late logs are fine).
 * Recovery replays up to windowMs + grace + clockSkewMs of a partition: at full pipeline rate
 * that takes a while (from Kafka ≈ 160–190k records/s on one core of this project's 2-core
 * machine, measured 2026-12-04), so a restart holds the partition that long.
 */
import type { BusRecord, PartitionAssignment } from '../../bus/port.js';
import { recordKey, TOPIC } from '../../contracts/topics.js';
import type { IncidentEvent } from '../../contracts/types.js';
import { messageValidator } from '../../contracts/validators.js';
import { consumeMessages, release as releaseMessages } from '../../runtime/consumer.js';
import { NORMALIZER_GROUP } from '../normalization/index.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { SnapshotStore } from '../../storage/snapshot-store.js';
import { countLog, DEFAULT_CLOCK_SKEW_MS, rebuildPartitionWindows } from './recovery.js';
import {
  countingSettings,
  decodeSnapshot,
  encodeSnapshot,
  markOf,
  snapshotName,
  SNAPSHOT_VERSION,
  type PartitionSnapshot,
  type RecordMark,
} from './snapshot.js';
import {
  DEFAULT_MAX_OPEN_WINDOWS,
  DEFAULT_MAX_RETAINED_CHARS,
  DEFAULT_RECENT_EVENT_IDS,
  emptyWindowStats,
  WindowCapacity,
  type WindowCounter,
} from './windows.js';

export const CLUSTERING_GROUP = 'clustering-service.window-counter';
const SERVICE = 'clustering-service';
const CAPACITY_WARNING_INTERVAL_MS = 60_000;
/**
 * Longest a revocation or a stop waits for a partition's snapshot write, and an assignment for a
 * snapshot read: a snapshot only saves time, a slow disk must not hold up a rebalance or a stop.
 */
const SNAPSHOT_IO_WAIT_MS = 3_000;

/** Resolves true when `work` settles within `ms`, false otherwise (it carries on, unwatched). */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ClusteringOptions {
  /** Wall clock, epoch ms (tests inject one). */
  now?: () => number;
  /** How often idle partitions are checked for windows to close. Default 1 s. */
  tickMs?: number;
  /** A partition without a batch for this long is caught up: the wall clock closes its windows. Default 1 s. */
  idleMs?: number;
  /** How far ahead of the bus clients' clocks may run; widens the recovery replay. Default 60 s. */
  clockSkewMs?: number;
  maxOpenWindows?: number;
  maxRetainedMessageChars?: number;
  /** eventIds remembered per partition to skip duplicates. Default 4096. */
  recentEventIds?: number;
  maxBatchRecords?: number;
  /**
   * The consumer group whose pending records hold back closing idle partitions by the wall clock
   * (default: the normalizer on raw-logs); null: none.
   */
  upstream?: { groupId: string; topic: string } | null;
  /** Longest a quiet partition waits for its upstream backlog before the wall clock closes its windows. Default 5 min. */
  maxUpstreamWaitMs?: number;
  /** Where window snapshots are kept; none: a rebuild replays window + grace + skew. */
  snapshots?: SnapshotStore;
  /** How often a counting partition's windows are saved (with snapshots). Default: the config's. */
  snapshotIntervalMs?: number;
}

export interface ClusteringStatus {
  /** Partitions of normalized-logs this process counts. */
  partitions: number[];
  openWindows: number;
  /** Threshold events published. */
  windowsFired: number;
  /** Final events published. */
  finalsPublished: number;
  eventsPublished: number;
  /** Events waiting for the bus to accept them. */
  eventsPending: number;
  lateLogs: number;
  duplicateLogs: number;
  droppedAtCapacity: number;
  windowsEvicted: number;
  unreadableTimestamps: number;
  /** Records replayed to rebuild windows since start. */
  recoveredRecords: number;
  /** Window snapshots saved, and rebuilds that started from one, since start. */
  snapshotsSaved: number;
  rebuildsFromSnapshot: number;
}

/** One assigned partition: its windows, events not yet published, and where counting stands. */
class PartitionState {
  outbox: IncidentEvent[] = [];
  /** Records below this offset are counted already (a redelivered batch skips them). */
  nextOffset: number;
  /** The record at nextOffset − 1, when known (a snapshot notes it). */
  lastCounted: RecordMark | undefined;
  lastActivityAt: number;
  /** The windows changed since the last snapshot (records counted, or windows closed by the wall clock). */
  changed = true;
  /** When the last snapshot was taken. */
  snapshotAt: number;
  /** The snapshot being written, if any: one at a time per partition. */
  saving: Promise<void> | null = null;
  private pending = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly counter: WindowCounter,
    position: number,
    now: number,
  ) {
    this.nextOffset = position;
    this.lastActivityAt = now;
    this.snapshotAt = now;
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Runs `task` after the ones before it: batches and timer closes never interleave. */
  exclusive(task: () => Promise<void>): Promise<void> {
    this.pending++;
    const run = this.tail.then(task).finally(() => this.pending--);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

export async function startClusteringService(
  ctx: ServiceContext,
  options: ClusteringOptions = {},
): Promise<RunningService & { status(): ClusteringStatus }> {
  const { bus } = ctx;
  const logger = ctx.logger.child({ service: SERVICE });
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 1000;
  const idleMs = options.idleMs ?? 1000;
  const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const upstream = options.upstream === undefined ? { groupId: NORMALIZER_GROUP, topic: TOPIC.rawLogs } : options.upstream;
  const maxUpstreamWaitMs = options.maxUpstreamWaitMs ?? 5 * 60_000;
  const validate = messageValidator('NormalizedLogEvent');
  const capacity = new WindowCapacity(
    options.maxOpenWindows ?? DEFAULT_MAX_OPEN_WINDOWS,
    options.maxRetainedMessageChars ?? DEFAULT_MAX_RETAINED_CHARS,
  );
  const windowStats = emptyWindowStats();
  const { windowMs, threshold, graceMs } = ctx.config.clustering;
  const counterOptions = {
    windowMs,
    threshold,
    graceMs,
    capacity,
    stats: windowStats,
    recentEventIds: options.recentEventIds ?? DEFAULT_RECENT_EVENT_IDS,
  };
  const published = { thresholds: 0, finals: 0 };
  let recoveredRecords = 0;
  const snapshots = options.snapshots;
  const snapshotIntervalMs = options.snapshotIntervalMs ?? ctx.config.clustering.snapshotIntervalMs;
  const snapshotCounts = { saved: 0, used: 0 };
  const settings = countingSettings(counterOptions);
  const partitions = new Map<number, PartitionState>();

  /** Publishes the outbox; on failure keeps it and throws TransientError (redeliver, retry). */
  async function flush(state: PartitionState): Promise<void> {
    if (state.outbox.length === 0) return;
    const events = state.outbox;
    try {
      await bus.produce(
        TOPIC.incidentEvents,
        events.map((event) => ({ key: recordKey(TOPIC.incidentEvents, event), value: JSON.stringify(event) })),
      );
    } catch (err) {
      throw new TransientError(`incident-events publish failed: ${errorMessage(err)}`);
    }
    state.outbox = [];
    for (const event of events) {
      if (event.final) published.finals++;
      else published.thresholds++;
    }
  }

  /** Forgets a partition's windows (revoked, or about to be rebuilt). */
  function drop(partition: number): void {
    const state = partitions.get(partition);
    if (!state) return;
    partitions.delete(partition);
    state.counter.dispose();
  }

  /** The partition's saved snapshot, if there is a readable one (a damaged one is reported and ignored). */
  async function loadSnapshot(partition: number): Promise<PartitionSnapshot | undefined> {
    if (!snapshots) return undefined;
    const name = snapshotName(TOPIC.normalizedLogs, partition);
    try {
      const loading = snapshots.load(name);
      if (!(await settlesWithin(loading, SNAPSHOT_IO_WAIT_MS))) throw new Error(`not read within ${SNAPSHOT_IO_WAIT_MS} ms`);
      const saved = await loading;
      return saved === undefined ? undefined : decodeSnapshot(saved);
    } catch (err) {
      logger.warn({ partition, snapshot: name, err: errorMessage(err) }, 'window snapshot unreadable; rebuilding from the bus alone');
      return undefined;
    }
  }

  /**
   * Saves the partition's windows if they changed since the last snapshot and, unless `due` is
   * 'now', snapshotIntervalMs has passed. Called where the partition's commits stand (before a
   * batch is counted; after the last one on revocation and stop), inside its exclusive section
   * with the outbox empty, so the state is consistent and every event it implies is published.
   * The write goes on in the background, one at a time per partition.
   */
  function saveSnapshot(partition: number, state: PartitionState, due: 'interval' | 'now'): void {
    if (!snapshots || state.saving || !state.changed || state.outbox.length > 0 || state.lastCounted === undefined) return;
    const wall = now();
    if (due === 'interval' && (snapshotIntervalMs <= 0 || wall - state.snapshotAt < snapshotIntervalMs)) return;
    const snapshot: PartitionSnapshot = {
      version: SNAPSHOT_VERSION,
      topic: TOPIC.normalizedLogs,
      partition,
      offset: state.nextOffset,
      lastRecord: state.lastCounted,
      settings,
      savedAt: new Date(wall).toISOString(),
      counter: state.counter.state(),
    };
    const text = encodeSnapshot(snapshot);
    state.changed = false;
    state.snapshotAt = wall;
    state.saving = snapshots
      .save(snapshotName(TOPIC.normalizedLogs, partition), text)
      .then(() => void snapshotCounts.saved++)
      .catch((err) => {
        state.changed = true; // try again at the next chance
        logger.warn({ partition, err: errorMessage(err) }, 'saving a window snapshot failed; a rebuild will replay more');
      })
      .finally(() => (state.saving = null));
  }

  /** Saves the partition's windows now (revoked, stopping), waiting for the write a bounded time. */
  async function finalSnapshot(partition: number, state: PartitionState): Promise<void> {
    if (state.saving && !(await settlesWithin(state.saving, SNAPSHOT_IO_WAIT_MS))) return;
    saveSnapshot(partition, state, 'now');
    if (state.saving && !(await settlesWithin(state.saving, SNAPSHOT_IO_WAIT_MS))) {
      logger.warn({ partition }, `a window snapshot write took longer than ${SNAPSHOT_IO_WAIT_MS} ms; not waiting for it`);
    }
  }

  /** A partition this process gives up (revoked, stopping): its events published if possible, its windows saved, then forgotten. */
  async function release(partition: number, why: 'revoked' | 'stopped'): Promise<void> {
    const state = partitions.get(partition);
    if (!state) return;
    // Best effort: whatever is not published is emitted again by the partition's next owner.
    await state
      .exclusive(async () => {
        await flush(state);
        await finalSnapshot(partition, state);
      })
      .catch((err) => logger.warn({ err, partition }, `${why} with unpublished incident events`));
    drop(partition);
  }

  async function assign(assignment: PartitionAssignment): Promise<void> {
    const { partition, position } = assignment;
    drop(partition);
    const started = Date.now();
    const rebuilt = await rebuildPartitionWindows({
      bus,
      topic: TOPIC.normalizedLogs,
      partition,
      position,
      counter: counterOptions,
      clockSkewMs,
      now: now(),
      validate,
      snapshot: await loadSnapshot(partition),
    });
    const state = new PartitionState(rebuilt.counter, position, now());
    state.lastCounted = rebuilt.lastRecord;
    // Nothing new to save until more is counted, if the snapshot stands where counting resumes.
    if (rebuilt.snapshot && 'usedAt' in rebuilt.snapshot && rebuilt.snapshot.usedAt === position) state.changed = false;
    // Partitions assigned together would otherwise all save at once, every interval.
    state.snapshotAt -= Math.random() * snapshotIntervalMs;
    partitions.set(partition, state);
    recoveredRecords += rebuilt.replayedRecords;
    if (rebuilt.snapshot && 'usedAt' in rebuilt.snapshot) snapshotCounts.used++;
    logger.info(
      {
        partition,
        position,
        snapshot: rebuilt.snapshot ? ('usedAt' in rebuilt.snapshot ? `from offset ${rebuilt.snapshot.usedAt}` : `not used: ${rebuilt.snapshot.unusable}`) : 'none',
        replayFrom: rebuilt.replayFrom,
        replayed: rebuilt.replayedRecords,
        skipped: rebuilt.skippedRecords,
        openWindows: rebuilt.counter.openWindows,
        ms: Date.now() - started,
      },
      'partition assigned: windows rebuilt',
    );
  }

  const capacityWarning = { at: -Infinity, dropped: 0, evicted: 0 };
  /** Tells the operator, at most once a minute, that the window bound is costing counts. */
  function warnIfAtCapacity(): void {
    const { droppedAtCapacity: dropped, windowsEvicted: evicted } = windowStats;
    if (dropped === capacityWarning.dropped && evicted === capacityWarning.evicted) return;
    const wall = now();
    if (wall - capacityWarning.at < CAPACITY_WARNING_INTERVAL_MS) return;
    logger.warn(
      {
        windowsEvicted: evicted - capacityWarning.evicted,
        logsDropped: dropped - capacityWarning.dropped,
        openWindows: capacity.openWindows,
        maxOpenWindows: capacity.maxOpenWindows,
        retainedMessageChars: capacity.retainedChars,
      },
      'window capacity reached: windows that had not fired were evicted (their counts restart); a flood of distinct fingerprints?',
    );
    Object.assign(capacityWarning, { at: wall, dropped, evicted });
  }

  /**
   * Partitions of normalized-logs whose upstream records are not all processed yet: the same
   * partition of the upstream topic when both have the same count (same key, same partition),
   * else every partition while any upstream record is pending. Unknown (bus unreachable): all.
   * Read once per tick (one offsets request), not per record.
   */
  async function upstreamPending(): Promise<(partition: number) => boolean> {
    if (!upstream) return () => false;
    try {
      const positions = await bus.groupPositions(upstream.groupId, upstream.topic);
      const pending = new Set(positions.filter((p) => p.lag > 0).map((p) => p.partition));
      if (pending.size === 0) return () => false;
      if (positions.length === (await bus.partitionCount(TOPIC.normalizedLogs))) return (partition) => pending.has(partition);
      return () => true;
    } catch (err) {
      // The backlog is unknown (the bus is unreachable, or restarting): wait, within the bound.
      logger.debug({ err }, 'upstream positions unavailable; holding idle closes');
      return () => true;
    }
  }

  /** Closes the windows of caught-up partitions by the wall clock and publishes what is pending. */
  async function closeIdlePartitions(): Promise<void> {
    warnIfAtCapacity();
    const waitsForUpstream = await upstreamPending();
    for (const [partition, state] of partitions) {
      if (state.busy) continue;
      await state
        .exclusive(async () => {
          if (partitions.get(partition) !== state) return; // revoked meanwhile
          const wall = now();
          const quietFor = wall - state.lastActivityAt;
          if (quietFor >= idleMs && !(waitsForUpstream(partition) && quietFor < maxUpstreamWaitMs)) {
            const open = state.counter.openWindows;
            const finals = state.counter.closeDue(wall - idleMs);
            for (const final of finals) state.outbox.push(final);
            if (finals.length > 0 || state.counter.openWindows !== open) state.changed = true;
          }
          await flush(state);
        })
        .catch((err) => logger.warn({ err, partition, pending: state.outbox.length }, 'publishing incident events failed; will retry'));
    }
  }

  const subscription = await consumeMessages({
    bus,
    logger,
    service: SERVICE,
    groupId: CLUSTERING_GROUP,
    topic: TOPIC.normalizedLogs,
    message: 'NormalizedLogEvent',
    maxBatchRecords: options.maxBatchRecords ?? 2000,
    onAssigned: async (assigned) => {
      // Side by side: the reads of one partition's replay overlap the counting of another's, so a
      // rebalance holds the group for less time.
      await Promise.all(assigned.filter((a) => a.topic === TOPIC.normalizedLogs).map(assign));
    },
    onRevoked: async (revoked) => {
      const mine = revoked.filter(({ topic }) => topic === TOPIC.normalizedLogs).map(({ partition }) => partition);
      await Promise.all(mine.map((partition) => release(partition, 'revoked')));
    },
    handle: async (messages) => {
      const partition = messages[0].record.partition;
      const state = partitions.get(partition);
      if (!state) throw new TransientError(`normalized-logs partition ${partition} delivered before its windows were rebuilt`);
      await state.exclusive(async () => {
        await flush(state); // earlier events first, in order
        saveSnapshot(partition, state, 'interval'); // before this batch: where the commits stand
        const wall = now();
        let last: BusRecord | undefined;
        for (const { value, record } of messages) {
          if (record.offset < state.nextOffset) continue;
          countLog(state.counter, value, Math.min(record.timestamp, wall), state.outbox);
          state.nextOffset = record.offset + 1;
          last = record;
        }
        if (last !== undefined) {
          if (snapshots) state.lastCounted = markOf(last); // only a snapshot needs it
          state.changed = true;
        }
        releaseMessages(messages); // counted: only the incident events are needed while they publish
        state.lastActivityAt = now();
        await flush(state);
      });
    },
  });

  let ticking: Promise<void> | undefined;
  const timer = setInterval(() => {
    ticking ??= closeIdlePartitions().finally(() => (ticking = undefined));
  }, tickMs);
  timer.unref();

  return {
    status(): ClusteringStatus {
      let openWindows = 0;
      let eventsPending = 0;
      for (const state of partitions.values()) {
        openWindows += state.counter.openWindows;
        eventsPending += state.outbox.length;
      }
      return {
        partitions: [...partitions.keys()].sort((a, b) => a - b),
        openWindows,
        windowsFired: published.thresholds,
        finalsPublished: published.finals,
        eventsPublished: published.thresholds + published.finals,
        eventsPending,
        lateLogs: windowStats.lateLogs,
        duplicateLogs: windowStats.duplicateLogs,
        droppedAtCapacity: windowStats.droppedAtCapacity,
        windowsEvicted: windowStats.windowsEvicted,
        unreadableTimestamps: windowStats.unreadableTimestamps,
        recoveredRecords,
        snapshotsSaved: snapshotCounts.saved,
        rebuildsFromSnapshot: snapshotCounts.used,
      };
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await ticking;
      await subscription.stop();
      await Promise.all([...partitions.keys()].map((partition) => release(partition, 'stopped')));
    },
  };
}
