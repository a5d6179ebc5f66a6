/**
 * The fields of Kafka protocol responses this adapter reads. The library's per-version types
 * agree on these across the versions a broker may negotiate, so they are declared once here.
 */

export interface MetadataResponse {
  brokers: Array<{ nodeId: number; host: string; port: number }>;
  topics: Array<{
    errorCode: number;
    name: string | null;
    topicId: string;
    partitions: Array<{ errorCode: number; partitionIndex: number; leaderId: number; leaderEpoch: number }>;
  }>;
}

export interface FindCoordinatorResponse {
  coordinators: Array<{ key: string; nodeId: number; host: string; port: number; errorCode: number }>;
}

export interface JoinGroupResponse {
  generationId: number;
  protocolName: string | null;
  leader: string;
  memberId: string | null;
  members: Array<{ memberId: string; metadata: Buffer | null }>;
}

export interface SyncGroupResponse {
  assignment: Buffer;
}

export interface OffsetFetchResponse {
  groups: Array<{
    groupId: string;
    errorCode: number;
    topics: Array<{
      name: string;
      partitions: Array<{ partitionIndex: number; committedOffset: bigint; errorCode: number }>;
    }>;
  }>;
}

export interface ListOffsetsResponse {
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; errorCode: number; timestamp: bigint; offset: bigint }>;
  }>;
}
