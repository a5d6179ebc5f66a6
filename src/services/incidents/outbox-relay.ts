/**
 * Publishes the outbox (notifications written in the transactions that changed incidents) to
 * notification-events, keyed by incidentId, in the order they were written, each with header
 * `log0-notification-id` so consumers can drop duplicates. A row is marked published only after
 * the bus acknowledged it; a failed produce leaves it for the next run, so nothing is lost and a
 * crash between produce and mark can only cause a duplicate.
 *
 * Runs when kicked (after a commit that wrote outbox rows) and every `intervalMs` for leftovers:
 * rows of a crashed run, or of a produce that failed.
 */
import type { Bus, ProduceRecord } from '../../bus/port.js';
import { HEADER, recordKey, TOPIC } from '../../contracts/topics.js';
import { errorMessage } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import * as repo from './repository.js';

export interface OutboxRelayOptions {
  db: SqlDatabase;
  bus: Bus;
  logger: Logger;
  /** Period of the sweep for leftovers; default 1 s. */
  intervalMs?: number;
  /** Rows per produce call; default 100. */
  batchSize?: number;
  /** Published rows are deleted after this long; default 7 days. */
  retainPublishedMs?: number;
}

export interface OutboxRelay {
  /** Publish soon; calls while a run is in progress coalesce into one more run. */
  kick(): void;
  /** Publishes everything unpublished now; rejects if the bus or the database fails. */
  publishPending(): Promise<number>;
  start(): void;
  /** Stops the timer, waits for the run in progress, then makes one last attempt. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** While publishing keeps failing, say so at most this often. */
const FAILURE_LOG_EVERY_MS = 60_000;

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, bus, logger } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 100;
  const retainPublishedMs = options.retainPublishedMs ?? 7 * DAY_MS;

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Runs are serialized on this chain, so no row is produced by two runs of this process at once. */
  let chain: Promise<unknown> = Promise.resolve();
  let queued = false;
  let failingSince: number | undefined;
  let lastFailureLog = 0;
  let lastPrune = 0;

  function serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  async function publishBatches(): Promise<number> {
    let published = 0;
    for (;;) {
      const entries = await repo.listUnpublishedOutbox(db, batchSize);
      if (entries.length === 0) break;
      const records: ProduceRecord[] = entries.map((entry) => ({
        key: recordKey(TOPIC.notificationEvents, entry.payload),
        value: JSON.stringify(entry.payload),
        headers: { [HEADER.notificationId]: entry.id },
      }));
      await bus.produce(TOPIC.notificationEvents, records);
      await repo.markOutboxPublished(
        db,
        entries.map((e) => e.id),
      );
      published += entries.length;
      if (entries.length < batchSize) break;
    }
    if (Date.now() - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = Date.now();
      const pruned = await repo.deletePublishedOutbox(db, new Date(Date.now() - retainPublishedMs));
      if (pruned > 0) logger.debug({ pruned }, 'outbox: deleted old published notifications');
    }
    return published;
  }

  /** A background run: failures are logged (rate-limited) and retried by the next run. */
  async function backgroundRun(): Promise<void> {
    queued = false;
    try {
      const published = await publishBatches();
      if (failingSince !== undefined) {
        logger.info({ failedForMs: Date.now() - failingSince, published }, 'outbox: publishing notifications again');
        failingSince = undefined;
      }
    } catch (err) {
      const now = Date.now();
      failingSince ??= now;
      if (now - lastFailureLog >= FAILURE_LOG_EVERY_MS) {
        lastFailureLog = now;
        logger.warn({ err: errorMessage(err), failingForMs: now - failingSince }, 'outbox: cannot publish notifications; will retry');
      }
    }
  }

  function kick(): void {
    if (stopped || queued) return;
    queued = true;
    void serialized(backgroundRun);
  }

  return {
    kick,
    publishPending: () => serialized(publishBatches),
    start() {
      if (timer || stopped) return;
      timer = setInterval(kick, intervalMs);
      timer.unref();
      kick();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await chain;
      await serialized(backgroundRun);
    },
  };
}
