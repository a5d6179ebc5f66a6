import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { idHash, RecentEventIds } from '../../../src/services/clustering/recent-event-ids.js';

/** What RecentEventIds must behave like: the last `limit` distinct new ids, in a ring and a Set. */
class ReferenceModel {
  private readonly ring: Array<string | undefined>;
  private readonly ids = new Set<string>();
  private next = 0;
  constructor(private readonly limit: number) {
    this.ring = new Array(limit);
  }
  seenBefore(id: string): boolean {
    if (this.limit === 0) return false;
    if (this.ids.has(id)) return true;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.ids.delete(oldest);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.limit;
    this.ids.add(id);
    return false;
  }
}

/** A deterministic pseudo-random sequence (the same ids and steps, so the same failures, on every run). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A lowercase UUID-shaped id from the sequence. */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Two free-form ids whose 32-bit hashes are equal (found by search). */
const COLLIDING: [string, string] = ['k28874', 'k60018'];

describe('RecentEventIds', () => {
  test('answers like a ring plus a Set, for UUIDs, uppercase UUIDs and free-form ids, at every limit', () => {
    for (const limit of [0, 1, 2, 3, 7, 64, 1000]) {
      const random = seeded(limit + 1);
      // A pool a few times the limit, so ids come back both while remembered and after being forgotten.
      const pool = Array.from({ length: Math.max(4, limit * 3) }, (_, i) => {
        const uuid = seededUuid(random);
        return i % 7 === 3 ? uuid.toUpperCase() : i % 11 === 5 ? `order-${i}` : uuid;
      });
      const subject = new RecentEventIds(limit);
      const model = new ReferenceModel(limit);
      for (let step = 0; step < 20_000; step++) {
        const id = pool[Math.floor(random() * pool.length)];
        assert.equal(subject.seenBefore(id), model.seenBefore(id), `limit ${limit}, step ${step}, id ${id}`);
      }
    }
  });

  test('a UUID and the same UUID in uppercase are two ids', () => {
    const ids = new RecentEventIds(8);
    const id = randomUUID();
    assert.equal(ids.seenBefore(id), false);
    assert.equal(ids.seenBefore(id.toUpperCase()), false);
    assert.equal(ids.seenBefore(id), true);
    assert.equal(ids.seenBefore(id.toUpperCase()), true);
  });

  test('ids whose hashes collide in the index are told apart, and forgetting one keeps the others findable', () => {
    // With limit 1,000 the index has 2,048 buckets: 5,000 distinct ids collide often, and every
    // insert past the limit removes an entry from the middle of a probe run.
    const ids = new RecentEventIds(1000);
    const all = Array.from({ length: 5000 }, () => randomUUID());
    for (const id of all) assert.equal(ids.seenBefore(id), false);
    for (const id of all.slice(-1000)) assert.equal(ids.seenBefore(id), true, 'the last 1,000 are remembered');
    assert.equal(ids.seenBefore(all[0]), false, 'an old one is forgotten');
  });

  test('ids differing only in the high bits of their last word spread over the index', () => {
    // Sequential ids of a producer's own: only the hash's low bits pick the bucket, so they must
    // depend on every bit (4,096 ids into 8,192 buckets, as with the default limit).
    const buckets = new Set<number>();
    for (let i = 0; i < 4096; i++) buckets.add(idHash(`12345678-1234-4234-8234-1234${i.toString(16).padStart(4, '0')}0000`) & 8191);
    assert.ok(buckets.size > 2800, `${buckets.size} distinct buckets`);
  });

  test('two ids with the same hash are told apart', () => {
    const [a, b] = COLLIDING;
    assert.equal(idHash(a), idHash(b), 'the pair collides (recompute it if the hash changes)');
    const ids = new RecentEventIds(4);
    assert.equal(ids.seenBefore(a), false);
    assert.equal(ids.seenBefore(b), false);
    assert.equal(ids.seenBefore(a), true);
    assert.equal(ids.seenBefore(b), true);
    for (const other of ['x1', 'x2', 'x3']) ids.seenBefore(other); // a is forgotten, b still there
    assert.equal(ids.seenBefore(b), true);
    assert.equal(ids.seenBefore(a), false);
  });

  test('a negative or fractional limit is refused', () => {
    assert.throws(() => new RecentEventIds(-1), /recentEventIds must be a non-negative integer/);
    assert.throws(() => new RecentEventIds(1.5), /recentEventIds must be a non-negative integer/);
  });
});
