/**
 * Window snapshots: a partition's WindowCounter saved with the offset it stands at, so a restart
 * or a partition coming back replays only the records after it instead of a whole window + grace
 * + clock skew of the topic (recovery.ts). Saved by the clustering service every
 * snapshotIntervalMs while counting, and when a partition is revoked or the service stops, each
 * time with no incident event pending, so every event the state implies was published.
 *
 * Snapshots are taken where the partition's commits stand: while counting, before a batch is
 * counted (everything before it was handled and its commit made or under way); on revocation and
 * stop, after the last commit.
 *
 * A loaded snapshot is used only if it fits; otherwise recovery replays as without one:
 *  - same topic, partition and counting settings (window, threshold, grace, continuation, ids);
 *  - its offset is within [replay start, committed offset]: one ahead of the committed offset is
 *    not used, so a group rewound on purpose (a seek, an offset reset) counts its records again
 *    as it did without snapshots; a commit lost in a crash costs only the replay;
 *  - the record before its offset is still on the bus, with the timestamp and the SHA-256 of its
 *    value that the snapshot noted (a recreated topic or a wiped bus has other records there);
 *  - it parses and matches SNAPSHOT_SCHEMA (a damaged file is reported and ignored).
 */
import { createHash } from 'node:crypto';
import { Ajv, type JSONSchemaType, type ValidateFunction } from 'ajv';
import type { BusRecord } from '../../bus/port.js';
import { issuesOf } from '../../contracts/validators.js';
import { DEFAULT_CONTINUATION_WINDOWS, DEFAULT_RECENT_EVENT_IDS, MAX_TOP_MESSAGES, type WindowCounterOptions, type WindowCounterState } from './windows.js';

export const SNAPSHOT_VERSION = 1;

/** What must match for a counter's state to mean the same thing. */
export interface CountingSettings {
  windowMs: number;
  threshold: number;
  graceMs: number;
  continuationMs: number;
  recentEventIds: number;
}

export interface PartitionSnapshot {
  version: number;
  topic: string;
  partition: number;
  /** Records below this offset are counted in `counter`. */
  offset: number;
  /** The record at offset − 1. */
  lastRecord: RecordMark;
  settings: CountingSettings;
  savedAt: string;
  counter: WindowCounterState;
}

/** What tells a record apart from another at the same offset: its bus timestamp and the SHA-256 of its value. */
export interface RecordMark {
  timestamp: number;
  sha256: string;
}

export function markOf(record: Pick<BusRecord, 'timestamp' | 'value'>): RecordMark {
  return { timestamp: record.timestamp, sha256: createHash('sha256').update(record.value).digest('hex') };
}

export function countingSettings(options: WindowCounterOptions): CountingSettings {
  return {
    windowMs: options.windowMs,
    threshold: options.threshold,
    graceMs: options.graceMs,
    continuationMs: options.continuationMs ?? DEFAULT_CONTINUATION_WINDOWS * options.windowMs,
    recentEventIds: options.recentEventIds ?? DEFAULT_RECENT_EVENT_IDS,
  };
}

/** The snapshot's name in the SnapshotStore. */
export function snapshotName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

const integer = { type: 'integer' } as const;
const text = { type: 'string' } as const;

const SNAPSHOT_SCHEMA: JSONSchemaType<PartitionSnapshot> = {
  type: 'object',
  required: ['version', 'topic', 'partition', 'offset', 'lastRecord', 'settings', 'savedAt', 'counter'],
  properties: {
    version: { type: 'integer', const: SNAPSHOT_VERSION },
    topic: text,
    partition: { type: 'integer', minimum: 0 },
    offset: { type: 'integer', minimum: 1 },
    lastRecord: {
      type: 'object',
      required: ['timestamp', 'sha256'],
      properties: { timestamp: integer, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    },
    savedAt: text,
    settings: {
      type: 'object',
      required: ['windowMs', 'threshold', 'graceMs', 'continuationMs', 'recentEventIds'],
      properties: { windowMs: integer, threshold: integer, graceMs: integer, continuationMs: integer, recentEventIds: integer },
    },
    counter: {
      type: 'object',
      required: ['windows', 'hot', 'recentEventIds'],
      properties: {
        clock: { type: 'number', nullable: true },
        nextHotSweep: { type: 'number', nullable: true },
        windows: {
          type: 'array',
          items: {
            type: 'object',
            required: [
              'start',
              'tenantId',
              'fingerprint',
              'serviceName',
              'environment',
              'count',
              'firstSeenAt',
              'lastSeenAt',
              'severityRank',
              'topMessages',
              'reportedCount',
            ],
            properties: {
              start: integer,
              tenantId: text,
              fingerprint: text,
              serviceName: text,
              environment: text,
              count: { type: 'integer', minimum: 1 },
              firstSeenAt: { type: 'number' },
              lastSeenAt: { type: 'number' },
              severityRank: { type: 'integer', minimum: 1, maximum: 3 },
              topMessages: { type: 'array', items: text, minItems: 1, maxItems: MAX_TOP_MESSAGES },
              reportedCount: { type: 'integer', minimum: 0 },
            },
          },
        },
        hot: {
          type: 'array',
          items: { type: 'array', minItems: 2, maxItems: 2, items: [text, { type: 'number' }] },
        },
        recentEventIds: { type: 'array', items: text },
      },
    },
  },
};

let validate: ValidateFunction<PartitionSnapshot> | undefined;

/** Parses a saved snapshot; throws an Error saying what is wrong with it. */
export function decodeSnapshot(saved: string): PartitionSnapshot {
  validate ??= new Ajv({ allErrors: false, strict: false }).compile(SNAPSHOT_SCHEMA);
  let value: unknown;
  try {
    value = JSON.parse(saved);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  if (!validate(value)) {
    const [issue] = issuesOf(validate.errors);
    throw new Error(`not a window snapshot of version ${SNAPSHOT_VERSION}: ${issue ? `${issue.field} ${issue.message}` : 'invalid'}`);
  }
  return value;
}

export function encodeSnapshot(snapshot: PartitionSnapshot): string {
  return JSON.stringify(snapshot);
}

/** Why `snapshot` cannot stand for this partition's windows with these settings, or undefined if it can. */
export function settingsMismatch(snapshot: PartitionSnapshot, topic: string, partition: number, settings: CountingSettings): string | undefined {
  if (snapshot.topic !== topic || snapshot.partition !== partition) return `it is of ${snapshot.topic}/${snapshot.partition}`;
  for (const key of Object.keys(settings) as Array<keyof CountingSettings>) {
    if (snapshot.settings[key] !== settings[key]) return `it was counted with ${key} ${snapshot.settings[key]}, now ${settings[key]}`;
  }
  return undefined;
}
