/**
 * Consecutive records of one partition as their encoded frames (record-codec.ts), the way the
 * log holds them: the record cache keeps the buffers it wrote, a disk read the bytes it read.
 * Records are decoded only where a consumer needs them as objects, so a consumer in another
 * thread gets the frames' bytes in one copy, and nothing in the cache is a per-record heap
 * object the garbage collector must trace.
 */
import type { BusRecord } from '../port.js';
import { decodeFrame, FRAME_PREFIX_BYTES, newRepeatMemo } from './record-codec.js';

export interface FrameRun {
  /** Whole, valid frames back to back: what was written, or CRC-checked when read from disk. */
  readonly pieces: readonly Buffer[];
  readonly count: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export const EMPTY_RUN: FrameRun = Object.freeze({ pieces: Object.freeze([]) as readonly Buffer[], count: 0, firstOffset: -1, lastOffset: -1 });

/** Bytes of all pieces. */
export function runBytes(run: FrameRun): number {
  let total = 0;
  for (const piece of run.pieces) total += piece.length;
  return total;
}

/**
 * Decodes every frame of the pieces; values are views into them, not copies. Records repeating
 * the previous one's key or headers share its string or (frozen) headers object.
 */
export function decodePieces(pieces: readonly Buffer[], topic: string, partition: number, expected = 0): BusRecord[] {
  const out: BusRecord[] = expected > 0 ? new Array(expected) : [];
  const repeats = newRepeatMemo();
  let n = 0;
  for (const piece of pieces) {
    let pos = 0;
    while (pos < piece.length) {
      const size = FRAME_PREFIX_BYTES + piece.readUInt32LE(pos);
      out[n++] = decodeFrame(piece, pos, topic, partition, repeats);
      pos += size;
    }
  }
  out.length = n;
  return out;
}

export function decodeRun(run: FrameRun, topic: string, partition: number): BusRecord[] {
  return decodePieces(run.pieces, topic, partition, run.count);
}
