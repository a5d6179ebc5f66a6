/** The pipeline's topics and consumer groups, as the platform creates and monitors them. */
import type { Bus, TopicSpec } from './bus/port.js';
import type { Log0Config } from './config/config.js';
import { TOPIC } from './contracts/topics.js';
import type { Logger } from './runtime/logger.js';
import type { ConsumerGroupRef } from './runtime/metrics.js';
import { CLUSTERING_GROUP } from './services/clustering/index.js';
import { INCIDENT_GROUP } from './services/incidents/index.js';
import { LOG_STORE_WRITER_GROUP, NORMALIZER_GROUP } from './services/normalization/index.js';
import { NOTIFICATION_GROUP } from './services/notifications/index.js';

/** Every consumer group of the pipeline, left to right. */
export const PIPELINE_CONSUMER_GROUPS: ConsumerGroupRef[] = [
  { groupId: NORMALIZER_GROUP, topic: TOPIC.rawLogs },
  { groupId: LOG_STORE_WRITER_GROUP, topic: TOPIC.normalizedLogs },
  { groupId: CLUSTERING_GROUP, topic: TOPIC.normalizedLogs },
  { groupId: INCIDENT_GROUP, topic: TOPIC.incidentEvents },
  { groupId: NOTIFICATION_GROUP, topic: TOPIC.notificationEvents },
];

export function pipelineTopics(config: Log0Config): TopicSpec[] {
  return Object.values(TOPIC).map((name) => ({
    name,
    partitions: config.bus.partitions,
    retentionMs: config.bus.retentionMs,
    retentionBytes: config.bus.retentionBytes,
  }));
}

/**
 * Creates the pipeline's missing topics. A topic that exists keeps its partition count (as on
 * Kafka); when that differs from the configured count it is said once at startup, since a changed
 * LOG0_BUS_PARTITIONS (or a new default) does not apply to it.
 */
export async function ensurePipelineTopics(bus: Bus, config: Log0Config, logger: Logger): Promise<void> {
  const topics = pipelineTopics(config);
  await bus.ensureTopics(topics);
  for (const topic of topics) {
    const partitions = await bus.partitionCount(topic.name);
    if (partitions !== topic.partitions) {
      logger.info(
        { topic: topic.name, partitions, configured: topic.partitions },
        `topic ${topic.name} exists with ${partitions} partitions and keeps them (LOG0_BUS_PARTITIONS is ${topic.partitions}; it applies to topics log0 creates)`,
      );
    }
  }
}
