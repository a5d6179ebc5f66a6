/**
 * Rebuilding a partition's open windows from the bus itself, so window state survives a restart
 * or a partition moving to another process without a state store.
 *
 * The window clock of a partition is driven by the records it consumes: before a record is
 * counted, the clock moves to the record's bus timestamp (produce time, capped at the wall
 * clock), closing the windows that are due. The state at a committed offset is therefore a
 * function of the records before it, which the replay reproduces exactly:
 *
 *   1. c = timestamp of the last committed record (the wall clock if there is none).
 *   2. Windows open at c are those with start > c − windowMs − grace; the first one starts at
 *      firstOpenStart. Older windows are treated as closed: their logs are late.
 *   3. Every record of an open window was produced at or after its event time, minus the clock
 *      skew between the logging client and the bus (ASSUMPTION: clients run at most clockSkewMs
 *      ahead; logs that arrive late are fine). So reading from offsetForTimestamp(firstOpenStart
 *      − clockSkewMs) up to the committed offset sees all of them.
 *   4. The records are fed exactly as when they were live, but nothing is published: every
 *      event they implied was published before their offset was committed. Windows that had
 *      fired are marked fired again, so they do not fire twice.
 *
 * Events the live process had not yet published (a final emitted by the idle timer just before
 * a crash) are emitted again after recovery: such a window is open again at c and closes anew.
 * Repeats are harmless, the incident service keeps the largest count per window.
 *
 * With a window snapshot that fits (snapshot.ts), the counter starts from it and the replay starts
 * at its offset instead of at step 3's: the snapshot is the state the same feeding produced there.
 */
import type { Bus, BusRecord } from '../../bus/port.js';
import type { IncidentEvent, NormalizedLogEvent } from '../../contracts/types.js';
import type { Validator } from '../../contracts/validators.js';
import { countingSettings, markOf, settingsMismatch, type PartitionSnapshot, type RecordMark } from './snapshot.js';
import { emptyWindowStats, WindowCounter, type WindowCounterOptions } from './windows.js';

/** Client clocks may run this far ahead of the bus producer's clock (default of the service). */
export const DEFAULT_CLOCK_SKEW_MS = 60_000;

/**
 * Counts one log as of its record: first moves the clock to the record's time and closes what is
 * due, then adds the log. Events go to `sink`, or nowhere when replaying.
 */
export function countLog(counter: WindowCounter, log: NormalizedLogEvent, recordClock: number, sink?: IncidentEvent[]): void {
  const finals = counter.closeDue(recordClock);
  if (sink !== undefined) for (const final of finals) sink.push(final);
  const fired = counter.add(log);
  if (fired !== undefined && sink !== undefined) sink.push(fired);
}

/** Start of the oldest window still open when the clock reads `clock`. */
export function firstOpenWindowStart(clock: number, windowMs: number, graceMs: number): number {
  return (Math.floor((clock - windowMs - graceMs) / windowMs) + 1) * windowMs;
}

export interface RebuildRequest {
  bus: Bus;
  topic: string;
  partition: number;
  /** The group's committed offset: replay stops before it, live consumption starts at it. */
  position: number;
  counter: WindowCounterOptions;
  clockSkewMs: number;
  /** Wall clock now. */
  now: number;
  validate: Validator<NormalizedLogEvent>;
  /** The partition's last saved snapshot, if any: used if it fits. */
  snapshot?: PartitionSnapshot;
}

export interface RebuiltPartition {
  counter: WindowCounter;
  /** Window clock at the committed offset. */
  clock: number;
  replayFrom: number;
  replayedRecords: number;
  /** Records the live consume loop dead-lettered (not JSON, not a valid NormalizedLogEvent). */
  skippedRecords: number;
  /** The record at position − 1, when the rebuild read it or its snapshot noted it (a snapshot notes it). */
  lastRecord: RecordMark | undefined;
  /** The snapshot's offset if the counter started from it; else why it was not used (none: no snapshot). */
  snapshot?: { usedAt: number } | { unusable: string };
}

/** The live consume loop's view of a record: a valid NormalizedLogEvent, or nothing. */
function decodeLog(record: BusRecord, validate: Validator<NormalizedLogEvent>): NormalizedLogEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(record.value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const result = validate(value);
  return result.ok ? result.value : undefined;
}

/** The record at `offset`, or undefined if it is not in the log. */
async function recordAt(bus: Bus, topic: string, partition: number, offset: number): Promise<BusRecord | undefined> {
  for await (const batch of bus.read(topic, partition, offset, offset + 1)) {
    if (batch.length > 0 && batch[0].offset === offset) return batch[0];
  }
  return undefined;
}

/** Why `snapshot` cannot stand for the partition's counted state here, or undefined if it can. */
async function snapshotUnfit(
  request: RebuildRequest,
  snapshot: PartitionSnapshot,
  replayFrom: number,
): Promise<string | undefined> {
  const { bus, topic, partition, position } = request;
  const mismatch = settingsMismatch(snapshot, topic, partition, countingSettings(request.counter));
  if (mismatch) return mismatch;
  if (snapshot.offset < replayFrom) return `it stands at offset ${snapshot.offset}, before the replay start ${replayFrom}`;
  if (snapshot.offset > position) return `it stands at offset ${snapshot.offset}, past the committed offset ${position} (a rewind, or a lost commit)`;
  const record = await recordAt(bus, topic, partition, snapshot.offset - 1);
  const mark = record && markOf(record);
  if (mark?.timestamp !== snapshot.lastRecord.timestamp || mark.sha256 !== snapshot.lastRecord.sha256) {
    return `the record at offset ${snapshot.offset - 1} is ${record === undefined ? 'gone' : 'another one'} (topic recreated?)`;
  }
  return undefined;
}

/** A WindowCounter holding the partition's windows as they were at the committed offset. */
export async function rebuildPartitionWindows(request: RebuildRequest): Promise<RebuiltPartition> {
  const { bus, topic, partition, position, now, validate } = request;
  const { windowMs, graceMs } = request.counter;
  const liveStats = request.counter.stats;
  // Replayed logs were counted in the live figures already, by this or another process.
  const counterOptions = { ...request.counter, stats: emptyWindowStats() };
  let counter: WindowCounter | undefined;
  try {
    const { earliest } = await bus.partitionBounds(topic, partition);
    // The last record before the committed offset: its time is the window clock there, and a
    // snapshot taken there notes it.
    const before = position > earliest ? await recordAt(bus, topic, partition, position - 1) : undefined;
    const clock = before === undefined ? now : Math.min(before.timestamp, now);
    const firstOpenStart = firstOpenWindowStart(clock, windowMs, graceMs);
    let replayFrom = Math.max(earliest, await bus.offsetForTimestamp(topic, partition, firstOpenStart - request.clockSkewMs));
    let snapshot: RebuiltPartition['snapshot'];
    if (request.snapshot) {
      const unfit = await snapshotUnfit(request, request.snapshot, replayFrom);
      if (unfit === undefined) {
        counter = WindowCounter.restore(counterOptions, request.snapshot.counter);
        replayFrom = request.snapshot.offset;
        snapshot = { usedAt: request.snapshot.offset };
      } else snapshot = { unusable: unfit };
    }
    if (counter === undefined) {
      counter = new WindowCounter(counterOptions);
      // Clock such that exactly the windows starting before firstOpenStart count as closed.
      counter.closeDue(firstOpenStart + graceMs);
    }

    let replayedRecords = 0;
    let skippedRecords = 0;
    if (replayFrom < position) {
      for await (const batch of bus.read(topic, partition, replayFrom, position)) {
        for (const record of batch) {
          const log = decodeLog(record, validate);
          if (log === undefined) {
            skippedRecords++;
            continue;
          }
          countLog(counter, log, Math.min(record.timestamp, now));
          replayedRecords++;
        }
      }
    }
    if (liveStats) counter.stats = liveStats;
    return { counter, clock, replayFrom, replayedRecords, skippedRecords, lastRecord: before && markOf(before), snapshot };
  } catch (err) {
    counter?.dispose();
    throw err;
  }
}
