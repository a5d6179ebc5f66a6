/**
 * One member's conversation with its group coordinator (Kafka's classic group protocol):
 * FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetFetch.
 * Requests only; when to send them is GroupMember's business.
 *
 * JoinGroup and SyncGroup block on the broker until every member rejoined (up to the rebalance
 * timeout), so they travel on their own connection with a long request timeout; heartbeats and
 * commits use another connection with a short one.
 */
import type { Broker, Consumer } from '@platformatic/kafka';
import { callApi } from './clients.js';
import { COORDINATOR_MOVED, errorResponse, hasProtocolError, isTransientKafkaError } from './errors.js';
import { ASSIGNOR, decodeSubscription, encodeSubscription, type TopicPartitions } from './group-protocol.js';
import { encodeAssignment } from './group-protocol.js';
import type { ResolvedKafkaOptions } from './options.js';
import type {
  FindCoordinatorResponse,
  JoinGroupResponse,
  OffsetFetchResponse,
  SyncGroupResponse,
} from './wire-types.js';

const GROUP_KEY_TYPE = 0;
const PROTOCOL_TYPE = 'consumer';

export interface JoinResult {
  generationId: number;
  leader: boolean;
  /** Every member's subscription; only the leader receives them. */
  members: Array<{ memberId: string; topics: string[] }>;
}

export class GroupSession {
  /** Assigned by the coordinator on the first JoinGroup; '' until then or after being removed. */
  memberId = '';
  generationId = -1;
  private protocolName: string | null = null;
  private coordinator: Broker | null = null;

  constructor(
    readonly groupId: string,
    /** Connection for JoinGroup/SyncGroup (long request timeout). */
    private readonly joinClient: Consumer,
    /** Connection for everything else. */
    private readonly client: Consumer,
    private readonly options: ResolvedKafkaOptions,
  ) {}

  /** Forgets the member id and generation (after the coordinator no longer knows them). */
  resetMembership(): void {
    this.memberId = '';
    this.generationId = -1;
  }

  async findCoordinator(): Promise<Broker> {
    if (this.coordinator) return this.coordinator;
    const response = await callApi<FindCoordinatorResponse>(
      this.client,
      'FindCoordinator',
      'bootstrap',
      GROUP_KEY_TYPE,
      [this.groupId],
    );
    const found = response.coordinators.find((c) => c.key === this.groupId) ?? response.coordinators[0];
    if (!found || found.errorCode !== 0 || found.nodeId < 0) {
      throw Object.assign(new Error(`no coordinator for group "${this.groupId}" yet`), {
        apiId: 'COORDINATOR_NOT_AVAILABLE',
      });
    }
    this.coordinator = { host: found.host, port: found.port };
    return this.coordinator;
  }

  /** Runs a request against the coordinator; forgets the coordinator when it moved or is unreachable. */
  private async withCoordinator<T>(request: (coordinator: Broker) => Promise<T>): Promise<T> {
    const coordinator = await this.findCoordinator();
    try {
      return await request(coordinator);
    } catch (err) {
      if (hasProtocolError(err, COORDINATOR_MOVED) || isTransientKafkaError(err)) this.coordinator = null;
      throw err;
    }
  }

  /**
   * JoinGroup, answering the coordinator's MEMBER_ID_REQUIRED by joining again with the id it gave.
   * Resolves once the rebalance completed (all members rejoined); rejects with the protocol error.
   */
  async join(topics: readonly string[]): Promise<JoinResult> {
    const protocols = [{ name: ASSIGNOR, metadata: encodeSubscription({ topics: [...topics] }) }];
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.withCoordinator((coordinator) =>
          callApi<JoinGroupResponse>(
            this.joinClient,
            'JoinGroup',
            coordinator,
            this.groupId,
            this.options.sessionTimeoutMs,
            this.options.rebalanceTimeoutMs,
            this.memberId,
            null,
            PROTOCOL_TYPE,
            protocols,
            null,
          ),
        );
        this.memberId = response.memberId ?? this.memberId;
        this.generationId = response.generationId;
        this.protocolName = response.protocolName ?? ASSIGNOR;
        const leader = response.leader === this.memberId;
        return {
          generationId: response.generationId,
          leader,
          members: leader
            ? response.members.map((m) => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }))
            : [],
        };
      } catch (err) {
        if (attempt < 3 && hasProtocolError(err, 'MEMBER_ID_REQUIRED')) {
          const given = errorResponse<JoinGroupResponse>(err)?.memberId;
          if (given) this.memberId = given;
          continue;
        }
        if (hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) this.resetMembership();
        throw err;
      }
    }
  }

  /** SyncGroup: the leader hands in every member's assignment; everyone gets their own back. */
  async sync(assignments: Map<string, TopicPartitions[]> | null): Promise<Buffer> {
    const payload = assignments
      ? [...assignments].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment(tps) }))
      : [];
    const response = await this.withCoordinator((coordinator) =>
      callApi<SyncGroupResponse>(
        this.joinClient,
        'SyncGroup',
        coordinator,
        this.groupId,
        this.generationId,
        this.memberId,
        null,
        PROTOCOL_TYPE,
        this.protocolName,
        payload,
      ),
    );
    return response.assignment;
  }

  heartbeat(): Promise<void> {
    const { generationId, memberId } = this;
    return this.withCoordinator(async (coordinator) => {
      await callApi(this.client, 'Heartbeat', coordinator, this.groupId, generationId, memberId, null);
    });
  }

  /** LeaveGroup, so the others rebalance at once instead of after the session timeout. */
  async leave(): Promise<void> {
    if (!this.memberId) return;
    const memberId = this.memberId;
    try {
      await this.withCoordinator(async (coordinator) => {
        await callApi(this.client, 'LeaveGroup', coordinator, this.groupId, [
          { memberId, groupInstanceId: null, reason: 'consumer stopped' },
        ]);
      });
    } catch (err) {
      if (!hasProtocolError(err, 'UNKNOWN_MEMBER_ID')) throw err;
    } finally {
      this.resetMembership();
    }
  }

  /** OffsetCommit under this member's generation. */
  commit(offsets: ReadonlyArray<{ topic: string; partition: number; offset: number }>): Promise<void> {
    const byTopic = new Map<
      string,
      Array<{ partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; committedMetadata: null }>
    >();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({
        partitionIndex: o.partition,
        committedOffset: BigInt(o.offset),
        committedLeaderEpoch: -1,
        committedMetadata: null,
      });
      byTopic.set(o.topic, list);
    }
    const topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    const { generationId, memberId } = this;
    return this.withCoordinator(async (coordinator) => {
      await callApi(this.client, 'OffsetCommit', coordinator, this.groupId, generationId, memberId, null, topics);
    });
  }

  /** The group's committed offsets on partitions of a topic; -1 where none. */
  async committed(topic: string, partitions: number[]): Promise<number[]> {
    const response = await this.withCoordinator((coordinator) =>
      callApi<OffsetFetchResponse>(
        this.client,
        'OffsetFetch',
        coordinator,
        [
          {
            groupId: this.groupId,
            memberId: null,
            memberEpoch: -1,
            topics: [{ name: topic, partitionIndexes: partitions }],
          },
        ],
        true,
      ),
    );
    const byPartition = new Map<number, number>();
    for (const group of response.groups) {
      for (const t of group.topics) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) byPartition.set(p.partitionIndex, Number(p.committedOffset));
      }
    }
    return partitions.map((p) => byPartition.get(p) ?? -1);
  }
}
