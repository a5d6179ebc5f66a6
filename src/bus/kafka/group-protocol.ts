/**
 * Kafka's classic consumer-group protocol payloads (ConsumerProtocolSubscription and
 * ConsumerProtocolAssignment, as every Kafka client encodes them) and the "range" assignor the
 * group leader runs. Pure functions: no I/O.
 *
 * Any member may be the leader, including a Java or librdkafka consumer using "range": they all
 * read these payloads, so groups may mix clients.
 */

export const ASSIGNOR = 'range';

const EMPTY = Buffer.alloc(0);

export interface Subscription {
  topics: string[];
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

class ByteWriter {
  private readonly chunks: Buffer[] = [];

  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.chunks.push(b);
    return this;
  }

  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.chunks.push(b);
    return this;
  }

  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }

  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.chunks.push(b);
    return this;
  }

  array<T>(items: readonly T[], each: (item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(item);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

class ByteReader {
  private position = 0;

  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.position;
  }

  private need(n: number): void {
    if (this.remaining < n) throw new Error(`truncated group protocol payload (need ${n} bytes at ${this.position})`);
  }

  int16(): number {
    this.need(2);
    const n = this.buffer.readInt16BE(this.position);
    this.position += 2;
    return n;
  }

  int32(): number {
    this.need(4);
    const n = this.buffer.readInt32BE(this.position);
    this.position += 4;
    return n;
  }

  string(): string {
    const length = this.int16();
    if (length < 0) throw new Error('null string in group protocol payload');
    this.need(length);
    const s = this.buffer.toString('utf8', this.position, this.position + length);
    this.position += length;
    return s;
  }

  array<T>(each: () => T): T[] {
    const count = this.int32();
    if (count < 0) return [];
    if (count > this.remaining) throw new Error(`bad array length ${count} in group protocol payload`);
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(each());
    return out;
  }
}

/** ConsumerProtocolSubscription v0: version, topics, user data (none). */
export function encodeSubscription(subscription: Subscription): Buffer {
  const writer = new ByteWriter().int16(0);
  writer.array([...new Set(subscription.topics)].sort(), (topic) => writer.string(topic));
  return writer.bytes(EMPTY).build(); // empty user data (some readers cannot take a null one)
}

/**
 * Decodes any version of ConsumerProtocolSubscription: the topics come first in all of them;
 * later fields (owned partitions, generation, rack) are ignored.
 */
export function decodeSubscription(buffer: Buffer | null): Subscription {
  if (!buffer || buffer.length === 0) return { topics: [] };
  const reader = new ByteReader(buffer);
  reader.int16(); // version
  return { topics: reader.array(() => reader.string()) };
}

/** ConsumerProtocolAssignment v0: version, partitions per topic, user data (none). */
export function encodeAssignment(assignment: TopicPartitions[]): Buffer {
  const writer = new ByteWriter().int16(0);
  writer.array(assignment, (tp) => {
    writer.string(tp.topic);
    writer.array(tp.partitions, (p) => writer.int32(p));
  });
  return writer.bytes(EMPTY).build(); // empty user data (some readers cannot take a null one)
}

/** Decodes any version of ConsumerProtocolAssignment; an empty payload means no partitions. */
export function decodeAssignment(buffer: Buffer | null): TopicPartitions[] {
  if (!buffer || buffer.length < 2) return [];
  const reader = new ByteReader(buffer);
  reader.int16(); // version
  if (reader.remaining < 4) return [];
  return reader.array(() => {
    const topic = reader.string();
    const partitions = reader.array(() => reader.int32());
    return { topic, partitions };
  });
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members sorted by id take contiguous ranges of
 * partitions, the first (partitions % members) of them one more. Every member gets an entry.
 */
export function rangeAssign(
  members: ReadonlyArray<{ memberId: string; topics: readonly string[] }>,
  partitionCount: (topic: string) => number,
): Map<string, TopicPartitions[]> {
  const result = new Map<string, TopicPartitions[]>();
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const m of sorted) result.set(m.memberId, []);
  const topics = [...new Set(sorted.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCount(topic);
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    if (count <= 0 || subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((member, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length === 0) return;
      const partitions = Array.from({ length }, (_, k) => start + k);
      result.get(member.memberId)!.push({ topic, partitions });
    });
  }
  return result;
}
