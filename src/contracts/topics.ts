/**
 * The pipeline's topics, derived from the AsyncAPI channels: names, the message each carries
 * and the field whose value is the record key.
 */
import { topicContracts, type TopicContract } from './source.js';

export const TOPIC = {
  rawLogs: 'raw-logs',
  normalizedLogs: 'normalized-logs',
  incidentEvents: 'incident-events',
  notificationEvents: 'notification-events',
  dlq: 'raw-logs-dlq',
} as const;

export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];

/** The contract of a topic; throws if the AsyncAPI document does not declare it. */
export function topicContract(topic: TopicName): TopicContract {
  const found = topicContracts().find((t) => t.topic === topic);
  if (!found) throw new Error(`contract: asyncapi.yaml has no channel for topic ${topic}`);
  return found;
}

const keyFields = new Map<TopicName, string>();

/** Record key of a message on its topic (the key field's value, per the contract). */
export function recordKey(topic: TopicName, message: object): string {
  let field = keyFields.get(topic);
  if (field === undefined) keyFields.set(topic, (field = topicContract(topic).keyField));
  const key = (message as Record<string, unknown>)[field];
  if (typeof key !== 'string' || key === '') throw new Error(`${topic}: message has no ${field} to key by`);
  return key;
}

/**
 * Record headers log0 itself sets (AsyncAPI: the messages' `headers`). Hints only: a consumer that
 * ignores them is still correct.
 */
export const HEADER = {
  /** notification-events: the incident service's outbox id, by which deliveries are deduplicated. */
  notificationId: 'log0-notification-id',
  /**
   * normalized-logs: "1" when the normalizer produced this record from the first delivery of its
   * raw record, so no earlier normalized record carries the same event. Absent: maybe a repeat.
   */
  firstNormalization: 'log0-first-normalization',
} as const;
