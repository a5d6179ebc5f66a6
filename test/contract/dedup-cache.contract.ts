/**
 * The DedupCache contract every adapter passes (memory, Redis): ids remembered per scope and
 * tenant, answers in request order, forgotten after the TTL, and batches of thousands in one call.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DedupCache, EventRef } from '../../src/storage/dedup-cache.js';

export interface DedupCacheHarness {
  open(ttlMs: number): Promise<DedupCache>;
  /** Closes everything opened and removes what the adapter stored. */
  cleanup(): Promise<void>;
}

const refs = (n: number, tenantId = randomUUID()): EventRef[] => Array.from({ length: n }, () => ({ tenantId, eventId: randomUUID() }));

export function dedupCacheContractSuite(name: string, harness: () => Promise<DedupCacheHarness>): void {
  describe(`DedupCache contract: ${name}`, () => {
    let h: DedupCacheHarness;
    const open = async (ttlMs = 60_000) => {
      h ??= await harness();
      return h.open(ttlMs);
    };
    after(() => h?.cleanup());

    test('unseen until remembered, then seen; answers keep the request order', async () => {
      const cache = await open();
      const ids = refs(6);
      assert.deepEqual(await cache.seen('normalization', ids), [false, false, false, false, false, false]);
      await cache.remember('normalization', [ids[1], ids[4]]);
      assert.deepEqual(await cache.seen('normalization', ids), [false, true, false, false, true, false]);
      await cache.remember('normalization', ids);
      assert.deepEqual(await cache.seen('normalization', ids), [true, true, true, true, true, true]);
    });

    test('empty calls are fine', async () => {
      const cache = await open();
      assert.deepEqual(await cache.seen('normalization', []), []);
      await cache.remember('normalization', []);
    });

    test('scopes and tenants are independent', async () => {
      const cache = await open();
      const eventId = randomUUID();
      const [a, b] = [randomUUID(), randomUUID()];
      await cache.remember('normalization', [{ tenantId: a, eventId }]);
      assert.deepEqual(await cache.seen('normalization', [{ tenantId: a, eventId }]), [true]);
      assert.deepEqual(await cache.seen('clustering', [{ tenantId: a, eventId }]), [false], 'another scope');
      assert.deepEqual(await cache.seen('normalization', [{ tenantId: b, eventId }]), [false], 'same eventId, another tenant');
    });

    test('entries expire after the TTL; remembering again restarts it', async () => {
      const cache = await open(500);
      const [once, again] = refs(2);
      await cache.remember('normalization', [once, again]);
      await sleep(300);
      await cache.remember('normalization', [again]);
      assert.deepEqual(await cache.seen('normalization', [once, again]), [true, true]);
      await sleep(350); // once: 650 ms old; again: 350 ms
      assert.deepEqual(await cache.seen('normalization', [once, again]), [false, true]);
      await sleep(300);
      assert.deepEqual(await cache.seen('normalization', [once, again]), [false, false]);
    });

    test('a batch of 10,000 ids in one call each way', async () => {
      const cache = await open();
      const remembered = refs(10_000);
      const others = refs(10_000);
      await cache.remember('normalization', remembered);
      const mixed = remembered.flatMap((r, i) => [r, others[i]]);
      const answers = await cache.seen('normalization', mixed);
      assert.equal(answers.length, 20_000);
      answers.forEach((seen, i) => assert.equal(seen, i % 2 === 0, `index ${i}`));
    });
  });
}
