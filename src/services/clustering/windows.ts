/**
 * Tumbling-window occurrence counts per (tenantId, fingerprint), aligned to event time: a log
 * with timestamp ts belongs to [floor(ts / windowMs) · windowMs, + windowMs). Pure and
 * deterministic: no I/O, no clock of its own — the caller moves time forward with `closeDue`.
 *
 * Per window, `add` emits one IncidentEvent when the count reaches the threshold; `closeDue`
 * closes windows whose end + grace has passed and emits a final IncidentEvent (final: true)
 * for a window that fired and kept counting afterwards. A closed window is gone for good.
 *
 * Late logs: once the clock passed a window's end + grace, logs for that window are not counted
 * (stats.lateLogs). Closing is decided by the clock alone, so a window can never be reopened
 * with a smaller count than one already reported — the incident service keeps the largest count
 * per window and must never see a window go backwards.
 *
 * Memory bound (WindowCapacity, shared by every partition's counter of a process): at most
 * maxOpenWindows windows and maxRetainedChars characters of topMessages. When a new window does
 * not fit, windows that have not fired are evicted, oldest window first, from the counter holding
 * the most windows (so a tenant flooding unique fingerprints pays, not its neighbours). An
 * evicted window has reported nothing, so dropping it loses only the counts it had: a later log
 * of it starts a fresh window. Windows that fired are never evicted; if nothing can be evicted
 * the log is not counted (stats.droppedAtCapacity).
 *
 * Duplicates: the same eventId delivered twice (a normalization batch re-published after a crash)
 * is counted once if it is among the last `recentEventIds` logs of this counter (one partition).
 * One ring for the partition rather than a set per window: constant memory whatever the number
 * of windows, and a re-published batch lands right behind its originals on the same partition
 * (same key), so remembering the last few thousand ids catches it (recent-event-ids.ts keeps
 * them off the JS heap).
 */
import { LAST_DATE_TIME_MS, parseDateTime } from '../../contracts/date-time.js';
import type { IncidentEvent, NormalizedLogEvent, Severity } from '../../contracts/types.js';
import { severityOfLevel } from '../normalization/level.js';
import { RecentEventIds } from './recent-event-ids.js';

export interface WindowSettings {
  windowMs: number;
  /** Count at which a window emits its IncidentEvent (≥ 1). */
  threshold: number;
  /** How long after its end a window still accepts late logs before it closes. */
  graceMs: number;
}

/** Counters for metrics; one object may be shared by several WindowCounters. */
export interface WindowStats {
  /** Threshold events emitted by `add`. */
  windowsFired: number;
  /** Final events emitted by `closeDue`. */
  finalsEmitted: number;
  /** Continuation events: windows below the threshold of a fingerprint that fired recently. */
  continuationsEmitted: number;
  /** Logs for a window that had already closed. */
  lateLogs: number;
  /** Logs whose eventId was counted moments before. */
  duplicateLogs: number;
  /** Logs not counted because no window could be made room for. */
  droppedAtCapacity: number;
  /** Windows evicted, before firing, to make room. */
  windowsEvicted: number;
  /** Logs whose timestamp JavaScript cannot read (e.g. a leap second, 23:59:60). */
  unreadableTimestamps: number;
}

export function emptyWindowStats(): WindowStats {
  return {
    windowsFired: 0,
    finalsEmitted: 0,
    continuationsEmitted: 0,
    lateLogs: 0,
    duplicateLogs: 0,
    droppedAtCapacity: 0,
    windowsEvicted: 0,
    unreadableTimestamps: 0,
  };
}

export const DEFAULT_MAX_OPEN_WINDOWS = 100_000;
/** ~50–100 MB of retained message text (UTF-16 code units, 1 or 2 bytes each in V8). */
export const DEFAULT_MAX_RETAINED_CHARS = 50_000_000;
/** Twice the normalization service's batch size: a re-published batch is caught whole. */
export const DEFAULT_RECENT_EVENT_IDS = 4096;
export const MAX_TOP_MESSAGES = 10;
/** Windows after its last reported window during which a fingerprint's quieter windows still report. */
export const DEFAULT_CONTINUATION_WINDOWS = 12;
/** Windows inspected per eviction before giving up (all of them fired). */
const EVICTION_SCAN_LIMIT = 64;

/** The process-wide memory bound on open windows; see the module comment for the policy. */
export class WindowCapacity {
  openWindows = 0;
  retainedChars = 0;
  private readonly counters = new Set<WindowCounter>();

  constructor(
    readonly maxOpenWindows: number = DEFAULT_MAX_OPEN_WINDOWS,
    readonly maxRetainedChars: number = DEFAULT_MAX_RETAINED_CHARS,
  ) {
    if (!(maxOpenWindows >= 1) || !(maxRetainedChars >= 1)) throw new RangeError('window capacity must be at least 1');
  }

  /** @internal WindowCounter registers itself so evictions can take from the largest one. */
  attach(counter: WindowCounter): void {
    this.counters.add(counter);
  }

  /** @internal */
  detach(counter: WindowCounter): void {
    this.counters.delete(counter);
  }

  /** Makes room for one more window retaining `chars`; false if nothing could be evicted. */
  reserve(chars: number): boolean {
    while (this.openWindows >= this.maxOpenWindows || this.retainedChars + chars > this.maxRetainedChars) {
      if (!this.evictOne()) return false;
    }
    return true;
  }

  private evictOne(): boolean {
    const largestFirst = [...this.counters].sort((a, b) => b.openWindows - a.openWindows);
    for (const counter of largestFirst) {
      if (counter.openWindows > 0 && counter.evictOneUnfired()) return true;
    }
    return false;
  }
}

interface Window {
  readonly tenantId: string;
  readonly fingerprint: string;
  readonly serviceName: string;
  /** Of the first log; environment is not part of the fingerprint, so it may vary. */
  readonly environment: string;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
  severityRank: number;
  /** Distinct messages in first-seen order, at most MAX_TOP_MESSAGES. */
  readonly topMessages: string[];
  retainedChars: number;
  /** Count carried by the last IncidentEvent of this window; 0 until it fires. */
  reportedCount: number;
  /** The window of another tenant with the same fingerprint (the same error in two tenants). */
  otherTenant: Window | undefined;
}

/** All windows sharing one [start, end) interval. */
interface Bucket {
  readonly start: number;
  readonly end: number;
  /** end + grace: the clock value at which the bucket closes. */
  readonly closeAt: number;
  /**
   * By fingerprint; windows of other tenants sharing it are chained (Window.otherTenant). One
   * lookup with a string the log already carries: no key is built per log.
   */
  readonly byFingerprint: Map<string, Window>;
}

/** Every window of a bucket. */
function* windowsOf(bucket: Bucket): Generator<Window> {
  for (let window of bucket.byFingerprint.values()) {
    for (let w: Window | undefined = window; w !== undefined; w = w.otherTenant) yield w;
  }
}

const RANK: Record<Severity, number> = { LOW: 1, MEDIUM: 2, HIGH: 3 };
const SEVERITY_OF_RANK: readonly Severity[] = ['LOW', 'LOW', 'MEDIUM', 'HIGH'];
const HIGHEST_RANK = RANK.HIGH;
const NO_EVENTS: readonly IncidentEvent[] = Object.freeze([]);

const iso = (ms: number) => new Date(ms).toISOString();

export interface WindowCounterOptions extends WindowSettings {
  capacity?: WindowCapacity;
  stats?: WindowStats;
  /** How many recent eventIds to remember for duplicate detection; 0 turns it off. */
  recentEventIds?: number;
  /**
   * How long after the end of a fingerprint's last reported window its windows below the
   * threshold are still reported (as continuations), in ms. Default 12 windows.
   */
  continuationMs?: number;
}

/** One open window as plain data (WindowCounterState). */
export interface WindowState {
  /** Start of its [start, start + windowMs) interval. */
  start: number;
  tenantId: string;
  fingerprint: string;
  serviceName: string;
  environment: string;
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
  severityRank: number;
  topMessages: string[];
  reportedCount: number;
}

/**
 * A counter's whole state as plain, JSON-safe data, for a snapshot (snapshot.ts). Orders are kept
 * (windows as the counter iterates them, hot fingerprints by recency, eventIds oldest first), so
 * a restored counter emits the same events, in the same order, as the one it was taken from.
 */
export interface WindowCounterState {
  /** The clock; absent before the first closeDue. */
  clock?: number;
  nextHotSweep?: number;
  windows: WindowState[];
  /** `tenantId NUL fingerprint` → end of its continuation period, least recent first. */
  hot: Array<[string, number]>;
  recentEventIds: string[];
}

/** The open windows of one partition (or of anything else that is counted as a unit). */
export class WindowCounter {
  readonly windowMs: number;
  readonly threshold: number;
  readonly graceMs: number;
  /** Where counts go; replaceable, e.g. to keep a recovery replay out of the live figures. */
  stats: WindowStats;
  openWindows = 0;

  private readonly capacity: WindowCapacity;
  private readonly recentIds: RecentEventIds;
  private readonly buckets = new Map<number, Bucket>();
  readonly continuationMs: number;
  /**
   * Fingerprints (per tenant) that reported recently → end of the continuation period, in event
   * time. Insertion order is recency order (entries are re-inserted when extended).
   */
  private readonly hot = new Map<string, number>();
  private nextHotSweep = -Infinity;
  /** Latest time passed to closeDue; windows with closeAt ≤ clock are closed. */
  private clock = -Infinity;
  /** Smallest closeAt of the open buckets, so closeDue is one comparison when nothing is due. */
  private nextCloseAt = Infinity;
  /** Almost every log falls in the current window: skip the bucket lookup for it. */
  private lastBucket: Bucket | undefined;
  private lastLevel = '';
  private lastLevelRank = 0;
  private disposed = false;

  constructor(options: WindowCounterOptions) {
    const { windowMs, threshold, graceMs } = options;
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new RangeError(`windowMs must be a positive integer, got ${windowMs}`);
    if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`threshold must be a positive integer, got ${threshold}`);
    if (!Number.isInteger(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a non-negative integer, got ${graceMs}`);
    this.windowMs = windowMs;
    this.threshold = threshold;
    this.graceMs = graceMs;
    this.stats = options.stats ?? emptyWindowStats();
    this.capacity = options.capacity ?? new WindowCapacity();
    this.recentIds = new RecentEventIds(options.recentEventIds ?? DEFAULT_RECENT_EVENT_IDS);
    this.continuationMs = options.continuationMs ?? DEFAULT_CONTINUATION_WINDOWS * windowMs;
    if (!Number.isInteger(this.continuationMs) || this.continuationMs < 0) {
      throw new RangeError(`continuationMs must be a non-negative integer, got ${this.continuationMs}`);
    }
    this.capacity.attach(this);
  }

  /** Start of the window holding event time `ts`. */
  windowStartOf(ts: number): number {
    return Math.floor(ts / this.windowMs) * this.windowMs;
  }

  /** Distinct [start, end) intervals with open windows. */
  get openIntervals(): number {
    return this.buckets.size;
  }

  /** The clock: the latest time passed to closeDue (−Infinity before the first call). */
  get now(): number {
    return this.clock;
  }

  /**
   * Counts a log in its window. Returns the window's IncidentEvent when this log makes the count
   * reach the threshold — once per window — and undefined otherwise.
   */
  add(log: NormalizedLogEvent): IncidentEvent | undefined {
    if (this.disposed) throw new Error('window counter used after dispose');
    const ts = parseDateTime(log.timestamp);
    if (ts !== ts) {
      this.stats.unreadableTimestamps++;
      return undefined;
    }
    let bucket = this.lastBucket;
    if (bucket === undefined || ts < bucket.start || ts >= bucket.end) {
      const start = this.windowStartOf(ts);
      if (start + this.windowMs + this.graceMs <= this.clock) {
        this.stats.lateLogs++;
        return undefined;
      }
      bucket = this.buckets.get(start);
      if (bucket !== undefined) this.lastBucket = bucket;
    }
    if (this.recentIds.seenBefore(log.eventId)) {
      this.stats.duplicateLogs++;
      return undefined;
    }
    let window = bucket?.byFingerprint.get(log.fingerprint);
    while (window !== undefined && window.tenantId !== log.tenantId) window = window.otherTenant;
    if (bucket === undefined || window === undefined) return this.openWindow(log, ts);

    window.count++;
    if (ts < window.firstSeenAt) window.firstSeenAt = ts;
    if (ts > window.lastSeenAt) window.lastSeenAt = ts;
    if (window.severityRank < HIGHEST_RANK) {
      const rank = this.rankOf(log.level);
      if (rank > window.severityRank) window.severityRank = rank;
    }
    if (window.topMessages.length < MAX_TOP_MESSAGES) this.retainMessage(window, log.message);
    return window.count === this.threshold ? this.fire(bucket, window) : undefined;
  }

  /**
   * Moves the clock to `now` (it never goes back) and closes every window with end + grace ≤ now.
   * Returns a final IncidentEvent for each closed window that fired and counted more logs since,
   * and a continuation (final, below the threshold) for each closed window that did not fire but
   * whose fingerprint reported within the continuation period: an open incident keeps counting
   * every matching log, while the incident service never opens one from a continuation.
   */
  closeDue(now: number): readonly IncidentEvent[] {
    if (now > this.clock) this.clock = now;
    if (this.clock < this.nextCloseAt) return NO_EVENTS;
    let finals: IncidentEvent[] | undefined;
    let next = Infinity;
    for (const bucket of this.buckets.values()) {
      if (bucket.closeAt > this.clock) {
        if (bucket.closeAt < next) next = bucket.closeAt;
        continue;
      }
      for (const window of windowsOf(bucket)) {
        if (window.reportedCount > 0) {
          if (window.count > window.reportedCount) {
            (finals ??= []).push(this.eventOf(bucket, window, true));
            this.stats.finalsEmitted++;
          }
        } else if (this.continues(window, bucket)) {
          (finals ??= []).push(this.eventOf(bucket, window, true, true));
          this.stats.continuationsEmitted++;
          this.markHot(window, bucket);
        }
        this.release(window);
      }
      this.removeBucket(bucket);
    }
    this.nextCloseAt = next;
    this.sweepHot();
    return finals ?? NO_EVENTS;
  }

  /** The counter's state (see WindowCounterState). */
  state(): WindowCounterState {
    const windows: WindowState[] = [];
    for (const bucket of this.buckets.values()) {
      for (const w of windowsOf(bucket)) {
        windows.push({
          start: bucket.start,
          tenantId: w.tenantId,
          fingerprint: w.fingerprint,
          serviceName: w.serviceName,
          environment: w.environment,
          count: w.count,
          firstSeenAt: w.firstSeenAt,
          lastSeenAt: w.lastSeenAt,
          severityRank: w.severityRank,
          topMessages: w.topMessages.slice(),
          reportedCount: w.reportedCount,
        });
      }
    }
    return {
      ...(Number.isFinite(this.clock) ? { clock: this.clock } : {}),
      ...(Number.isFinite(this.nextHotSweep) ? { nextHotSweep: this.nextHotSweep } : {}),
      windows,
      hot: [...this.hot],
      recentEventIds: this.recentIds.ids(),
    };
  }

  /**
   * A counter holding `state`, taken from a counter with the same options. The windows take
   * their room in `capacity` again; one that finds none is dropped as at eviction (unfired) or
   * kept anyway (fired windows are never dropped).
   */
  static restore(options: WindowCounterOptions, state: WindowCounterState): WindowCounter {
    const counter = new WindowCounter(options);
    counter.clock = state.clock ?? -Infinity;
    counter.nextHotSweep = state.nextHotSweep ?? -Infinity;
    for (const [key, until] of state.hot) counter.hot.set(key, until);
    for (const id of state.recentEventIds) counter.recentIds.seenBefore(id);
    for (const saved of state.windows) {
      const topMessages = saved.topMessages.slice(0, MAX_TOP_MESSAGES);
      const retainedChars = topMessages.reduce((sum, m) => sum + m.length, 0);
      // Making room may evict windows restored before this one (unfired, oldest first), as live.
      if (!counter.capacity.reserve(retainedChars) && saved.reportedCount === 0) {
        counter.stats.windowsEvicted++;
        continue;
      }
      const bucket = counter.bucketAt(saved.start);
      const window: Window = {
        tenantId: saved.tenantId,
        fingerprint: saved.fingerprint,
        serviceName: saved.serviceName,
        environment: saved.environment,
        count: saved.count,
        firstSeenAt: saved.firstSeenAt,
        lastSeenAt: saved.lastSeenAt,
        severityRank: saved.severityRank,
        topMessages,
        retainedChars,
        reportedCount: saved.reportedCount,
        otherTenant: undefined,
      };
      // At the tail of its fingerprint's chain, found afresh: an eviction may have cut the chain.
      const head = bucket.byFingerprint.get(saved.fingerprint);
      if (head === undefined) bucket.byFingerprint.set(saved.fingerprint, window);
      else {
        let tail = head;
        while (tail.otherTenant !== undefined) tail = tail.otherTenant;
        tail.otherTenant = window;
      }
      counter.openWindows++;
      counter.capacity.openWindows++;
      counter.capacity.retainedChars += retainedChars;
    }
    return counter;
  }

  /** Drops every window (e.g. its partition was revoked) and gives their room back. */
  dispose(): void {
    if (this.disposed) return;
    for (const bucket of this.buckets.values()) for (const window of windowsOf(bucket)) this.release(window);
    this.buckets.clear();
    this.hot.clear();
    this.lastBucket = undefined;
    this.nextCloseAt = Infinity;
    this.capacity.detach(this);
    this.disposed = true;
  }

  /** @internal Evicts the oldest window that has not fired, from the oldest bucket first. */
  evictOneUnfired(): boolean {
    const oldestFirst = [...this.buckets.values()].sort((a, b) => a.start - b.start);
    let budget = EVICTION_SCAN_LIMIT;
    for (const bucket of oldestFirst) {
      // Moved entries are visited again by the iterator: stop after one pass over the bucket.
      let pass = bucket.byFingerprint.size;
      for (const [fingerprint, head] of bucket.byFingerprint) {
        let previous: Window | undefined;
        for (let window: Window | undefined = head; window !== undefined; previous = window, window = window.otherTenant) {
          if (window.reportedCount !== 0) continue;
          if (previous !== undefined) previous.otherTenant = window.otherTenant;
          else if (window.otherTenant !== undefined) bucket.byFingerprint.set(fingerprint, window.otherTenant);
          else bucket.byFingerprint.delete(fingerprint);
          this.release(window);
          this.stats.windowsEvicted++;
          if (bucket.byFingerprint.size === 0) this.removeBucket(bucket);
          return true;
        }
        // Only fired windows here: they stay, moved to the back so the next scan starts elsewhere.
        bucket.byFingerprint.delete(fingerprint);
        bucket.byFingerprint.set(fingerprint, head);
        if (--budget === 0) return false;
        if (--pass === 0) break;
      }
    }
    return false;
  }

  /** The bucket of windows starting at `start`, created if needed. Buckets exist only while they hold windows. */
  private bucketAt(start: number): Bucket {
    let bucket = this.buckets.get(start);
    if (bucket === undefined) {
      const end = start + this.windowMs;
      bucket = { start, end, closeAt: end + this.graceMs, byFingerprint: new Map() };
      this.buckets.set(start, bucket);
      if (bucket.closeAt < this.nextCloseAt) this.nextCloseAt = bucket.closeAt;
    }
    this.lastBucket = bucket;
    return bucket;
  }

  private removeBucket(bucket: Bucket): void {
    this.buckets.delete(bucket.start);
    if (this.lastBucket === bucket) this.lastBucket = undefined;
  }

  private openWindow(log: NormalizedLogEvent, ts: number): IncidentEvent | undefined {
    const chars = log.message.length;
    if (!this.capacity.reserve(chars)) {
      this.stats.droppedAtCapacity++;
      return undefined;
    }
    // After reserve(): making room may have evicted windows of this bucket, or the bucket itself.
    const bucket = this.bucketAt(this.windowStartOf(ts));
    const window: Window = {
      tenantId: log.tenantId,
      fingerprint: log.fingerprint,
      serviceName: log.serviceName,
      environment: log.environment,
      count: 1,
      firstSeenAt: ts,
      lastSeenAt: ts,
      severityRank: this.rankOf(log.level),
      topMessages: [log.message],
      retainedChars: chars,
      reportedCount: 0,
      otherTenant: undefined,
    };
    const current = bucket.byFingerprint.get(log.fingerprint);
    if (current === undefined) bucket.byFingerprint.set(log.fingerprint, window);
    else {
      window.otherTenant = current.otherTenant;
      current.otherTenant = window;
    }
    this.openWindows++;
    this.capacity.openWindows++;
    this.capacity.retainedChars += chars;
    return this.threshold === 1 ? this.fire(bucket, window) : undefined;
  }

  private retainMessage(window: Window, message: string): void {
    if (window.topMessages.includes(message)) return;
    // Past the process budget a window keeps counting but stops collecting examples.
    if (this.capacity.retainedChars + message.length > this.capacity.maxRetainedChars) return;
    window.topMessages.push(message);
    window.retainedChars += message.length;
    this.capacity.retainedChars += message.length;
  }

  private fire(bucket: Bucket, window: Window): IncidentEvent {
    window.reportedCount = window.count;
    this.stats.windowsFired++;
    this.markHot(window, bucket);
    return this.eventOf(bucket, window, false);
  }

  private static hotKey(window: Window): string {
    return `${window.tenantId}\u0000${window.fingerprint}`;
  }

  /** The window's fingerprint keeps reporting until continuationMs after this bucket's end. */
  private markHot(window: Window, bucket: Bucket): void {
    if (this.continuationMs === 0) return;
    const key = WindowCounter.hotKey(window);
    const until = bucket.end + this.continuationMs;
    const current = this.hot.get(key);
    if (current !== undefined && current >= until) return;
    this.hot.delete(key); // re-inserted last: Map order stays recency order
    this.hot.set(key, until);
    // Bounded like the windows themselves: past the bound the least recent fingerprint cools.
    if (this.hot.size > this.capacity.maxOpenWindows) this.hot.delete(this.hot.keys().next().value!);
  }

  private continues(window: Window, bucket: Bucket): boolean {
    const until = this.hot.size === 0 ? undefined : this.hot.get(WindowCounter.hotKey(window));
    return until !== undefined && bucket.start < until;
  }

  /** Drops fingerprints whose continuation ended before any window that can still open. */
  private sweepHot(): void {
    if (this.hot.size === 0 || this.clock < this.nextHotSweep) return;
    const openable = this.clock - this.windowMs - this.graceMs;
    for (const [key, until] of this.hot) if (until <= openable) this.hot.delete(key);
    this.nextHotSweep = this.clock + this.windowMs;
  }

  private release(window: Window): void {
    this.openWindows--;
    this.capacity.openWindows--;
    this.capacity.retainedChars -= window.retainedChars;
  }

  private rankOf(level: string): number {
    if (level !== this.lastLevel) {
      this.lastLevel = level;
      this.lastLevelRank = RANK[severityOfLevel(level)];
    }
    return this.lastLevelRank;
  }

  private eventOf(bucket: Bucket, window: Window, final: boolean, continuation = false): IncidentEvent {
    const event: IncidentEvent = {
      tenantId: window.tenantId,
      fingerprint: window.fingerprint,
      serviceName: window.serviceName,
      environment: window.environment,
      severity: SEVERITY_OF_RANK[window.severityRank],
      occurrenceCount: window.count,
      firstSeenAt: iso(window.firstSeenAt),
      lastSeenAt: iso(window.lastSeenAt),
      topMessages: window.topMessages.slice(),
      windowStart: iso(bucket.start),
      // The last window of year 9999 ends in year 10000, which no date-time can name.
      windowEnd: iso(Math.min(bucket.end, LAST_DATE_TIME_MS)),
      final,
    };
    if (continuation) event.continuation = true;
    return event;
  }
}
