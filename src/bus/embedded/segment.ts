/**
 * One segment file of a partition log: `<baseOffset, 20 digits>.log`, a sequence of record frames
 * (see record-codec.ts) with strictly increasing offsets, starting at or after baseOffset.
 *
 * The segment keeps a sparse in-memory index (one entry per INDEX_INTERVAL_BYTES of file) mapping
 * offsets to file positions, plus the largest timestamp seen before each entry so timestamp
 * lookups can binary-search even when timestamps are out of order. The index is rebuilt by
 * scanning the file on open; nothing but the frames themselves is stored on disk.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import {
  FRAME_CORRUPT,
  FRAME_INCOMPLETE,
  FRAME_PREFIX_BYTES,
  frameOffset,
  frameStatus,
  frameTimestamp,
} from './record-codec.js';
import { closeFile, fdatasync, openFile, readAt, truncateFile } from './fs-util.js';

/** Spacing of sparse index entries; a lookup scans at most this many bytes past its entry. */
export const INDEX_INTERVAL_BYTES = 32 * 1024;
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;
const SEGMENT_SUFFIX = '.log';

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}${SEGMENT_SUFFIX}`;
}

/** Base offset encoded in a segment file name, or null if the name is not a segment's. */
export function parseSegmentFileName(name: string): number | null {
  if (!/^\d{20}\.log$/.test(name)) return null;
  const base = Number(name.slice(0, 20));
  return Number.isSafeInteger(base) ? base : null;
}

/** What loading found wrong at the end of a segment file. */
export interface TailRepair {
  path: string;
  validBytes: number;
  droppedBytes: number;
  reason: 'incomplete frame' | 'corrupt frame' | 'offset out of order';
}

export class Segment {
  /** Bytes of valid, durable frames. Readers never look past it. */
  size = 0;
  /** Offset after the last record; baseOffset while empty. */
  nextOffset: number;
  recordCount = 0;
  /** Largest record timestamp in the segment; -Infinity while empty. */
  maxTimestamp = -Infinity;
  /** Wall-clock time of the last append (file mtime after a restart); bounds age-based retention. */
  lastAppendTime: number;
  /** Wall-clock time this segment started receiving records; drives age-based rolling. */
  firstAppendTime: number | null = null;

  private readonly indexOffsets: number[] = [];
  private readonly indexPositions: number[] = [];
  /** Largest timestamp of the records before each index entry (within this segment). */
  private readonly indexMaxTimestampBefore: number[] = [];
  private lastIndexedPosition = -Infinity;
  private firstTimestampSeen = Infinity;

  private constructor(
    readonly baseOffset: number,
    readonly path: string,
  ) {
    this.nextOffset = baseOffset;
    this.lastAppendTime = Date.now();
  }

  /** Creates an empty segment file; fails if it already exists. Returns the segment and its append fd. */
  static async create(dir: string, baseOffset: number): Promise<{ segment: Segment; fd: number }> {
    const segment = new Segment(baseOffset, join(dir, segmentFileName(baseOffset)));
    const fd = await openFile(segment.path, 'wx+');
    return { segment, fd };
  }

  /**
   * Opens an existing segment file and rebuilds its index by scanning every frame (CRC checked).
   * Everything from the first invalid frame on is cut off the file (a torn write from a crash) and
   * reported in `repair`. The returned fd is open for appending when `forAppend` is set.
   */
  static async load(
    dir: string,
    baseOffset: number,
    forAppend: boolean,
  ): Promise<{ segment: Segment; fd: number | null; repair: TailRepair | null }> {
    const segment = new Segment(baseOffset, join(dir, segmentFileName(baseOffset)));
    const fd = await openFile(segment.path, 'r+');
    try {
      const stat = await fs.promises.stat(segment.path);
      segment.lastAppendTime = stat.mtimeMs;
      const { validBytes, reason } = await segment.scan(fd, stat.size);
      let repair: TailRepair | null = null;
      if (validBytes < stat.size) {
        await truncateFile(fd, validBytes);
        await fdatasync(fd);
        repair = {
          path: segment.path,
          validBytes,
          droppedBytes: stat.size - validBytes,
          reason: reason ?? 'incomplete frame',
        };
      }
      if (segment.recordCount > 0) segment.firstAppendTime = Math.min(stat.mtimeMs, segment.firstTimestampSeen);
      if (!forAppend) {
        await closeFile(fd);
        return { segment, fd: null, repair };
      }
      return { segment, fd, repair };
    } catch (error) {
      await closeFile(fd).catch(() => undefined);
      throw error;
    }
  }

  private async scan(
    fd: number,
    fileSize: number,
  ): Promise<{ validBytes: number; reason: TailRepair['reason'] | null }> {
    let buffer = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(fileSize, FRAME_PREFIX_BYTES)));
    let filePos = 0;
    while (filePos < fileSize) {
      const want = Math.min(buffer.length, fileSize - filePos);
      const got = await readFully(fd, buffer, want, filePos);
      let pos = 0;
      while (pos < got) {
        const status = frameStatus(buffer, pos, got);
        if (status === FRAME_CORRUPT) return { validBytes: filePos + pos, reason: 'corrupt frame' };
        if (status === FRAME_INCOMPLETE) break;
        const offset = frameOffset(buffer, pos);
        if (offset < this.nextOffset) return { validBytes: filePos + pos, reason: 'offset out of order' };
        const timestamp = frameTimestamp(buffer, pos);
        if (this.recordCount === 0) this.firstTimestampSeen = timestamp;
        this.indexFrame(offset, filePos + pos, timestamp, status);
        pos += status;
      }
      if (pos === 0) {
        // Not even one frame fits: either the file ends mid-frame, or the frame is bigger than the buffer.
        const declared = got >= 4 ? buffer.readUInt32LE(0) + FRAME_PREFIX_BYTES : Infinity;
        if (filePos + declared > fileSize || declared <= buffer.length) {
          return { validBytes: filePos, reason: 'incomplete frame' };
        }
        buffer = Buffer.allocUnsafe(declared);
        continue;
      }
      filePos += pos;
    }
    return { validBytes: filePos, reason: null };
  }

  /** Records a frame just made durable at `position` (or found valid on load) in the index. */
  indexFrame(offset: number, position: number, timestamp: number, frameBytes: number): void {
    if (position - this.lastIndexedPosition >= INDEX_INTERVAL_BYTES) {
      this.indexOffsets.push(offset);
      this.indexPositions.push(position);
      this.indexMaxTimestampBefore.push(this.maxTimestamp);
      this.lastIndexedPosition = position;
    }
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    this.nextOffset = offset + 1;
    this.recordCount++;
    this.size = position + frameBytes;
  }

  /** File position from which a forward scan finds `offset` (or the first record after it). */
  positionFor(offset: number): number {
    const offsets = this.indexOffsets;
    let lo = 0;
    let hi = offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (offsets[mid] <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.indexPositions[found];
  }

  /**
   * Offset from which a forward scan finds the first record with timestamp ≥ ts: the last index
   * entry before which every record is older than ts. Exact even with out-of-order timestamps,
   * because the entries carry the running maximum.
   */
  scanStartForTimestamp(timestamp: number): number {
    const maxBefore = this.indexMaxTimestampBefore;
    let lo = 0;
    let hi = maxBefore.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (maxBefore[mid] < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return this.indexOffsets.length === 0 ? this.baseOffset : this.indexOffsets[found];
  }

  /**
   * Reads frames from `position` up to `limit` (≤ size) into a fresh buffer of about `chunkBytes`,
   * growing it if the first frame is larger. Returns the bytes read (whole frames are not
   * guaranteed; the caller parses and stops at an incomplete one). Null if the file is gone.
   */
  async readChunk(position: number, limit: number, chunkBytes: number): Promise<Buffer | null> {
    let fd: number;
    try {
      fd = await openFile(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      let want = Math.min(chunkBytes, limit - position);
      let buffer = Buffer.allocUnsafe(want);
      let got = await readFully(fd, buffer, want, position);
      if (got >= 4) {
        const first = buffer.readUInt32LE(0) + FRAME_PREFIX_BYTES;
        if (first > got && position + first <= limit) {
          want = first;
          buffer = Buffer.allocUnsafe(want);
          got = await readFully(fd, buffer, want, position);
        }
      }
      return got === buffer.length ? buffer : buffer.subarray(0, got);
    } finally {
      await closeFile(fd);
    }
  }
}

async function readFully(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await readAt(fd, done === 0 ? buffer : buffer.subarray(done), length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
