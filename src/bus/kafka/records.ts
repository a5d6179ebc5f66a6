/**
 * Records in and out of Kafka's wire format: produce records are validated and turned into the
 * library's messages (bytes only: the value is sent exactly as given, no framing); fetched record
 * batches become BusRecords (control batches skipped, offsets before the requested one dropped).
 */
import { NO_HEADERS, type BusRecord, type Headers, type ProduceRecord } from '../port.js';
import { KafkaBusError } from './errors.js';

/** A record ready for the wire, with its partition chosen. */
export interface OutgoingRecord {
  partition: number;
  key: Buffer | undefined;
  value: Buffer;
  headers: Map<Buffer, Buffer> | undefined;
  timestamp: bigint;
  /** Approximate bytes on the wire, for batching. */
  size: number;
}

/** Kafka's default message.timestamp.after.max.ms: records further in the future are refused. */
export const MAX_FUTURE_MS = 60 * 60 * 1000;
const MAX_HEADERS = 1024;

function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * What the previous record of a produce call encoded to. Records of a call mostly share their key
 * (the tenant) and headers object: they then share the encoded Buffer and header Map (the library
 * only reads them), so a call in flight keeps far fewer objects per record for the collector.
 */
export interface PrepareMemo {
  key?: string;
  keyBytes?: Buffer;
  headers?: Headers;
  headerMap?: Map<Buffer, Buffer> | undefined;
  headerBytes?: number;
  timestamp?: number;
  timestampBig?: bigint;
}

/**
 * Validates one record and encodes it. Throws an Error naming the topic and the record's index.
 * A missing key (undefined) is taken as null, like a Kafka producer does.
 */
export function prepareRecord(
  topic: string,
  index: number,
  record: ProduceRecord,
  now: number,
  maxRecordBytes: number,
  choosePartition: (key: string | null) => number,
  memo: PrepareMemo = {},
): OutgoingRecord {
  const where = `kafka bus: produce to "${topic}": record ${index}`;
  if (record === null || typeof record !== 'object') throw new TypeError(`${where} is not an object`);
  const { key, value, headers, timestamp } = record;

  let keyBytes: Buffer | undefined;
  if (key !== null && key !== undefined) {
    if (typeof key !== 'string') throw new TypeError(`${where}: key must be a string or null`);
    if (memo.key !== key) {
      memo.key = key;
      memo.keyBytes = Buffer.from(key, 'utf8');
    }
    keyBytes = memo.keyBytes;
  }

  let valueBytes: Buffer;
  if (typeof value === 'string') valueBytes = Buffer.from(value, 'utf8');
  else if (value instanceof Uint8Array) valueBytes = asBuffer(value);
  else throw new TypeError(`${where}: value must be a Buffer or a string`);

  let headerMap: Map<Buffer, Buffer> | undefined;
  let size = 24 + (keyBytes?.length ?? 0) + valueBytes.length;
  if (headers !== undefined && headers !== null && headers === memo.headers) {
    headerMap = memo.headerMap;
    size += memo.headerBytes!;
  } else if (headers !== undefined && headers !== null) {
    const sizeBefore = size;
    if (typeof headers !== 'object') throw new TypeError(`${where}: headers must be an object of strings`);
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) throw new KafkaBusError(`${where}: more than ${MAX_HEADERS} headers`);
    if (names.length > 0) {
      headerMap = new Map();
      for (const name of names) {
        const headerValue = headers[name];
        if (typeof headerValue !== 'string') throw new TypeError(`${where}: header "${name}" must be a string`);
        const k = Buffer.from(name, 'utf8');
        const v = Buffer.from(headerValue, 'utf8');
        headerMap.set(k, v);
        size += 4 + k.length + v.length;
      }
    }
    memo.headers = headers;
    memo.headerMap = headerMap;
    memo.headerBytes = size - sizeBefore;
  }

  let ts = now;
  if (timestamp !== undefined) {
    if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new TypeError(
        `${where}: timestamp must be a non-negative integer epoch-ms timestamp, got ${String(timestamp)}`,
      );
    }
    if (timestamp > now + MAX_FUTURE_MS) {
      throw new KafkaBusError(`${where}: timestamp ${timestamp} is more than an hour in the future (Kafka refuses it)`);
    }
    ts = timestamp;
  }

  if (size > maxRecordBytes) {
    throw new KafkaBusError(`${where}: ${size} bytes exceeds the maximum record size of ${maxRecordBytes} bytes`);
  }
  if (memo.timestamp !== ts) {
    memo.timestamp = ts;
    memo.timestampBig = BigInt(ts);
  }
  return {
    partition: choosePartition(typeof key === 'string' ? key : null),
    key: keyBytes,
    value: valueBytes,
    headers: headerMap,
    timestamp: memo.timestampBig!,
    size,
  };
}

/** The parts of a fetched record batch this adapter reads (the library's RecordsBatch). */
export interface FetchedBatch {
  firstOffset: bigint;
  lastOffsetDelta: number;
  attributes: number;
  firstTimestamp: bigint;
  maxTimestamp: bigint;
  records: Array<{
    offsetDelta: number;
    timestampDelta: bigint;
    key: Buffer | null;
    value: Buffer | null;
    headers: Array<[Buffer | null, Buffer | null]>;
  }>;
}

const IS_CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;
const EMPTY = Buffer.alloc(0);

/**
 * Turns fetched batches of one partition into BusRecords at or after `from`. Returns the records
 * and the offset after the last batch seen (control batches included), where the next fetch goes.
 */
export function decodeBatches(
  topic: string,
  partition: number,
  batches: FetchedBatch[] | undefined,
  from: number,
): { records: BusRecord[]; next: number } {
  const records: BusRecord[] = [];
  let next = from;
  if (!batches) return { records, next };
  const repeats = new Repeats();
  for (const batch of batches) {
    const first = Number(batch.firstOffset);
    const end = first + batch.lastOffsetDelta + 1;
    if (end > next) next = end;
    if (batch.attributes & IS_CONTROL) continue;
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    for (const record of batch.records) {
      const offset = first + record.offsetDelta;
      if (offset < from) continue;
      records.push({
        topic,
        partition,
        offset,
        key: record.key ? repeats.key(record.key) : null,
        value: record.value ?? EMPTY,
        headers: repeats.headers(record.headers),
        timestamp: Number(appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
      });
    }
  }
  return { records, next };
}

/**
 * Decoded keys and headers of a fetch, reused while the bytes repeat the previous record's: a
 * partition's records mostly share their tenant key and headers, and a batch stays in memory
 * until processed, so one string and one (frozen) headers object per run of records instead of
 * one per record. Records are read-only.
 */
class Repeats {
  private keyBytes: Buffer | null = null;
  private keyText = '';
  private headerPairs: Array<[Buffer | null, Buffer | null]> | null = null;
  private headerObject: Headers = NO_HEADERS;

  key(bytes: Buffer): string {
    if (this.keyBytes === null || !this.keyBytes.equals(bytes)) {
      this.keyBytes = bytes;
      this.keyText = bytes.toString('utf8');
    }
    return this.keyText;
  }

  headers(pairs: Array<[Buffer | null, Buffer | null]>): Headers {
    if (pairs.length === 0) return NO_HEADERS;
    if (this.headerPairs === null || !samePairs(this.headerPairs, pairs)) {
      const headers: Headers = {};
      for (const [name, value] of pairs) {
        if (name) headers[name.toString('utf8')] = value ? value.toString('utf8') : '';
      }
      this.headerPairs = pairs;
      this.headerObject = Object.freeze(headers);
    }
    return this.headerObject;
  }
}

function samePairs(a: Array<[Buffer | null, Buffer | null]>, b: Array<[Buffer | null, Buffer | null]>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!sameBytes(a[i][0], b[i][0]) || !sameBytes(a[i][1], b[i][1])) return false;
  }
  return true;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
