/**
 * Wire format between a bus host (the thread that owns the Bus) and bus clients in other threads,
 * over a MessagePort. Record values travel packed in one transferred ArrayBuffer per batch: no
 * per-record copies, and never a clone of a larger buffer a value happens to be a view of.
 */
import type { BusRecord, Headers, ProduceRecord, RecordPosition } from '../port.js';
import { decodePieces, runBytes, type FrameRun } from '../embedded/frame-run.js';

export interface PackedRecords {
  /** All values back to back (maybe followed by unused room). Transferred, not copied. */
  data: ArrayBuffer;
  /** End offset of each value in `data`. */
  ends: Uint32Array;
  keys: Array<string | null>;
  headers: Array<Headers | undefined>;
  timestamps: Array<number | undefined>;
  /** For consumed records: topic, partition and offset of each. */
  positions?: { topics: string[]; partitions: Uint32Array; offsets: Float64Array };
}

export function packProduce(records: ProduceRecord[]): PackedRecords {
  // Strings are encoded straight into the buffer that is transferred, sized by their UTF-16
  // length (exact for ASCII) and grown when a string may not fit: no intermediate Buffer per
  // record, and no byteLength pass over every value.
  let capacity = 0;
  for (let i = 0; i < records.length; i++) capacity += records[i].value.length;
  let bytes = Buffer.from(new ArrayBuffer(capacity + 256));
  const ends = new Uint32Array(records.length);
  const keys = new Array<string | null>(records.length);
  const headers = new Array<Headers | undefined>(records.length);
  const timestamps = new Array<number | undefined>(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const { value, key } = records[i];
    // A string of n UTF-16 units takes at most 3n bytes in UTF-8; only then is it measured.
    const needed = typeof value !== 'string' ? value.length : value.length * 3 <= bytes.length - at ? 0 : Buffer.byteLength(value, 'utf8');
    if (needed > bytes.length - at) bytes = grown(bytes, at, needed);
    at += typeof value === 'string' ? bytes.write(value, at, 'utf8') : (bytes.set(value, at), value.length);
    ends[i] = at;
    keys[i] = key;
    headers[i] = records[i].headers;
    timestamps[i] = records[i].timestamp;
  }
  // The whole buffer is transferred (the values end where `ends` says): copying out a slice would
  // cost as much as the encoding saved.
  return { data: bytes.buffer, ends, keys, headers, timestamps };
}

/** A larger buffer holding bytes [0, used) of `bytes`, with room for `needed` more. */
function grown(bytes: Buffer<ArrayBuffer>, used: number, needed: number): Buffer<ArrayBuffer> {
  const bigger = Buffer.from(new ArrayBuffer(Math.max(bytes.length * 2, used + needed)));
  bytes.copy(bigger, 0, 0, used);
  return bigger;
}

export function unpackProduce(packed: PackedRecords): ProduceRecord[] {
  const out: ProduceRecord[] = new Array(packed.ends.length);
  let start = 0;
  for (let i = 0; i < packed.ends.length; i++) {
    const end = packed.ends[i];
    out[i] = { key: packed.keys[i], value: Buffer.from(packed.data, start, end - start) };
    if (packed.headers[i]) out[i].headers = packed.headers[i];
    if (packed.timestamps[i] !== undefined) out[i].timestamp = packed.timestamps[i];
    start = end;
  }
  return out;
}

export function packRecords(records: BusRecord[]): PackedRecords {
  const n = records.length;
  const ends = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) ends[i] = total += records[i].value.length;
  const bytes = new Uint8Array(total);
  const keys = new Array<string | null>(n);
  const headers = new Array<Headers | undefined>(n);
  const timestamps = new Array<number | undefined>(n);
  const topics = new Array<string>(n);
  const partitions = new Uint32Array(n);
  const offsets = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const r = records[i];
    bytes.set(r.value, at);
    at = ends[i];
    keys[i] = r.key;
    headers[i] = r.headers;
    timestamps[i] = r.timestamp;
    topics[i] = r.topic;
    partitions[i] = r.partition;
    offsets[i] = r.offset;
  }
  return { data: bytes.buffer, ends, keys, headers, timestamps, positions: { topics, partitions, offsets } };
}

export function unpackRecords(packed: PackedRecords): BusRecord[] {
  const { positions } = packed;
  if (!positions) throw new Error('bus thread protocol: consumed records without positions');
  const out: BusRecord[] = new Array(packed.ends.length);
  let start = 0;
  for (let i = 0; i < packed.ends.length; i++) {
    const end = packed.ends[i];
    out[i] = {
      topic: positions.topics[i],
      partition: positions.partitions[i],
      offset: positions.offsets[i],
      key: packed.keys[i],
      value: Buffer.from(packed.data, start, end - start),
      headers: packed.headers[i] ?? {},
      timestamp: packed.timestamps[i] ?? 0,
    };
    start = end;
  }
  return out;
}

export const transferOf = (packed: PackedRecords | PackedFrames): ArrayBuffer[] => [packed.data];

/**
 * A consumed batch of an embedded bus as its frames (bus/embedded/frame-run.ts), copied once into
 * one transferred buffer: the bus thread neither decodes the records nor builds per-record arrays
 * for the structured clone; the consumer's thread decodes them.
 */
export interface PackedFrames {
  data: ArrayBuffer;
  topic: string;
  partition: number;
  count: number;
}

export function packFrames(run: FrameRun, topic: string, partition: number): PackedFrames {
  const bytes = new Uint8Array(runBytes(run));
  let at = 0;
  for (const piece of run.pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return { data: bytes.buffer, topic, partition, count: run.count };
}

export function unpackFrames(packed: PackedFrames): BusRecord[] {
  return decodePieces([Buffer.from(packed.data)], packed.topic, packed.partition, packed.count);
}

/** An error as plain data; the kind survives so TransientError stays transient across threads. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

/** The outcome of one call of a produceMany message. */
/** Where a produce call's records went: typed arrays, one entry per record (cloned as two copies, not an object per record). */
export type ProduceOutcome = { partitions: Uint32Array; offsets: Float64Array } | { error: WireError };

export function packPositions(positions: readonly RecordPosition[]): ProduceOutcome {
  const partitions = new Uint32Array(positions.length);
  const offsets = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i++) {
    partitions[i] = positions[i].partition;
    offsets[i] = positions[i].offset;
  }
  return { partitions, offsets };
}

export function unpackPositions(topic: string, packed: { partitions: Uint32Array; offsets: Float64Array }): RecordPosition[] {
  const out = new Array<RecordPosition>(packed.partitions.length);
  for (let i = 0; i < out.length; i++) out[i] = { topic, partition: packed.partitions[i], offset: packed.offsets[i] };
  return out;
}

/** Client → host calls. */
export type BusCall =
  | { method: 'ensureTopics'; args: Parameters<import('../port.js').Bus['ensureTopics']> }
  | { method: 'partitionCount'; args: [string] }
  /** The produce calls made in one event-loop turn, sent as one message; answered per call. */
  | { method: 'produceMany'; args: [Array<{ topic: string; records: PackedRecords }>] }
  | { method: 'consume'; args: [ConsumeRequest] }
  | { method: 'stopSubscription'; args: [number] }
  | { method: 'groupPositions'; args: [string, string] }
  | { method: 'seekGroupToTimestamp'; args: [string, string, number] }
  | { method: 'offsetForTimestamp'; args: [string, number, number] }
  | { method: 'partitionBounds'; args: [string, number] }
  | { method: 'readOpen'; args: [string, number, number, number] }
  | { method: 'readNext'; args: [number] }
  | { method: 'readClose'; args: [number] }
  | { method: 'ping'; args: [] };

export interface ConsumeRequest {
  /** Chosen by the client, so callbacks that arrive before the call returns find their handler. */
  subscription: number;
  groupId: string;
  topics: string[];
  maxBatchRecords?: number;
  resetTo?: 'earliest' | 'latest';
  withOnAssigned: boolean;
  withOnRevoked: boolean;
}

export type ClientMessage =
  | ({ kind: 'call'; id: number } & BusCall)
  /** Result of a host → client callback (batch handler, onAssigned, onRevoked). */
  | { kind: 'callbackDone'; id: number; error?: WireError };

export type HostMessage =
  | { kind: 'result'; id: number; value?: unknown; error?: WireError }
  /** A consumed batch, as its frames. */
  | { kind: 'frames'; id: number; subscription: number; frames: PackedFrames }
  | { kind: 'assigned'; id: number; subscription: number; assigned: import('../port.js').PartitionAssignment[] }
  | { kind: 'revoked'; id: number; subscription: number; revoked: Array<{ topic: string; partition: number }> };
