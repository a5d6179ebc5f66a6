/**
 * The last `limit` eventIds a partition counted, so a log delivered twice (a redelivered batch
 * whose offsets were not yet counted, a record produced twice) is counted once.
 *
 * Every log passes through it, and its ids live for thousands of logs — long enough to be
 * promoted, then dropped: as a Set of strings it was old-generation garbage the collector kept
 * marking, and each lookup hashed a fresh string. So it keeps ids off the JS heap:
 *  - a ring of slots in arrival order; the newest id takes the oldest one's slot;
 *  - a lowercase UUID (what the gateway assigns) is stored as its 128 bits; any other id as its
 *    string (rare; ids are compared as strings, so an uppercase UUID stays a different id);
 *  - an open-addressing index (linear probing, at most half full, backward-shift deletion)
 *    finds an id's slot.
 */
import { formatUuidWords, HASH_SEED, hashIdString, hashUuidWords, parseLowercaseUuid } from '../../runtime/uuid-bits.js';

const EMPTY = 0;
const UUID = 1;
const STRING = 2;

/** The index hash of an id: of its 128 bits for a lowercase UUID, else of its string. */
export function idHash(id: string, parsed = new Uint32Array(4)): number {
  return parseLowercaseUuid(id, parsed) ? hashWords(parsed) : hashString(id);
}

const hashWords = (w: Uint32Array): number => hashUuidWords(HASH_SEED, w);
const hashString = (s: string): number => hashIdString(HASH_SEED, s);

export class RecentEventIds {
  private readonly kinds: Uint8Array;
  private readonly words: Uint32Array;
  private readonly hashes: Uint32Array;
  /** Non-UUID ids by slot; created on the first one. */
  private strings: Array<string | undefined> | undefined;
  /** slot + 1 per bucket; 0 = empty. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private next = 0;
  private readonly parsed = new Uint32Array(4);

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`recentEventIds must be a non-negative integer, got ${limit}`);
    this.kinds = new Uint8Array(limit);
    this.words = new Uint32Array(limit * 4);
    this.hashes = new Uint32Array(limit);
    let buckets = 2;
    while (buckets < limit * 2) buckets *= 2;
    this.index = new Int32Array(buckets);
    this.mask = buckets - 1;
  }

  /** True if `id` is among the remembered ones; otherwise remembers it (forgetting the oldest). */
  seenBefore(id: string): boolean {
    if (this.limit === 0) return false;
    const parsed = this.parsed;
    const isUuid = parseLowercaseUuid(id, parsed);
    const hash = isUuid ? hashWords(parsed) : hashString(id);
    const { index, mask, hashes } = this;
    for (let b = hash & mask; index[b] !== 0; b = (b + 1) & mask) {
      const slot = index[b] - 1;
      if (hashes[slot] === hash && this.holds(slot, isUuid, id)) return true;
    }
    const slot = this.next;
    if (this.kinds[slot] !== EMPTY) this.unindex(slot);
    if (isUuid) {
      this.words.set(parsed, slot * 4);
      this.kinds[slot] = UUID;
      if (this.strings) this.strings[slot] = undefined;
    } else {
      (this.strings ??= new Array<string | undefined>(this.limit))[slot] = id;
      this.kinds[slot] = STRING;
    }
    hashes[slot] = hash;
    let b = hash & mask;
    while (index[b] !== 0) b = (b + 1) & mask;
    index[b] = slot + 1;
    this.next = slot + 1 === this.limit ? 0 : slot + 1;
    return false;
  }

  /** The remembered ids, oldest first (remembering them in this order rebuilds the ring). */
  ids(): string[] {
    const ids: string[] = [];
    for (let i = 0; i < this.limit; i++) {
      const slot = (this.next + i) % this.limit;
      const kind = this.kinds[slot];
      if (kind === UUID) ids.push(formatUuidWords(this.words, slot * 4));
      else if (kind === STRING) ids.push(this.strings![slot]!);
    }
    return ids;
  }

  private holds(slot: number, isUuid: boolean, id: string): boolean {
    if (!isUuid) return this.kinds[slot] === STRING && this.strings![slot] === id;
    if (this.kinds[slot] !== UUID) return false;
    const w = slot * 4;
    const { words, parsed } = this;
    return words[w] === parsed[0] && words[w + 1] === parsed[1] && words[w + 2] === parsed[2] && words[w + 3] === parsed[3];
  }

  /** Removes slot's bucket from the index, shifting later entries of its probe run back. */
  private unindex(slot: number): void {
    const { index, mask, hashes } = this;
    let hole = hashes[slot] & mask;
    while (index[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let b = (hole + 1) & mask; index[b] !== 0; b = (b + 1) & mask) {
      const home = hashes[index[b] - 1] & mask;
      // An entry stays if its home bucket lies cyclically in (hole, b]; otherwise it moves into the hole.
      const stays = hole <= b ? hole < home && home <= b : hole < home || home <= b;
      if (stays) continue;
      index[hole] = index[b];
      hole = b;
    }
    index[hole] = 0;
  }
}
