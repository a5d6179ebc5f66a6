/**
 * The normalization service: raw-logs → normalizeLog → normalized-logs. Its second output, every
 * normalized log into the log store (seed 001), is log-store-writer.ts: its own consumer group on
 * normalized-logs, so a slow or unavailable store never holds up incident detection and the bus
 * keeps every log until the store has it. With a dedup cache, raw logs redelivered after they were
 * already published are skipped (dedup-filter.ts; best-effort, never needed for correctness).
 * A normalized record made from the first delivery of its raw log (runtime/first-deliveries.ts)
 * carries HEADER.firstNormalization, so the log store writer knows no earlier record has its event.
 */
import type { BusRecord, ProduceRecord } from '../../bus/port.js';
import { HEADER, recordKey, TOPIC } from '../../contracts/topics.js';
import type { RawLogEvent } from '../../contracts/types.js';
import { consumeMessages, release } from '../../runtime/consumer.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import { trackFirstDeliveries } from '../../runtime/first-deliveries.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { DedupCache, EventRef } from '../../storage/dedup-cache.js';
import { dedupFilter } from './dedup-filter.js';
import { FingerprintRules } from './fingerprint-rules.js';
import { normalizeLog } from './normalize.js';

export const NORMALIZER_GROUP = 'normalization-service.normalizer';
/** Raw logs normalized and handed to produce at a time (see the handler). */
const PUBLISH_SLICE = 250;
export { LOG_STORE_WRITER_GROUP, startLogStoreWriter } from './log-store-writer.js';

export interface NormalizationContext extends ServiceContext {
  /** Processed-eventId cache (opened and closed by the caller); none: every delivery is processed. */
  dedup?: DedupCache;
}

export async function startNormalizationService(ctx: NormalizationContext): Promise<RunningService> {
  const { bus } = ctx;
  const logger = ctx.logger.child({ service: 'normalization-service' });
  const dedup = dedupFilter(ctx.dedup, logger);
  const { fingerprintRulesFile } = ctx.config;
  const rules = fingerprintRulesFile ? FingerprintRules.load(fingerprintRulesFile) : FingerprintRules.none;
  if (fingerprintRulesFile) logger.info({ file: fingerprintRulesFile }, 'fingerprint rules loaded');

  const FIRST = { [HEADER.firstNormalization]: '1' };
  const topic = TOPIC.rawLogs;
  const tracked = trackFirstDeliveries(bus, topic, (err, partitions) =>
    // Without the log end no record is marked first: the log store then checks every append.
    logger.warn({ err: errorMessage(err), partitions }, 'raw-logs end offsets unknown; normalized logs not marked as first normalizations'),
  );
  const firstDeliveries = tracked.deliveries;
  const normalizer = await consumeMessages({
    bus,
    logger,
    service: 'normalization-service',
    groupId: NORMALIZER_GROUP,
    topic,
    message: 'RawLogEvent',
    maxBatchRecords: 2000,
    onAssigned: tracked.onAssigned,
    onRevoked: tracked.onRevoked,
    handle: async (delivered) => {
      const { partition } = delivered[0].record;
      const lastOffset = delivered[delivered.length - 1].record.offset;
      try {
        const first = firstDeliveries.firstIndex(partition, delivered.map((d) => d.record.offset));
        const firstOffset = first < delivered.length ? delivered[first].record.offset : Infinity;
        const messages = await dedup.unseen(delivered, ({ value }) => value);
        if (messages.length === 0) return;
        const ids: EventRef[] = messages.map(({ value }) => ({ tenantId: value.tenantId, eventId: value.eventId }));
        const normalizedRecord = (value: RawLogEvent, record: BusRecord): ProduceRecord => {
          const normalized = normalizeLog(value, rules);
          // The raw record's timestamp (when the gateway stored it) carries over, as Kafka Streams
          // does: a backlog normalized late keeps its place in time, so clustering counts it in
          // its windows instead of as late logs.
          return {
            key: recordKey(TOPIC.normalizedLogs, normalized),
            value: JSON.stringify(normalized),
            timestamp: record.timestamp,
            ...(record.offset >= firstOffset ? { headers: FIRST } : {}),
          };
        };
        // A slice at a time, each passed straight to produce, which encodes it, and then let go:
        // a batch's raw and normalized logs are never all alive at once (what is alive when the
        // young-generation collector runs is copied and promoted). The produce calls of one
        // event-loop turn still travel together, in order.
        // Every slice settles before the handler does, whatever fails: a retry never races a
        // publish still running, and no rejection goes unheard.
        const slices: Array<Promise<unknown>> = [];
        let failure: unknown;
        try {
          for (let start = 0; start < messages.length; start += PUBLISH_SLICE) {
            const slice = messages.slice(start, start + PUBLISH_SLICE);
            slices.push(bus.produce(TOPIC.normalizedLogs, slice.map(({ value, record }) => normalizedRecord(value, record))));
            release(slice);
          }
        } catch (err) {
          failure = err; // normalizing a log threw: the consume loop isolates it
        }
        release(delivered); // the ones dedup skipped too
        const published = await Promise.allSettled(slices);
        if (failure !== undefined) throw failure;
        const rejected = published.find((p): p is PromiseRejectedResult => p.status === 'rejected');
        if (rejected) throw new TransientError(`normalized-logs publish failed: ${errorMessage(rejected.reason)}`);
        await dedup.published(ids);
      } finally {
        // Delivered again (after a failure here or a lost commit), these raw logs may already be published.
        firstDeliveries.handled(partition, lastOffset);
      }
    },
  });

  return { stop: () => normalizer.stop() };
}
