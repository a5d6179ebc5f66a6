/**
 * Partition assignment for an in-process consumer group: balanced per topic (member counts differ
 * by at most one) and sticky (a partition stays with its current owner whenever balance allows),
 * because moving a partition costs its consumer an onRevoked/onAssigned round and a state rebuild.
 * Deterministic: ties go to the lowest member id.
 */

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface AssignmentInput {
  /** Members taking part, with the topics each subscribes to. */
  members: Array<{ id: number; topics: readonly string[] }>;
  partitionCount: (topic: string) => number;
  /** Current owner of a partition, if any. */
  currentOwner: (topic: string, partition: number) => number | undefined;
}

/** Member id → the partitions it should own. Every member of the input gets an entry. */
export function assignPartitions(input: AssignmentInput): Map<number, TopicPartition[]> {
  const result = new Map<number, TopicPartition[]>();
  const members = [...input.members].sort((a, b) => a.id - b.id);
  for (const member of members) result.set(member.id, []);
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const subscribers = members.filter((m) => m.topics.includes(topic)).map((m) => m.id);
    const owned = assignTopic(input.partitionCount(topic), subscribers, (p) => input.currentOwner(topic, p));
    for (const [memberId, partitions] of owned) {
      for (const partition of partitions) result.get(memberId)!.push({ topic, partition });
    }
  }
  return result;
}

function assignTopic(
  partitions: number,
  subscribers: number[],
  currentOwner: (partition: number) => number | undefined,
): Map<number, number[]> {
  const owned = new Map<number, number[]>(subscribers.map((id) => [id, []]));
  const base = Math.floor(partitions / subscribers.length);
  let extra = partitions % subscribers.length; // this many members get base + 1
  const overQuota: number[] = [];
  const free: number[] = [];

  // 1. Owners keep up to `base` of their partitions.
  for (let p = 0; p < partitions; p++) {
    const owner = currentOwner(p);
    const list = owner === undefined ? undefined : owned.get(owner);
    if (!list) free.push(p);
    else if (list.length < base) list.push(p);
    else overQuota.push(p);
  }
  // 2. Owners keep one more while extra slots remain.
  for (const p of overQuota) {
    const list = owned.get(currentOwner(p)!)!;
    if (extra > 0 && list.length === base) {
      list.push(p);
      extra--;
    } else free.push(p);
  }
  // 3. The rest go to members below their quota, lowest id first.
  free.sort((a, b) => a - b);
  for (const p of free) {
    let target = subscribers.find((id) => owned.get(id)!.length < base);
    if (target === undefined) {
      target = subscribers.find((id) => owned.get(id)!.length === base)!;
      extra--;
    }
    owned.get(target)!.push(p);
  }
  for (const list of owned.values()) list.sort((a, b) => a - b);
  return owned;
}
