/**
 * Input checks for the embedded bus. Bad input is rejected with an Error that names what is wrong
 * (topic, partition, record index), never allowed to corrupt a file or crash the process.
 */
import { NO_HEADERS, type Headers, type ProduceRecord, type TopicSpec } from '../port.js';
import { frameSize, MAX_HEADER_COUNT, MAX_HEADER_NAME_BYTES, type PreparedRecord } from './record-codec.js';

/** Topic names become directory names, so they are restricted like Kafka's: [A-Za-z0-9._-], ≤ 200 chars. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,200}$/;

export function validateTopicSpec(spec: TopicSpec): void {
  if (spec === null || typeof spec !== 'object') throw new TypeError('embedded bus: a topic spec must be an object');
  const { name, partitions, retentionMs, retentionBytes } = spec;
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new Error(`embedded bus: invalid topic name ${JSON.stringify(name)} (allowed: 1-200 of [A-Za-z0-9._-])`);
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new Error(`embedded bus: topic "${name}": partitions must be an integer in 1..10000, got ${partitions}`);
  }
  if (retentionMs !== undefined && !(Number.isSafeInteger(retentionMs) && retentionMs > 0)) {
    throw new Error(`embedded bus: topic "${name}": retentionMs must be a positive integer, got ${retentionMs}`);
  }
  if (retentionBytes !== undefined && !(Number.isSafeInteger(retentionBytes) && retentionBytes > 0)) {
    throw new Error(`embedded bus: topic "${name}": retentionBytes must be a positive integer, got ${retentionBytes}`);
  }
}

export function validateGroupId(groupId: unknown): asserts groupId is string {
  if (typeof groupId !== 'string' || groupId.length === 0 || groupId.length > 255) {
    throw new Error(`embedded bus: invalid consumer group id ${JSON.stringify(groupId)} (1-255 characters)`);
  }
}

export function validateOffset(what: string, value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new Error(`embedded bus: ${what} must be a non-negative integer, got ${String(value)}`);
  }
}

export function validateTimestamp(what: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new Error(`embedded bus: ${what} must be an integer epoch-ms timestamp, got ${String(value)}`);
  }
}

/**
 * Validates one record and measures its frame. Throws an Error naming the record's index.
 * A missing key (undefined) is taken as null, like a Kafka producer does.
 */
export function prepareRecord(
  topic: string,
  index: number,
  record: ProduceRecord,
  defaultTimestamp: number,
  maxRecordBytes: number,
): PreparedRecord {
  const where = `embedded bus: produce to "${topic}": record ${index}`;
  if (record === null || typeof record !== 'object') throw new TypeError(`${where} is not an object`);
  const { key, value, headers, timestamp } = record;

  let keyBytes = 0;
  if (key !== null && key !== undefined) {
    if (typeof key !== 'string') throw new TypeError(`${where}: key must be a string or null`);
    keyBytes = Buffer.byteLength(key);
  }

  let valueBytes: number;
  if (typeof value === 'string') valueBytes = Buffer.byteLength(value);
  else if (value instanceof Uint8Array) valueBytes = value.length;
  else throw new TypeError(`${where}: value must be a Buffer or a string`);

  let copiedHeaders: Headers = NO_HEADERS;
  let headerBytes = 0;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object') throw new TypeError(`${where}: headers must be an object of strings`);
    const names = Object.keys(headers);
    if (names.length > MAX_HEADER_COUNT) throw new Error(`${where}: more than ${MAX_HEADER_COUNT} headers`);
    if (names.length > 0) {
      copiedHeaders = {};
      for (const name of names) {
        const headerValue = headers[name];
        if (typeof headerValue !== 'string') throw new TypeError(`${where}: header "${name}" must be a string`);
        const nameBytes = Buffer.byteLength(name);
        if (nameBytes > MAX_HEADER_NAME_BYTES) throw new Error(`${where}: header name too long`);
        copiedHeaders[name] = headerValue;
        headerBytes += 2 + nameBytes + 4 + Buffer.byteLength(headerValue);
      }
    }
  }

  let ts = defaultTimestamp;
  if (timestamp !== undefined) {
    validateTimestamp(`produce to "${topic}": record ${index}: timestamp`, timestamp);
    ts = timestamp;
  }

  const size = frameSize(keyBytes, headerBytes, valueBytes);
  if (size > maxRecordBytes) {
    throw new Error(`${where}: ${size} bytes exceeds the maximum record size of ${maxRecordBytes} bytes`);
  }
  return { key: typeof key === 'string' ? key : null, value, headers: copiedHeaders, timestamp: ts, size };
}
