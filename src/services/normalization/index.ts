/**
 * The normalization service: raw-logs → normalizeLog → normalized-logs, and every normalized log
 * into the log store (seed 001: two parallel outputs). The store is written by its own consumer
 * group on normalized-logs, so a slow or unavailable store never holds up incident detection and
 * the bus keeps every log until the store has it.
 */
import { recordKey, TOPIC } from '../../contracts/topics.js';
import { consumeMessages } from '../../runtime/consumer.js';
import { GroupCommitter } from '../../runtime/group-commit.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import type { LogStore } from '../../storage/log-store.js';
import { normalizeLog } from './normalize.js';

export const NORMALIZER_GROUP = 'normalization-service.normalizer';
export const LOG_STORE_WRITER_GROUP = 'normalization-service.log-store-writer';

export async function startNormalizationService(ctx: ServiceContext & { logStore: LogStore }): Promise<RunningService> {
  const { bus, logStore } = ctx;
  const logger = ctx.logger.child({ service: 'normalization-service' });

  const normalizer = await consumeMessages({
    bus,
    logger,
    service: 'normalization-service',
    groupId: NORMALIZER_GROUP,
    topic: TOPIC.rawLogs,
    message: 'RawLogEvent',
    maxBatchRecords: 2000,
    handle: async (messages) => {
      const records = messages.map(({ value }) => {
        const normalized = normalizeLog(value);
        return { key: recordKey(TOPIC.normalizedLogs, normalized), value: JSON.stringify(normalized) };
      });
      try {
        await bus.produce(TOPIC.normalizedLogs, records);
      } catch (err) {
        throw new TransientError(`normalized-logs publish failed: ${errorMessage(err)}`);
      }
    },
  });

  // Batches of all partitions that arrive while the store is busy go in as one append.
  const storeAppends = new GroupCommitter<NormalizedLogEvent>((logs) => logStore.append(logs), 20_000);
  const storeWriter = await consumeMessages({
    bus,
    logger,
    service: 'normalization-service',
    groupId: LOG_STORE_WRITER_GROUP,
    topic: TOPIC.normalizedLogs,
    message: 'NormalizedLogEvent',
    maxBatchRecords: 5000,
    handle: async (messages) => {
      try {
        await storeAppends.add(messages.map((m) => m.value));
      } catch (err) {
        // A store that does not answer is an outage: keep the logs on the bus and retry.
        // A store that answers rejected these logs: let the consume loop isolate and dead-letter.
        const reachable = await logStore.ping().then(
          () => true,
          () => false,
        );
        if (!reachable) throw new TransientError(`log store unavailable: ${errorMessage(err)}`);
        throw err;
      }
    },
  });

  return {
    stop: async () => {
      await normalizer.stop();
      await storeWriter.stop();
    },
  };
}
