/**
 * On-disk record framing. Every record is one self-checking frame, little-endian:
 *
 *   u32  bodyLength      bytes of body that follow the crc
 *   u32  crc32(body)
 *   body:
 *     u8   magic          FORMAT_MAGIC, bumped if the layout ever changes
 *     u8   attributes     reserved (0), e.g. for compression later
 *     i64  offset
 *     i64  timestamp      epoch ms
 *     i32  keyLength      -1 for a null key
 *     ...  key            UTF-8
 *     u16  headerCount
 *     ...  headers        per header: u16 nameLength, name, u32 valueLength, value (UTF-8)
 *     u32  valueLength
 *     ...  value
 *
 * The CRC covers the whole body, so a torn write, a zeroed tail or garbage is detected frame by frame.
 */
import { crc32 } from 'node:zlib';
import { NO_HEADERS, type BusRecord, type Headers } from '../port.js';

export const FORMAT_MAGIC = 1;
export const FRAME_PREFIX_BYTES = 8;
/** Body bytes of a record with a null key, no headers and an empty value. */
export const BODY_FIXED_BYTES = 1 + 1 + 8 + 8 + 4 + 2 + 4;
export const MAX_HEADER_COUNT = 0xffff;
/**
 * Largest frame a reader accepts; a longer length field is corruption. Deliberately a constant, far
 * above the produce limit, so lowering that limit can never make recovery cut valid data.
 */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;
export const MAX_HEADER_NAME_BYTES = 0xffff;

/** frameStatus result: the buffer ends before the frame does. */
export const FRAME_INCOMPLETE = -1;
/** frameStatus result: the bytes are not a valid frame. */
export const FRAME_CORRUPT = -2;

const TWO_POW_32 = 0x1_0000_0000;

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  buf.writeUInt32LE(value - high * TWO_POW_32, pos);
  buf.writeInt32LE(high, pos + 4);
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32LE(pos + 4) * TWO_POW_32 + buf.readUInt32LE(pos);
}

/** Bytes a validated record takes on disk, frame prefix included. */
export function frameSize(keyBytes: number, headerBytes: number, valueBytes: number): number {
  return FRAME_PREFIX_BYTES + BODY_FIXED_BYTES + keyBytes + headerBytes + valueBytes;
}

/**
 * A validated record ready to encode. Headers are the producer's headers copied at validation, so
 * a caller mutating its object while the append waits for the flush cannot change the frame size.
 */
export interface PreparedRecord {
  key: string | null;
  value: Uint8Array | string;
  headers: Headers;
  timestamp: number;
  /** Bytes on disk, frame prefix included. */
  size: number;
}

/**
 * Encodes records as consecutive frames into target from pos, with offsets firstOffset, firstOffset+1, ...
 * and writes where each frame ends into ends[endsAt], ends[endsAt + 1], ...
 * Returns the position after the last frame. Sizes must come from frameSize for the same records.
 */
export function encodeFrames(
  target: Buffer,
  pos: number,
  firstOffset: number,
  records: readonly PreparedRecord[],
  ends: Uint32Array,
  endsAt: number,
): number {
  let offset = firstOffset;
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    const start = pos;
    const { key, timestamp, headers } = record;
    let p = start + FRAME_PREFIX_BYTES;
    target[p++] = FORMAT_MAGIC;
    target[p++] = 0;
    writeInt64(target, p, offset);
    writeInt64(target, p + 8, timestamp);
    p += 16;
    if (key === null) {
      target.writeInt32LE(-1, p);
      p += 4;
    } else {
      const n = target.write(key, p + 4, 'utf8');
      target.writeInt32LE(n, p);
      p += 4 + n;
    }
    const countAt = p;
    let count = 0;
    p += 2;
    for (const name in headers) {
      const n = target.write(name, p + 2, 'utf8');
      target.writeUInt16LE(n, p);
      p += 2 + n;
      const v = target.write(headers[name], p + 4, 'utf8');
      target.writeUInt32LE(v, p);
      p += 4 + v;
      count++;
    }
    target.writeUInt16LE(count, countAt);
    const value = record.value;
    const valueStart = p + 4;
    let valueBytes: number;
    if (typeof value === 'string') {
      valueBytes = target.write(value, valueStart, 'utf8');
    } else {
      target.set(value, valueStart);
      valueBytes = value.length;
    }
    target.writeUInt32LE(valueBytes, p);
    p = valueStart + valueBytes;
    // A mismatch would mean a frame overwrote its neighbour: refuse rather than persist garbage.
    if (p - start !== record.size) throw new Error(`embedded bus: encoded ${p - start} bytes, expected ${record.size}`);
    const bodyStart = start + FRAME_PREFIX_BYTES;
    target.writeUInt32LE(p - bodyStart, start);
    target.writeUInt32LE(crc32(target.subarray(bodyStart, p)), start + 4);
    ends[endsAt + r] = p;
    offset++;
    pos = p;
  }
  return pos;
}

/**
 * Checks the frame starting at pos (bytes up to end are available).
 * Returns its total size, FRAME_INCOMPLETE if end cuts it, or FRAME_CORRUPT.
 */
export function frameStatus(buf: Buffer, pos: number, end: number): number {
  if (end - pos < FRAME_PREFIX_BYTES) return FRAME_INCOMPLETE;
  const bodyLength = buf.readUInt32LE(pos);
  if (bodyLength < BODY_FIXED_BYTES || bodyLength + FRAME_PREFIX_BYTES > MAX_FRAME_BYTES) return FRAME_CORRUPT;
  const total = FRAME_PREFIX_BYTES + bodyLength;
  if (end - pos < total) return FRAME_INCOMPLETE;
  const bodyStart = pos + FRAME_PREFIX_BYTES;
  if (buf[bodyStart] !== FORMAT_MAGIC) return FRAME_CORRUPT;
  if (crc32(buf.subarray(bodyStart, pos + total)) !== buf.readUInt32LE(pos + 4)) return FRAME_CORRUPT;
  return total;
}

/** Offset of the (valid) frame at pos. */
export function frameOffset(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + FRAME_PREFIX_BYTES + 2);
}

/** Timestamp of the (valid) frame at pos. */
export function frameTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + FRAME_PREFIX_BYTES + 10);
}

/**
 * Decodes the (valid, CRC-checked) frame at pos. Key and headers are decoded to strings; the
 * value is a view into buf, so the caller must not reuse buf for other data afterwards.
 * With a `repeats` memo shared across the frames of a batch, a key or a set of headers whose
 * bytes repeat the previous frame's is the same string or (frozen) object: a partition's records
 * mostly share their tenant, and a topic's their headers.
 */
export function decodeFrame(buf: Buffer, pos: number, topic: string, partition: number, repeats?: RepeatMemo): BusRecord {
  const bodyStart = pos + FRAME_PREFIX_BYTES;
  const offset = readInt64(buf, bodyStart + 2);
  const timestamp = readInt64(buf, bodyStart + 10);
  let p = bodyStart + 18;
  const keyLength = buf.readInt32LE(p);
  p += 4;
  let key: string | null = null;
  if (keyLength >= 0) {
    if (repeats && repeats.key !== null && sameBytes(buf, p, repeats.keyBuf, repeats.keyAt, keyLength, repeats.keyBytes)) {
      key = repeats.key;
    } else {
      key = buf.toString('utf8', p, p + keyLength);
      if (repeats) {
        repeats.key = key;
        repeats.keyBuf = buf;
        repeats.keyAt = p;
        repeats.keyBytes = keyLength;
      }
    }
    p += keyLength;
  }
  const headerCount = buf.readUInt16LE(p);
  p += 2;
  let headers = NO_HEADERS;
  if (headerCount > 0) {
    const headersAt = p;
    for (let i = 0; i < headerCount; i++) {
      p += 2 + buf.readUInt16LE(p);
      p += 4 + buf.readUInt32LE(p);
    }
    if (repeats && repeats.headers !== null && sameBytes(buf, headersAt, repeats.headersBuf, repeats.headersAt, p - headersAt, repeats.headersBytes)) {
      headers = repeats.headers;
    } else {
      headers = decodeHeaders(buf, headersAt, headerCount);
      if (repeats) {
        repeats.headers = Object.freeze(headers);
        repeats.headersBuf = buf;
        repeats.headersAt = headersAt;
        repeats.headersBytes = p - headersAt;
      }
    }
  }
  const valueLength = buf.readUInt32LE(p);
  p += 4;
  return new FrameRecord(topic, partition, offset, key, headers, timestamp, buf, p, p + valueLength);
}

/**
 * A decoded record whose value stays where it is in its frames' buffer until read: a batch in
 * flight (held until its writes are durable) then keeps one object per record instead of two,
 * and the collector has that much less to copy. Each read of `value` is a fresh view of the same
 * bytes; records are read-only. `value` is an accessor: a copy made by spreading the record
 * (`{ ...record }`) has no value, and none is made in log0.
 */
class FrameRecord implements BusRecord {
  readonly #frames: Buffer;
  readonly #valueStart: number;
  readonly #valueEnd: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly key: string | null,
    readonly headers: Headers,
    readonly timestamp: number,
    frames: Buffer,
    valueStart: number,
    valueEnd: number,
  ) {
    this.#frames = frames;
    this.#valueStart = valueStart;
    this.#valueEnd = valueEnd;
  }

  get value(): Buffer {
    return this.#frames.subarray(this.#valueStart, this.#valueEnd);
  }
}

function decodeHeaders(buf: Buffer, p: number, count: number): Headers {
  const headers: Headers = {};
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(p);
    const name = buf.toString('utf8', p + 2, p + 2 + nameLength);
    p += 2 + nameLength;
    const valueLength = buf.readUInt32LE(p);
    headers[name] = buf.toString('utf8', p + 4, p + 4 + valueLength);
    p += 4 + valueLength;
  }
  return headers;
}

/** What the previous frame of a batch decoded to (decodeFrame's `repeats`). */
export interface RepeatMemo {
  key: string | null;
  keyBuf: Buffer;
  keyAt: number;
  keyBytes: number;
  headers: Headers | null;
  headersBuf: Buffer;
  headersAt: number;
  headersBytes: number;
}

export function newRepeatMemo(): RepeatMemo {
  const none = Buffer.alloc(0);
  return { key: null, keyBuf: none, keyAt: 0, keyBytes: -1, headers: null, headersBuf: none, headersAt: 0, headersBytes: -1 };
}

/** Whether bytes [at, at + n) of a equal bytes [bAt, bAt + bn) of b. */
function sameBytes(a: Buffer, at: number, b: Buffer, bAt: number, n: number, bn: number): boolean {
  if (n !== bn) return false;
  for (let i = 0; i < n; i++) if (a[at + i] !== b[bAt + i]) return false;
  return true;
}
