/**
 * The most recent durable records of one partition, kept decoded in memory so consumers that keep
 * up with producers never touch the disk. Records arrive in chunks (one per group-commit flush,
 * contiguous offsets); the oldest chunks are dropped once the cache holds more than its byte budget.
 */
import type { BusRecord } from '../port.js';

interface CacheChunk {
  baseOffset: number;
  records: BusRecord[];
  bytes: number;
}

export class RecordCache {
  private readonly chunks: CacheChunk[] = [];
  private bytes = 0;
  /** Offset after the newest cached record (the log end when the cache is in use). */
  private end: number;

  constructor(
    private readonly maxBytes: number,
    endOffset: number,
  ) {
    this.end = endOffset;
  }

  /** First offset served from memory; records before it must be read from the segment files. */
  get startOffset(): number {
    return this.chunks.length > 0 ? this.chunks[0].baseOffset : this.end;
  }

  /** Adds records with contiguous offsets that directly follow the cached ones. */
  append(records: BusRecord[], bytes: number): void {
    if (records.length === 0) return;
    this.chunks.push({ baseOffset: records[0].offset, records, bytes });
    this.bytes += bytes;
    this.end = records[records.length - 1].offset + 1;
    // The newest chunk always stays, even if it alone exceeds the budget.
    while (this.bytes > this.maxBytes && this.chunks.length > 1) {
      this.bytes -= this.chunks.shift()!.bytes;
    }
  }

  /** Up to maxRecords records from offset `from` on (from must be ≥ startOffset). */
  slice(from: number, maxRecords: number): BusRecord[] {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    let index = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (chunks[mid].baseOffset <= from) {
        index = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const out: BusRecord[] = [];
    if (index < 0) return out;
    let start = from - chunks[index].baseOffset;
    for (; index < chunks.length && out.length < maxRecords; index++) {
      const records = chunks[index].records;
      const take = Math.min(records.length - start, maxRecords - out.length);
      for (let i = start; i < start + take; i++) out.push(records[i]);
      start = 0;
    }
    return out;
  }

  clear(endOffset: number): void {
    this.chunks.length = 0;
    this.bytes = 0;
    this.end = endOffset;
  }
}
