/**
 * The normalizer's use of the dedup cache, best-effort both ways: raw logs the `normalization`
 * scope already published (before a crash or rebalance redelivered them) are skipped, and ids are
 * remembered only after their publish succeeded — remembered earlier, a failed publish would make
 * the redelivered logs look done and lose them. A cache that fails (Redis down) is logged,
 * rate-limited, and ignored: the batch is processed in full, which downstream idempotent stores
 * absorb. So the cache can save work but never lose a log.
 */
import type { Logger } from '../../runtime/logger.js';
import { errorMessage } from '../../runtime/errors.js';
import { throttledWarning } from '../../runtime/throttled-warning.js';
import type { DedupCache, EventRef } from '../../storage/dedup-cache.js';

export const NORMALIZATION_SCOPE = 'normalization';

export interface DedupFilter {
  /** The items not yet published by this scope (all of them when the cache cannot answer). */
  unseen<T>(items: readonly T[], ref: (item: T) => EventRef): Promise<T[]>;
  /** Marks the ids as published; call only once the publish succeeded. Never throws. */
  published(ids: readonly EventRef[]): Promise<void>;
}

export function dedupFilter(cache: DedupCache | undefined, logger: Logger, scope = NORMALIZATION_SCOPE): DedupFilter {
  const warn = throttledWarning(logger);
  return {
    async unseen(items, ref) {
      if (!cache || items.length === 0) return [...items];
      let seen: boolean[];
      try {
        seen = await cache.seen(scope, items.map(ref));
      } catch (err) {
        warn({ scope, err: errorMessage(err) }, 'dedup cache unavailable; processing batches without dedup');
        return [...items];
      }
      const fresh = items.filter((_, i) => !seen[i]);
      const skipped = items.length - fresh.length;
      if (skipped > 0) logger.info({ scope, skipped, batch: items.length }, 'skipped redelivered logs already published');
      return fresh;
    },
    async published(ids) {
      if (!cache || ids.length === 0) return;
      try {
        await cache.remember(scope, ids);
      } catch (err) {
        warn({ scope, err: errorMessage(err) }, 'dedup cache unavailable; published ids not remembered');
      }
    },
  };
}
