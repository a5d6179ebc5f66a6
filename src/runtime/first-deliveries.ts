/**
 * Which delivered records a consumer knows it is given for the first time ever — by any member of
 * its group, in any run — so that work done for them cannot have been done before.
 *
 * Per assigned partition, records from `firstFrom` on are first deliveries:
 *  - at assignment, firstFrom is the partition's log end offset. A member before (a crashed run, a
 *    member that had the partition) can only have been given records below the log end it saw,
 *    which is at most today's, so nothing at or past today's end was ever delivered;
 *  - once a batch ending at offset X was handled (or failed), firstFrom moves past X: the same
 *    records delivered again (a batch retried, records redelivered one by one, a seek back) lie
 *    below it.
 * An unknown partition (its log end could not be read) has no first deliveries. Batches of one
 * partition are in offset order, so a batch's first deliveries are always a suffix of it.
 *
 * Offsets say nothing about content: a record delivered for the first time may still carry an
 * event an upstream stage published before (at-least-once upstream). Consumers combine this with
 * what upstream says of its own records (see HEADER.firstNormalization in contracts/topics.ts).
 */
import type { Bus, ConsumeOptions } from '../bus/port.js';

export class FirstDeliveries {
  private readonly firstFrom = new Map<number, number>();

  /** The partition is (re)assigned and its log end offset is `logEnd`. */
  assigned(partition: number, logEnd: number): void {
    this.firstFrom.set(partition, logEnd);
  }

  revoked(partition: number): void {
    this.firstFrom.delete(partition);
  }

  /** Index of the first record of an offset-ordered batch of `partition` delivered for the first time (offsets.length if none). */
  firstIndex(partition: number, offsets: readonly number[]): number {
    const from = this.firstFrom.get(partition);
    if (from === undefined) return offsets.length;
    let i = offsets.length;
    while (i > 0 && offsets[i - 1] >= from) i--;
    return i;
  }

  /** Records of `partition` up to `lastOffset` were handled (or failed): a later delivery of them is a redelivery. */
  handled(partition: number, lastOffset: number): void {
    const from = this.firstFrom.get(partition);
    if (from !== undefined && lastOffset >= from) this.firstFrom.set(partition, lastOffset + 1);
  }
}

/**
 * A consumer's FirstDeliveries kept up to date by its assignment callbacks: the log end of each
 * partition of `topic` assigned to it is read when it is assigned. If that read fails, `onUnknown`
 * is told and those partitions have no first deliveries (costs speed, never correctness).
 */
export function trackFirstDeliveries(
  bus: Pick<Bus, 'partitionBounds'>,
  topic: string,
  onUnknown: (err: unknown, partitions: number[]) => void,
): { deliveries: FirstDeliveries } & Required<Pick<ConsumeOptions, 'onAssigned' | 'onRevoked'>> {
  const deliveries = new FirstDeliveries();
  return {
    deliveries,
    onAssigned: async (assigned) => {
      const mine = assigned.filter((a) => a.topic === topic).map((a) => a.partition);
      try {
        const ends = await Promise.all(mine.map((partition) => bus.partitionBounds(topic, partition)));
        mine.forEach((partition, i) => deliveries.assigned(partition, ends[i].latest));
      } catch (err) {
        onUnknown(err, mine);
      }
    },
    onRevoked: async (revoked) => {
      for (const r of revoked) if (r.topic === topic) deliveries.revoked(r.partition);
    },
  };
}
