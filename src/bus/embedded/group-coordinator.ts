/**
 * Membership and rebalancing of one consumer group inside this process.
 *
 * Joins, leaves and shutdown are serialized. A rebalance first revokes the partitions that move
 * (each owner finishes and commits its in-flight batch, then onRevoked runs) and only then assigns
 * them to their new owners, so a partition is never delivered to two members at once. Partitions
 * that do not move keep flowing throughout.
 */
import { assignPartitions, type TopicPartition } from './assignment.js';
import { type GroupMember, partitionKey } from './group-member.js';

export class GroupCoordinator {
  private readonly members = new Map<number, GroupMember>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly groupId: string,
    private readonly partitionCount: (topic: string) => number,
  ) {}

  /** Adds the member and rebalances; resolves once its first assignment has started. */
  join(member: GroupMember): Promise<void> {
    return this.serialize(async () => {
      this.members.set(member.id, member);
      await this.rebalance();
    });
  }

  /** Revokes everything the member owns, removes it and hands its partitions to the others. */
  leave(member: GroupMember): Promise<void> {
    member.requestStop();
    return this.serialize(async () => {
      if (!this.members.has(member.id)) return;
      await member.revoke(member.ownedPartitions());
      this.members.delete(member.id);
      await this.rebalance();
    });
  }

  /** Stops every member without reassigning anything (bus close). */
  shutdown(): Promise<void> {
    for (const member of this.members.values()) member.requestStop();
    return this.serialize(async () => {
      await Promise.all([...this.members.values()].map((m) => m.revoke(m.ownedPartitions())));
      this.members.clear();
    });
  }

  /** Repositions whichever member owns each partition of the topic (offsets indexed by partition). */
  seek(topic: string, offsets: readonly number[]): void {
    for (const member of this.members.values()) {
      for (let partition = 0; partition < offsets.length; partition++)
        member.seek(topic, partition, offsets[partition]);
    }
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rebalance(): Promise<void> {
    const all = [...this.members.values()];
    const active = all.filter((m) => !m.stopping);
    const owners = new Map<string, number>();
    for (const member of all) {
      for (const tp of member.ownedPartitions()) owners.set(partitionKey(tp.topic, tp.partition), member.id);
    }
    const plan = assignPartitions({
      members: active.map((m) => ({ id: m.id, topics: m.topics })),
      partitionCount: this.partitionCount,
      currentOwner: (topic, partition) => owners.get(partitionKey(topic, partition)),
    });

    await Promise.all(
      all.map((member) => {
        const target = new Set((plan.get(member.id) ?? []).map((tp) => partitionKey(tp.topic, tp.partition)));
        return member.revoke(
          member.ownedPartitions().filter((tp) => !target.has(partitionKey(tp.topic, tp.partition))),
        );
      }),
    );
    await Promise.all(
      active.map((member) => {
        const additions: TopicPartition[] = (plan.get(member.id) ?? []).filter(
          (tp) => !member.owns(tp.topic, tp.partition),
        );
        return member.assign(additions);
      }),
    );
  }
}
