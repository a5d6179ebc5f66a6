/**
 * A UUID string as its 128 bits, for structures that keep many ids off the JS heap (the dedup
 * cache, clustering's recent eventIds): four numbers in a typed array instead of a 36-character
 * string the garbage collector traces; and the hash steps of their open-addressing indexes.
 */

/** Value of a lowercase hex digit's char code, or -1. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) HEX[97 + c] = 10 + c;

/**
 * Writes the 128 bits of a lowercase UUID written 8-4-4-4-12 into out[at..at+3]; false (out
 * partly written) for anything else. Only lowercase: ids are compared as strings everywhere else,
 * so `ABC…` and `abc…` must stay two ids (callers keep any other id as its string).
 */
export function parseLowercaseUuid(id: string, out: Uint32Array, at = 0): boolean {
  if (id.length !== 36) return false;
  let word = 0;
  let digits = 0;
  for (let i = 0; i < 36; i++) {
    const c = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
      continue;
    }
    const v = c < 128 ? HEX[c] : -1;
    if (v < 0) return false;
    word = (word << 4) | v;
    if (++digits % 8 === 0) {
      out[at + digits / 8 - 1] = word >>> 0;
      word = 0;
    }
  }
  return true;
}

/** The lowercase UUID string whose bits parseLowercaseUuid wrote into words[at..at+3]. */
export function formatUuidWords(words: Uint32Array, at = 0): string {
  let hex = '';
  for (let i = 0; i < 4; i++) hex += words[at + i].toString(16).padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One step of an id hash: folds `value` into `hash`. End with finishHash. */
export function mixHash(hash: number, value: number): number {
  return Math.imul(hash ^ value, 0x9e3779b1) ^ (hash >>> 15);
}

/**
 * MurmurHash3's finaliser: every output bit depends on every input bit. Without it a bucket (the
 * low bits) would depend only on the low bits of the last word mixed in, and ids differing only
 * in its high bits — sequential ids of a producer's own — would all share one probe run.
 */
export function finishHash(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Where an id hash starts; a structure with several id spaces first mixes in the space's number. */
export const HASH_SEED = 0x811c9dc5;

/** The index hash of a UUID's 128 bits, words[at..at+3], from `seed`. */
export function hashUuidWords(seed: number, words: Uint32Array, at = 0): number {
  return finishHash(mixHash(mixHash(mixHash(mixHash(seed, words[at]), words[at + 1]), words[at + 2]), words[at + 3]));
}

/** The index hash of an id kept as its string, from `seed`. */
export function hashIdString(seed: number, id: string): number {
  let hash = seed;
  for (let i = 0; i < id.length; i++) hash = mixHash(hash, id.charCodeAt(i));
  return finishHash(mixHash(hash, id.length));
}
