/**
 * The dedup cache port: which events a pipeline stage (a scope, e.g. `normalization`) has
 * already processed and published, remembered for a TTL. Best-effort by design — a stage uses it
 * to skip work redelivered after a crash or rebalance, never for correctness (the stores
 * downstream are idempotent by eventId), so callers must carry on without it when it fails.
 * Embedded adapter: storage/memory. Shared adapter: storage/redis. Both pass
 * test/contract/dedup-cache.contract.ts.
 */

export interface EventRef {
  tenantId: string;
  eventId: string;
}

export interface DedupCache {
  /** One answer per id, in order: true when `scope` remembered it within the TTL. */
  seen(scope: string, ids: readonly EventRef[]): Promise<boolean[]>;
  /** Remembers the ids for `scope` for the cache's TTL (again: the TTL restarts). */
  remember(scope: string, ids: readonly EventRef[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
