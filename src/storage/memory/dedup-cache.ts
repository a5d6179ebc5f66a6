/**
 * The embedded DedupCache: one Map in this process, bounded both ways — entries expire after the
 * TTL, and past maxEntries the oldest are evicted first (losing one only costs a redundant, still
 * idempotent reprocessing). Every entry has the same TTL, so the Map's insertion order is also
 * expiry order: expired entries are always at its front and are pruned there, cheaply.
 */
import type { DedupCache, EventRef } from '../dedup-cache.js';

export interface MemoryDedupCacheOptions {
  ttlMs: number;
  /** Upper bound on remembered ids (all scopes); about 140 bytes each with UUID ids. */
  maxEntries?: number;
  /** Milliseconds; tests pass a fake clock. */
  now?: () => number;
}

export interface MemoryDedupCache extends DedupCache {
  /** Entries held now, expired ones not yet pruned included. */
  readonly size: number;
}

/**
 * In one process the cache only ever sees redeliveries within that process's lifetime — a few
 * uncommitted batches (≤ 2000 records per partition each) — so 250,000 ids (~35 MB) is ample.
 */
export const DEFAULT_MAX_ENTRIES = 250_000;

export function createMemoryDedupCache(options: MemoryDedupCacheOptions): MemoryDedupCache {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const now = options.now ?? (() => performance.now());
  /** key → expiry (clock ms); insertion order = expiry order. */
  const entries = new Map<string, number>();
  let closed = false;

  const keyOf = (scope: string, id: EventRef) => `${scope}\u0000${id.tenantId}\u0000${id.eventId}`;
  // Stored keys go through a Buffer, which makes a flat copy: the template literal alone keeps a
  // rope of the parts (and the caller's strings) alive — measured 2–4× the memory per entry.
  const storedKeyOf = (scope: string, id: EventRef) => Buffer.from(keyOf(scope, id)).toString();
  const check = () => {
    if (closed) throw new Error('dedup cache: closed');
  };

  function prune(t: number): void {
    for (const [key, expires] of entries) {
      if (expires > t && entries.size <= maxEntries) return;
      entries.delete(key);
    }
  }

  return {
    get size() {
      return entries.size;
    },
    async seen(scope, ids) {
      check();
      const t = now();
      return ids.map((id) => {
        const expires = entries.get(keyOf(scope, id));
        return expires !== undefined && expires > t;
      });
    },
    async remember(scope, ids) {
      check();
      const t = now();
      const expires = Math.ceil(t + ttlMs); // an integer: a small one is stored unboxed
      for (const id of ids) {
        const key = storedKeyOf(scope, id);
        entries.delete(key); // re-inserted at the back: its TTL restarts, the order stays expiry order
        entries.set(key, expires);
      }
      prune(t);
    },
    async ping() {
      check();
    },
    async close() {
      closed = true;
      entries.clear();
    },
  };
}
