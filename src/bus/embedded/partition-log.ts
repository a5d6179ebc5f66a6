/**
 * The log of one topic partition: a directory of segment files, the last one (the active segment)
 * receiving appends.
 *
 * Group commit: appends are queued and a single writer loop takes everything queued so far, encodes
 * it into one buffer, writes it with one write() and makes it durable with one fdatasync(). While
 * that fsync runs, new appends queue up for the next round, so N concurrent single-record produces
 * cost about one fsync instead of N. Offsets are assigned by the writer, in queue order.
 *
 * Visibility: records become readable (and count in `latest`) only once fsynced, so a consumer can
 * never process, and commit, a record that a crash could still take away.
 */
import { promises as fsp } from 'node:fs';
import type { BusRecord } from '../port.js';
import { decodeRun, EMPTY_RUN, type FrameRun } from './frame-run.js';
import { closeFile, fdatasync, fsyncDirectory, isNotFound, truncateFile, writeFully } from './fs-util.js';
import { RecordCache } from './record-cache.js';
import {
  encodeFrames,
  FRAME_CORRUPT,
  FRAME_INCOMPLETE,
  frameOffset,
  frameStatus,
  frameTimestamp,
  type PreparedRecord,
} from './record-codec.js';
import { parseSegmentFileName, Segment, type TailRepair } from './segment.js';

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  /** The active segment is rolled once the next flush would take it past this size. */
  segmentBytes: number;
  /** The active segment is rolled once it has been receiving records for this long. */
  segmentMaxAgeMs: number;
  /** Byte budget of the in-memory cache of recent records. */
  cacheBytes: number;
  /** Upper bound on the bytes written by one flush (one fsync). */
  maxFlushBytes: number;
  onWarning: (message: string) => void;
}

/** Records of one produce call that go to this partition, with the call's completion callbacks. */
export interface PendingAppend {
  /**
   * Emptied once encoded: while the write and its fsync run, the frames hold the records, and
   * nothing per record stays on the JS heap for the young-generation collector to copy.
   */
  records: PreparedRecord[];
  bytes: number;
  /** This append's records are durable, at offsets firstOffset, firstOffset + 1, … */
  onDurable(firstOffset: number): void;
  onFailure(error: Error): void;
}

export interface RetentionPolicy {
  retentionMs?: number;
  retentionBytes?: number;
}

const MIN_READ_CHUNK_BYTES = 64 * 1024;
const NO_RECORDS: PreparedRecord[] = [];

export class PartitionLog {
  /** Oldest first; the last one is the active segment. Replaced, never mutated in place, by retention. */
  private segments: Segment[] = [];
  private active!: Segment;
  private activeFd = -1;
  private readonly cache: RecordCache;

  private pending: PendingAppend[] = [];
  private writing = false;
  private rollRequested = false;
  private idleWaiters: Array<() => void> = [];
  /** Set when an fsync failed: what reached the disk is unknown, so the partition refuses writes. */
  private failure: Error | null = null;
  private closed = false;
  private readonly appendListeners = new Set<() => void>();

  private constructor(private readonly options: PartitionLogOptions) {
    this.cache = new RecordCache(options.cacheBytes, 0);
  }

  /** Opens (or creates) the partition directory, recovering from a torn tail if the last run crashed. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    await log.load();
    return log;
  }

  private async load(): Promise<void> {
    const { dir } = this.options;
    await fsp.mkdir(dir, { recursive: true });
    const bases = (await fsp.readdir(dir))
      .map(parseSegmentFileName)
      .filter((base): base is number => base !== null)
      .sort((a, b) => a - b);
    for (let i = 0; i < bases.length; i++) {
      const isLast = i === bases.length - 1;
      const { segment, fd, repair } = await Segment.load(dir, bases[i], isLast);
      if (repair) this.warnRepair(repair, isLast);
      this.segments.push(segment);
      if (isLast) {
        this.active = segment;
        this.activeFd = fd!;
      }
    }
    if (this.segments.length === 0) {
      const { segment, fd } = await Segment.create(dir, 0);
      await fsyncDirectory(dir);
      this.segments.push(segment);
      this.active = segment;
      this.activeFd = fd;
    }
    this.cache.clear(this.latest);
  }

  private warnRepair(repair: TailRepair, activeSegment: boolean): void {
    const consequence = activeSegment
      ? 'a crash mid-write leaves such a tail; no acknowledged record is lost'
      : 'damage inside a sealed segment: records stored after that position are lost';
    this.options.onWarning(
      `embedded bus: ${repair.path}: dropped ${repair.droppedBytes} bytes after position ${repair.validBytes} ` +
        `(${repair.reason}; ${consequence})`,
    );
  }

  /** Earliest retained offset. */
  get earliest(): number {
    return this.segments[0].baseOffset;
  }

  /** Log end offset: the offset the next durable record gets. */
  get latest(): number {
    return this.active.nextOffset;
  }

  /** Bytes of all segment files. */
  get sizeBytes(): number {
    let total = 0;
    for (const segment of this.segments) total += segment.size;
    return total;
  }

  get health(): Error | null {
    return this.failure;
  }

  // ---- appends -------------------------------------------------------------------------------

  append(append: PendingAppend): void {
    if (this.closed) return append.onFailure(new Error('embedded bus: the bus is closed'));
    if (this.failure) return append.onFailure(this.failure);
    this.pending.push(append);
    this.scheduleWriter();
  }

  private scheduleWriter(): void {
    if (this.writing) return;
    this.writing = true;
    // setImmediate, not a microtask: produce calls made in the same event-loop turn share the first flush.
    setImmediate(() => {
      this.runWriter().catch((error: unknown) => {
        // Only a bug gets here; refuse further writes rather than risk a corrupt log.
        const failure = new Error(`embedded bus: writer of ${this.options.dir} failed: ${String(error)}`);
        this.failure = failure;
        this.options.onWarning(failure.message);
        const pending = this.pending;
        this.pending = [];
        for (const append of pending) append.onFailure(failure);
      });
    });
  }

  private async runWriter(): Promise<void> {
    try {
      while (this.failure === null && (this.pending.length > 0 || this.rollRequested)) {
        const batch = this.takeBatch();
        const batchBytes = batch.reduce((sum, a) => sum + a.bytes, 0);
        try {
          if (this.rollRequested || this.shouldRoll(batchBytes)) await this.roll();
        } catch (error) {
          this.rollRequested = false;
          this.options.onWarning(`embedded bus: cannot roll a segment in ${this.options.dir}: ${String(error)}`);
          for (const append of batch) append.onFailure(asError(error));
          continue;
        }
        if (batch.length > 0) await this.writeBatch(batch, batchBytes);
      }
      if (this.failure) {
        const pending = this.pending;
        this.pending = [];
        for (const append of pending) append.onFailure(this.failure);
      }
    } finally {
      this.writing = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Takes queued appends up to maxFlushBytes (always at least one), keeping whole appends. */
  private takeBatch(): PendingAppend[] {
    let bytes = 0;
    let count = 0;
    while (
      count < this.pending.length &&
      (count === 0 || bytes + this.pending[count].bytes <= this.options.maxFlushBytes)
    ) {
      bytes += this.pending[count].bytes;
      count++;
    }
    if (count === this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      return batch;
    }
    return this.pending.splice(0, count);
  }

  private shouldRoll(nextBytes: number): boolean {
    const active = this.active;
    if (active.size === 0) return false;
    if (active.size + nextBytes > this.options.segmentBytes) return true;
    return active.firstAppendTime !== null && Date.now() - active.firstAppendTime >= this.options.segmentMaxAgeMs;
  }

  /** Seals the active segment and starts a new, empty one at the log end. */
  private async roll(): Promise<void> {
    this.rollRequested = false;
    if (this.active.size === 0) return;
    const { segment, fd } = await Segment.create(this.options.dir, this.active.nextOffset);
    try {
      await fsyncDirectory(this.options.dir);
    } catch (error) {
      // Leave no orphan file behind: the next attempt creates the same name.
      await closeFile(fd).catch(() => undefined);
      await fsp.unlink(segment.path).catch(() => undefined);
      throw error;
    }
    const oldFd = this.activeFd;
    this.segments.push(segment);
    this.active = segment;
    this.activeFd = fd;
    await closeFile(oldFd).catch(() => undefined);
  }

  private async writeBatch(batch: PendingAppend[], bytes: number): Promise<void> {
    const active = this.active;
    const buffer = Buffer.allocUnsafe(bytes);
    let recordCount = 0;
    for (const append of batch) recordCount += append.records.length;
    /** Where each frame ends in buffer. */
    const ends = new Uint32Array(recordCount);
    const baseOffset = active.nextOffset;
    /** Records of each append, in batch order. */
    const counts = new Uint32Array(batch.length);
    let end = 0;
    let offset = baseOffset;
    try {
      for (let a = 0; a < batch.length; a++) {
        const append = batch[a];
        end = encodeFrames(buffer, end, offset, append.records, ends, offset - baseOffset);
        counts[a] = append.records.length;
        offset += counts[a];
        append.records = NO_RECORDS;
      }
    } catch (error) {
      // Only an internal bug gets here (sizes are computed at validation); nothing was written.
      for (const append of batch) append.onFailure(asError(error));
      return;
    }

    const position = active.size;
    let wrote = false;
    try {
      await writeFully(this.activeFd, buffer, position);
      wrote = true; // from here on, a failure is the fsync's
      await fdatasync(this.activeFd);
    } catch (error) {
      await this.handleWriteFailure(asError(error), position, wrote);
      for (const append of batch) append.onFailure(asError(error));
      return;
    }

    let frameStart = 0;
    for (let i = 0; i < recordCount; i++) {
      active.indexFrame(baseOffset + i, position + frameStart, frameTimestamp(buffer, frameStart), ends[i] - frameStart);
      frameStart = ends[i];
    }
    const now = Date.now();
    active.lastAppendTime = now;
    active.firstAppendTime ??= now;
    this.cache.append(baseOffset, buffer, ends);

    let first = baseOffset;
    for (let a = 0; a < batch.length; a++) {
      batch[a].onDurable(first);
      first += counts[a];
    }
    for (const listener of this.appendListeners) listener();
  }

  private async handleWriteFailure(error: Error, position: number, duringFsync: boolean): Promise<void> {
    if (duringFsync) {
      // After a failed fsync the kernel may have dropped the dirty pages: the file's content is unknown.
      this.failure = new Error(
        `embedded bus: fsync failed on ${this.active.path} (${error.message}); partition ${this.options.topic}/${this.options.partition} ` +
          'refuses writes until the bus is reopened, which re-verifies the file',
      );
      this.options.onWarning(this.failure.message);
      return;
    }
    // A failed write (e.g. disk full) may have left part of the batch: cut it so the next write starts on a frame boundary.
    try {
      await truncateFile(this.activeFd, position);
    } catch (truncateError) {
      this.failure = new Error(
        `embedded bus: cannot cut a failed write from ${this.active.path} (${String(truncateError)}); reopen the bus`,
      );
      this.options.onWarning(this.failure.message);
    }
  }

  /** Resolves once everything queued so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.writing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** Calls listener after every durable append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Up to maxRecords durable records with offset ≥ from, in offset order (empty at the log end).
   * An offset before the earliest retained one reads from the earliest. Fresh records come from
   * memory; older ones from the segment files.
   */
  async fetch(from: number, maxRecords: number, maxBytes = 1024 * 1024): Promise<BusRecord[]> {
    return decodeRun(await this.fetchFrames(from, maxRecords, maxBytes), this.options.topic, this.options.partition);
  }

  /** What fetch returns, as the records' frames (see frame-run.ts). */
  async fetchFrames(from: number, maxRecords: number, maxBytes = 1024 * 1024): Promise<FrameRun> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const start = Math.max(from, this.earliest);
      if (start >= this.latest || maxRecords <= 0) return EMPTY_RUN;
      if (start >= this.cache.startOffset) return this.cache.slice(start, maxRecords);
      const run = await this.readFromDisk(start, maxRecords, maxBytes);
      if (run !== null) return run;
      // A segment vanished under us (retention); try again from the new earliest offset.
    }
    return EMPTY_RUN;
  }

  /** Reads from the segment files; null if a segment was deleted while reading. */
  private async readFromDisk(from: number, maxRecords: number, maxBytes: number): Promise<FrameRun | null> {
    const segments = this.segments; // retention replaces the array rather than mutating it
    let index = findSegmentIndex(segments, from);
    const pieces: Buffer[] = [];
    let count = 0;
    let firstOffset = -1;
    let lastOffset = -1;
    let bytesRead = 0;
    const done = (): FrameRun | null => (count === 0 ? null : { pieces, count, firstOffset, lastOffset });
    for (; index < segments.length && count < maxRecords && bytesRead < maxBytes; index++) {
      const segment = segments[index];
      const limit = segment.size;
      let position = segment.positionFor(from);
      const averageRecord = segment.recordCount > 0 ? segment.size / segment.recordCount : 1024;
      const chunkBytes = Math.min(
        maxBytes,
        Math.max(MIN_READ_CHUNK_BYTES, Math.ceil(averageRecord * maxRecords * 1.2)),
      );
      while (position < limit && count < maxRecords && bytesRead < maxBytes) {
        const chunk = await segment.readChunk(position, limit, chunkBytes);
        if (chunk === null) return done();
        let pos = 0;
        /** Start of the frames of this chunk that are delivered (offset ≥ from), -1 before the first. */
        let keepFrom = -1;
        while (pos < chunk.length && count < maxRecords) {
          const status = frameStatus(chunk, pos, chunk.length);
          if (status === FRAME_INCOMPLETE) break;
          if (status === FRAME_CORRUPT) {
            throw new Error(
              `embedded bus: corrupt record in ${segment.path} at byte ${position + pos} (CRC or framing)`,
            );
          }
          const offset = frameOffset(chunk, pos);
          if (offset >= from) {
            if (keepFrom < 0) keepFrom = pos;
            if (firstOffset < 0) firstOffset = offset;
            lastOffset = offset;
            count++;
          }
          pos += status;
        }
        if (pos === 0) throw new Error(`embedded bus: unreadable record in ${segment.path} at byte ${position}`);
        if (keepFrom >= 0) pieces.push(chunk.subarray(keepFrom, pos));
        position += pos;
        bytesRead += pos;
      }
    }
    return done() ?? EMPTY_RUN;
  }

  /** Offset of the first record with timestamp ≥ ts, or the log end. */
  async offsetForTimestamp(timestamp: number): Promise<number> {
    for (const segment of this.segments) {
      if (segment.recordCount === 0 || segment.maxTimestamp < timestamp) continue;
      let from = segment.scanStartForTimestamp(timestamp);
      // The segment holds a record with timestamp ≥ ts at or after `from`; scan forward to it.
      for (;;) {
        const records = await this.fetch(from, 1000);
        if (records.length === 0) break;
        for (const record of records) if (record.timestamp >= timestamp) return record.offset;
        from = records[records.length - 1].offset + 1;
      }
    }
    return this.latest;
  }

  // ---- retention -----------------------------------------------------------------------------

  /**
   * Deletes whole segments from the oldest: by age, a segment whose newest record (by timestamp,
   * or by append time if that is older, so future-dated records cannot pin it) is older than
   * retentionMs; by size, oldest segments while the rest still hold ≥ retentionBytes (Kafka's rule).
   * A fully expired active segment is rolled first so it can go too. Returns the segments deleted.
   */
  async enforceRetention(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const { retentionMs, retentionBytes } = policy;
    const expired = (segment: Segment): boolean =>
      retentionMs !== undefined &&
      segment.recordCount > 0 &&
      Math.min(segment.maxTimestamp, segment.lastAppendTime) < now - retentionMs;

    if (expired(this.active) && !this.closed && this.failure === null) {
      this.rollRequested = true;
      this.scheduleWriter();
      await this.drain();
    }
    const segments = this.segments;
    let count = 0;
    let total = this.sizeBytes;
    while (count < segments.length - 1) {
      const oldest = segments[count];
      const overSize = retentionBytes !== undefined && total - oldest.size >= retentionBytes;
      if (!overSize && !expired(oldest)) break;
      total -= oldest.size;
      count++;
    }
    if (count === 0) return 0;
    const doomed = segments.slice(0, count);
    this.segments = segments.slice(count);
    for (const segment of doomed) {
      await fsp.unlink(segment.path).catch((error: unknown) => {
        if (!isNotFound(error)) this.options.onWarning(`embedded bus: cannot delete ${segment.path}: ${String(error)}`);
      });
    }
    await fsyncDirectory(this.options.dir).catch(() => undefined);
    return doomed.length;
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Writes what is queued, then closes the active segment. Later appends are refused. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    const pending = this.pending;
    this.pending = [];
    for (const append of pending) append.onFailure(new Error('embedded bus: the bus is closed'));
    this.appendListeners.clear();
    if (this.activeFd >= 0) {
      const fd = this.activeFd;
      this.activeFd = -1;
      await closeFile(fd);
    }
  }
}

/** Index of the last segment whose base offset is ≤ offset (0 if the offset precedes them all). */
function findSegmentIndex(segments: Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid].baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
