/**
 * Offsets outside any member: log bounds and time lookups (ListOffsets), and a group's committed
 * offsets read or altered through the admin client (OffsetFetch / OffsetCommit as a non-member).
 */
import type { Admin } from '@platformatic/kafka';
import { busError, withTimeout } from './errors.js';
import type { ResolvedKafkaOptions } from './options.js';

/** ListOffsets' special timestamps. */
export const LATEST = -1n;
export const EARLIEST = -2n;

export class OffsetsApi {
  constructor(
    private readonly admin: Admin,
    private readonly options: ResolvedKafkaOptions,
  ) {}

  /**
   * ListOffsets for partitions of one topic at one timestamp (or LATEST / EARLIEST): the offset
   * of the first record with timestamp ≥ ts, or -1 when there is none.
   */
  async list(topic: string, partitions: number[], timestamp: bigint): Promise<number[]> {
    if (partitions.length === 0) return [];
    const what = `listing offsets of "${topic}"`;
    try {
      const result = await withTimeout(
        this.admin.listOffsets({
          topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
          isolationLevel: 0,
        }),
        this.options.requestTimeoutMs,
        what,
      );
      const byPartition = new Map<number, number>();
      for (const t of result) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) byPartition.set(p.partitionIndex, Number(p.offset));
      }
      return partitions.map((p) => {
        const offset = byPartition.get(p);
        if (offset === undefined) throw new Error(`no offset returned for partition ${p}`);
        return offset;
      });
    } catch (err) {
      throw busError(what, err);
    }
  }

  latest(topic: string, partitions: number[]): Promise<number[]> {
    return this.list(topic, partitions, LATEST);
  }

  earliest(topic: string, partitions: number[]): Promise<number[]> {
    return this.list(topic, partitions, EARLIEST);
  }

  /** First offset with timestamp ≥ ts per partition, or the log end where no record is that recent. */
  async forTimestamp(topic: string, partitions: number[], timestamp: number): Promise<number[]> {
    // Negative timestamps are ListOffsets' special values; every record's time is ≥ 0 anyway.
    const ts = BigInt(Math.max(0, timestamp));
    const [found, latest] = await Promise.all([this.list(topic, partitions, ts), this.latest(topic, partitions)]);
    return found.map((offset, i) => (offset < 0 ? latest[i] : Math.min(offset, latest[i])));
  }

  /** Committed offsets of a group on partitions of a topic; -1 where it never committed. */
  async committed(groupId: string, topic: string, partitions: number[]): Promise<number[]> {
    const what = `reading committed offsets of group "${groupId}" on "${topic}"`;
    try {
      const groups = await withTimeout(
        this.admin.listConsumerGroupOffsets({
          groups: [{ groupId, topics: [{ name: topic, partitionIndexes: partitions }] }],
          requireStable: true,
        }),
        this.options.requestTimeoutMs,
        what,
      );
      const byPartition = new Map<number, number>();
      for (const group of groups) {
        if (group.groupId !== groupId) continue;
        for (const t of group.topics) {
          if (t.name !== topic) continue;
          for (const p of t.partitions) byPartition.set(p.partitionIndex, Number(p.committedOffset));
        }
      }
      return partitions.map((p) => byPartition.get(p) ?? -1);
    } catch (err) {
      throw busError(what, err);
    }
  }

  /** Commits offsets for a group that has no active member (Kafka refuses it otherwise). */
  async alterCommitted(
    groupId: string,
    topic: string,
    offsets: Array<{ partition: number; offset: number }>,
  ): Promise<void> {
    const what = `moving the offsets of group "${groupId}" on "${topic}"`;
    try {
      await withTimeout(
        this.admin.alterConsumerGroupOffsets({
          groupId,
          topics: [
            {
              name: topic,
              partitionOffsets: offsets.map((o) => ({ partition: o.partition, offset: BigInt(o.offset) })),
            },
          ],
        }),
        this.options.requestTimeoutMs,
        what,
      );
    } catch (err) {
      throw busError(what, err);
    }
  }

  /** Ids of the group's current members (empty when the group is empty or unknown). */
  async members(groupId: string): Promise<string[]> {
    const what = `describing group "${groupId}"`;
    try {
      const groups = await withTimeout(
        this.admin.describeGroups({ groups: [groupId] }),
        this.options.requestTimeoutMs,
        what,
      );
      const group = groups.get(groupId);
      return group ? [...group.members.keys()] : [];
    } catch (err) {
      throw busError(what, err);
    }
  }
}
