/**
 * The embedded DedupCache, bounded both ways: entries expire after the TTL, and past maxEntries
 * the oldest are evicted first (losing one only costs a redundant, still idempotent reprocessing).
 *
 * It sits on the normalizer's hot path and holds up to maxEntries ids for minutes, so it keeps
 * them out of the JS heap: a Map of a quarter million string keys is old-generation garbage the
 * collector marks over and over, and building a key per lookup allocates per log. Instead:
 *  - entries live in a ring in insertion order — every entry has the same TTL, so that is also
 *    expiry order, and expired or evicted entries always leave from its front;
 *  - a UUID eventId (what the gateway assigns) is stored as its 128 bits in a typed array; any
 *    other id is kept as its string (ids are free-form in the port);
 *  - an open-addressing index (linear probing, backward-shift deletion) finds an entry's slot;
 *  - (scope, tenant) pairs get small namespace numbers, looked up without building a string.
 */
import { HASH_SEED, hashIdString, hashUuidWords, mixHash, parseLowercaseUuid } from '../../runtime/uuid-bits.js';
import type { DedupCache, EventRef } from '../dedup-cache.js';

export interface MemoryDedupCacheOptions {
  ttlMs: number;
  /** Upper bound on remembered ids (all scopes); ≈ 90 bytes each, allocated at creation. */
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
 * uncommitted batches (≤ 2000 records per partition each) — so 250,000 ids (≈ 22 MB, measured) is ample.
 */
export const DEFAULT_MAX_ENTRIES = 250_000;

/** Marks a ring slot whose id was remembered again later (its index entry points to the newer slot). */
const SUPERSEDED = -1;

/** Ids of different namespaces are different ids: the namespace seeds the hash. */
function hashString(ns: number, s: string): number {
  return hashIdString(mixHash(HASH_SEED, ns), s);
}

function hashWords(ns: number, w: Uint32Array, at: number): number {
  return hashUuidWords(mixHash(HASH_SEED, ns), w, at);
}

export function createMemoryDedupCache(options: MemoryDedupCacheOptions): MemoryDedupCache {
  const { ttlMs } = options;
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  const now = options.now ?? (() => performance.now());

  // The ring: slot s holds one entry; `head` is the oldest, `count` slots are in use, `live` of
  // them not superseded. Twice maxEntries slots, so superseded ones are compacted away rarely.
  const capacity = maxEntries * 2;
  const words = new Uint32Array(capacity * 4);
  const namespaces = new Int32Array(capacity);
  const expiries = new Float64Array(capacity);
  /** Non-UUID ids only (undefined for UUID slots). */
  const strings: Array<string | undefined> = new Array(capacity);
  let head = 0;
  let count = 0;
  let live = 0;

  // The index: slot + 1 per bucket, 0 = empty; at most half full.
  let bucketBits = 1;
  while (1 << bucketBits < capacity * 2) bucketBits++;
  const buckets = new Int32Array(1 << bucketBits);
  const bucketMask = buckets.length - 1;

  const namespaceIds = new Map<string, Map<string, number>>();
  let nextNamespace = 0;
  const parsed = new Uint32Array(4);
  let closed = false;

  const check = () => {
    if (closed) throw new Error('dedup cache: closed');
  };

  function namespaceOf(scope: string, tenantId: string, create: boolean): number {
    let tenants = namespaceIds.get(scope);
    if (!tenants) {
      if (!create) return -1;
      tenants = new Map();
      namespaceIds.set(scope, tenants);
    }
    let ns = tenants.get(tenantId);
    if (ns === undefined) {
      if (!create) return -1;
      ns = nextNamespace++;
      tenants.set(tenantId, ns);
    }
    return ns;
  }

  function slotHash(slot: number): number {
    const s = strings[slot];
    return s === undefined ? hashWords(namespaces[slot], words, slot * 4) : hashString(namespaces[slot], s);
  }

  /** Bucket holding the entry for (ns, id) — `isUuid` says `parsed` holds its bits — or the empty bucket ending its probe. */
  function findBucket(ns: number, id: string, isUuid: boolean): number {
    let b = (isUuid ? hashWords(ns, parsed, 0) : hashString(ns, id)) & bucketMask;
    for (;;) {
      const entry = buckets[b];
      if (entry === 0) return b;
      const slot = entry - 1;
      if (namespaces[slot] === ns) {
        const s = strings[slot];
        if (isUuid) {
          const w = slot * 4;
          if (s === undefined && words[w] === parsed[0] && words[w + 1] === parsed[1] && words[w + 2] === parsed[2] && words[w + 3] === parsed[3]) return b;
        } else if (s === id) return b;
      }
      b = (b + 1) & bucketMask;
    }
  }

  /** Empties bucket b, shifting later entries of its probe run back so every probe still finds them. */
  function deleteBucket(b: number): void {
    let hole = b;
    let next = (b + 1) & bucketMask;
    while (buckets[next] !== 0) {
      const home = slotHash(buckets[next] - 1) & bucketMask;
      // The entry at `next` may move into the hole unless its home lies cyclically in (hole, next].
      const homeAfterHole = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!homeAfterHole) {
        buckets[hole] = buckets[next];
        hole = next;
      }
      next = (next + 1) & bucketMask;
    }
    buckets[hole] = 0;
  }

  /** Removes the oldest ring slot (and its index entry unless it was superseded). */
  function dropOldest(): void {
    const slot = head;
    if (expiries[slot] !== SUPERSEDED) {
      let b = slotHash(slot) & bucketMask;
      while (buckets[b] !== slot + 1) b = (b + 1) & bucketMask;
      deleteBucket(b);
      live--;
    }
    strings[slot] = undefined;
    head = (head + 1) % capacity;
    count--;
  }

  /** Moves the live slots to the front of the ring, in order, and rebuilds the index. */
  function compact(): void {
    // Rare (after maxEntries supersedes), so a copy through temporaries keeps it simple.
    const liveSlots: number[] = [];
    for (let i = 0; i < count; i++) {
      const slot = (head + i) % capacity;
      if (expiries[slot] !== SUPERSEDED) liveSlots.push(slot);
    }
    const oldWords = words.slice();
    const oldNamespaces = namespaces.slice();
    const oldExpiries = expiries.slice();
    const oldStrings = strings.slice();
    strings.fill(undefined);
    liveSlots.forEach((from, to) => {
      words.set(oldWords.subarray(from * 4, from * 4 + 4), to * 4);
      namespaces[to] = oldNamespaces[from];
      expiries[to] = oldExpiries[from];
      strings[to] = oldStrings[from];
    });
    head = 0;
    count = liveSlots.length;
    buckets.fill(0);
    for (let slot = 0; slot < count; slot++) {
      let b = slotHash(slot) & bucketMask;
      while (buckets[b] !== 0) b = (b + 1) & bucketMask;
      buckets[b] = slot + 1;
    }
  }

  function prune(t: number): void {
    while (count > 0 && (expiries[head] === SUPERSEDED || expiries[head] <= t)) dropOldest();
  }

  function rememberOne(ns: number, id: string, expires: number): void {
    const isUuid = parseLowercaseUuid(id, parsed);
    let b = findBucket(ns, id, isUuid);
    if (buckets[b] !== 0) {
      // Remembered again: the TTL restarts, so the entry moves to the back of the ring.
      expiries[buckets[b] - 1] = SUPERSEDED;
      buckets[b] = 0;
      deleteBucket(b);
      live--;
    }
    if (live === maxEntries) {
      // Evict the oldest live entry (superseded slots ahead of it go too).
      const before = live;
      while (live === before) dropOldest();
    }
    if (count === capacity) compact();
    // Dropping may have shifted buckets: probe again for the empty bucket.
    b = findBucket(ns, id, isUuid);
    const slot = (head + count) % capacity;
    namespaces[slot] = ns;
    expiries[slot] = expires;
    if (isUuid) {
      words.set(parsed, slot * 4);
      strings[slot] = undefined;
    } else {
      // A flat copy: a sliced or concatenated string would keep its parent alive.
      strings[slot] = Buffer.from(id).toString();
    }
    buckets[b] = slot + 1;
    count++;
    live++;
  }

  return {
    get size() {
      return live;
    },
    async seen(scope, ids) {
      check();
      const t = now();
      const answers = new Array<boolean>(ids.length);
      for (let i = 0; i < ids.length; i++) {
        const { tenantId, eventId } = ids[i];
        const ns = namespaceOf(scope, tenantId, false);
        if (ns < 0) {
          answers[i] = false;
          continue;
        }
        const b = findBucket(ns, eventId, parseLowercaseUuid(eventId, parsed));
        answers[i] = buckets[b] !== 0 && expiries[buckets[b] - 1] > t;
      }
      return answers;
    },
    async remember(scope, ids: readonly EventRef[]) {
      check();
      const t = now();
      prune(t);
      const expires = t + ttlMs;
      for (const { tenantId, eventId } of ids) rememberOne(namespaceOf(scope, tenantId, true), eventId, expires);
    },
    async ping() {
      check();
    },
    async close() {
      closed = true;
      buckets.fill(0);
      strings.fill(undefined);
      head = count = live = 0;
    },
  };
}
