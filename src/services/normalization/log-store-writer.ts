/**
 * The normalization service's second output (seed 001): every normalized log into the log store.
 * Its own consumer group on normalized-logs. The stores batch appends themselves: the batches of
 * all partitions that arrive while one append runs or waits for its interval go in together.
 *
 * A log is appended without the store's duplicate check only when it cannot be stored already:
 * its record is delivered to this group for the first time (runtime/first-deliveries.ts: not
 * redelivered after a crash, a retry or a seek) and the normalizer marked it as made from the
 * first delivery of its raw log (HEADER.firstNormalization: not a repeat of an event published
 * before). Everything else goes through the check, which keeps appends idempotent by eventId.
 */
import { HEADER, TOPIC } from '../../contracts/topics.js';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import { consumeMessages, release, type Delivered } from '../../runtime/consumer.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import { trackFirstDeliveries } from '../../runtime/first-deliveries.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { LogStore } from '../../storage/log-store.js';

export const LOG_STORE_WRITER_GROUP = 'normalization-service.log-store-writer';

/** What makes two normalized logs the same stored log (the stores' idempotency key). */
const identityOf = (log: NormalizedLogEvent): string => `${log.tenantId}\u0000${log.eventId}\u0000${log.timestamp}`;

export async function startLogStoreWriter(ctx: ServiceContext & { logStore: LogStore }): Promise<RunningService> {
  const { bus, logStore } = ctx;
  const logger = ctx.logger.child({ service: 'normalization-service', component: 'log-store-writer' });
  const topic = TOPIC.normalizedLogs;
  const tracked = trackFirstDeliveries(bus, topic, (err, partitions) =>
    // Not knowing the log end only costs speed: those partitions' appends stay checked.
    logger.warn({ err: errorMessage(err), partitions }, 'log end offsets unknown; appends of these partitions check for stored duplicates'),
  );
  const firstDeliveries = tracked.deliveries;
  const storeWriter = await consumeMessages({
    bus,
    logger,
    service: 'normalization-service',
    groupId: LOG_STORE_WRITER_GROUP,
    topic,
    message: 'NormalizedLogEvent',
    // The embedded store appends a batch's rows in one step (duckdb/direct-appends.ts): 2,000
    // keep that step near 15 ms. Commits are spaced by the store, whatever the batch size.
    maxBatchRecords: 2000,
    onAssigned: tracked.onAssigned,
    onRevoked: tracked.onRevoked,
    handle: async (messages) => {
      const { partition } = messages[0].record;
      const lastOffset = messages[messages.length - 1].record.offset;
      try {
        const appending = startAppends(messages, firstDeliveries.firstIndex(partition, messages.map((m) => m.record.offset)));
        // The store holds what it still needs; kept alive here until the commit, a batch is
        // copied and promoted by the young-generation collector.
        release(messages);
        // Both parts settle before the batch does, so a retry never races an append still running.
        const settled = await appending;
        for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
      } catch (err) {
        // A store that does not answer is an outage: keep the logs on the bus and retry.
        // A store that answers rejected these logs: let the consume loop isolate and dead-letter.
        const reachable = await logStore.ping().then(
          () => true,
          () => false,
        );
        if (!reachable) throw new TransientError(`log store unavailable: ${errorMessage(err)}`);
        throw err;
      } finally {
        // Whatever part succeeded may be stored now; if either failed, the records come again, checked.
        firstDeliveries.handled(partition, lastOffset);
      }
    },
  });

  /**
   * Starts the batch's appends: unchecked the logs that cannot be stored yet (the batch's first
   * deliveries from `first` on that the normalizer marked), the rest checked.
   */
  function startAppends(messages: Array<Delivered<NormalizedLogEvent>>, first: number) {
    const checked: NormalizedLogEvent[] = [];
    const neverStored: NormalizedLogEvent[] = [];
    messages.forEach((m, i) => (i >= first && m.record.headers[HEADER.firstNormalization] === '1' ? neverStored : checked).push(m.value));
    // A log republished by the normalizer can come in the same batch as its first copy: the two
    // appends run independently, so the checked one might not see the unchecked one's copy.
    // The first copy stores it (or fails the batch, which then comes again, all checked).
    const alsoNew = neverStored.length > 0 && checked.length > 0 ? new Set(neverStored.map(identityOf)) : null;
    const checkedRest = alsoNew ? checked.filter((log) => !alsoNew.has(identityOf(log))) : checked;
    return Promise.allSettled([
      checkedRest.length > 0 ? logStore.append(checkedRest) : undefined,
      neverStored.length > 0 ? logStore.append(neverStored, { neverStored: true }) : undefined,
    ]);
  }

  return { stop: () => storeWriter.stop() };
}
