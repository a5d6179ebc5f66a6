/**
 * The normalization service's second output (seed 001): every normalized log into the log store.
 * Its own consumer group on normalized-logs; batches of all partitions that arrive while the store
 * is busy go in as one append (group commit).
 */
import { TOPIC } from '../../contracts/topics.js';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import { consumeMessages } from '../../runtime/consumer.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import { GroupCommitter } from '../../runtime/group-commit.js';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { LogStore } from '../../storage/log-store.js';

export const LOG_STORE_WRITER_GROUP = 'normalization-service.log-store-writer';

export async function startLogStoreWriter(ctx: ServiceContext & { logStore: LogStore }): Promise<RunningService> {
  const { bus, logStore } = ctx;
  const logger = ctx.logger.child({ service: 'normalization-service', component: 'log-store-writer' });
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

  return { stop: () => storeWriter.stop() };
}
