/**
 * The RateLimiter contract every adapter passes (memory, Redis): a token bucket per tenant, all
 * or nothing, with a truthful retryAfterMs and no over-granting under concurrency. Timing checks
 * use small rates and tolerances, so a slow machine delays but does not fail them.
 *
 * Documented edge: a cost larger than the burst can never be granted; it is refused with
 * retryAfterMs = time until the bucket is full again (≥ 1 ms), the earliest a split request fits.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateDecision, RateLimiter, RateLimits } from '../../src/storage/rate-limiter.js';

export interface RateLimiterHarness {
  /**
   * `count` limiters with these limits sharing one set of buckets (memory: one instance given
   * `count` times; Redis: separate connections, as separate gateway processes would have).
   */
  open(limits: RateLimits, count?: number): Promise<RateLimiter[]>;
  /** Closes everything opened and removes what the adapter stored. */
  cleanup(): Promise<void>;
}

function refused(decision: RateDecision): number {
  assert.equal(decision.allowed, false, 'expected the take to be refused');
  return (decision as { retryAfterMs: number }).retryAfterMs;
}

export function rateLimiterContractSuite(name: string, harness: () => Promise<RateLimiterHarness>): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let h: RateLimiterHarness;
    const open = async (limits: RateLimits) => {
      h ??= await harness();
      return (await h.open(limits))[0];
    };
    after(() => h?.cleanup());

    test('a fresh tenant may take its burst, then is refused', async () => {
      const limiter = await open({ logsPerSecond: 1, burst: 10 });
      const tenant = randomUUID();
      for (let i = 0; i < 10; i++) assert.deepEqual(await limiter.take(tenant, 1), { allowed: true }, `take ${i + 1}`);
      const retry = refused(await limiter.take(tenant, 1));
      // One token at 1/s: about a second, less the little refilled since the first take.
      assert.ok(retry > 500 && retry <= 1000, `retryAfterMs ${retry}`);
    });

    test('tokens refill at logsPerSecond, up to the burst', async () => {
      const limiter = await open({ logsPerSecond: 10, burst: 5 });
      const tenant = randomUUID();
      assert.ok((await limiter.take(tenant, 5)).allowed);
      refused(await limiter.take(tenant, 1));
      await sleep(250); // ≈ 2.5 tokens back
      assert.ok((await limiter.take(tenant, 2)).allowed, 'two tokens after 250 ms at 10/s');
      refused(await limiter.take(tenant, 2)); // ≈ 0.5 left (would need 150 ms of extra delay to pass)
      await sleep(1000); // far more than enough to refill, but never beyond the burst
      assert.ok((await limiter.take(tenant, 5)).allowed);
      refused(await limiter.take(tenant, 1));
    });

    test('a refused take consumes nothing', async () => {
      const limiter = await open({ logsPerSecond: 1, burst: 10 });
      const tenant = randomUUID();
      assert.ok((await limiter.take(tenant, 8)).allowed);
      for (let i = 0; i < 5; i++) refused(await limiter.take(tenant, 5));
      assert.ok((await limiter.take(tenant, 2)).allowed, 'the 2 tokens left are still there');
      refused(await limiter.take(tenant, 1));
    });

    test('retryAfterMs is the time until cost tokens are there, and the take then succeeds', async () => {
      const limiter = await open({ logsPerSecond: 10, burst: 10 });
      const tenant = randomUUID();
      assert.ok((await limiter.take(tenant, 10)).allowed);
      const retry = refused(await limiter.take(tenant, 4));
      assert.ok(retry > 300 && retry <= 400, `4 tokens at 10/s: ≈ 400 ms, got ${retry}`);
      await sleep(retry + 20);
      assert.ok((await limiter.take(tenant, 4)).allowed, `allowed after the ${retry} ms it said`);
    });

    test('tenants have independent buckets', async () => {
      const limiter = await open({ logsPerSecond: 1, burst: 3 });
      const [a, b] = [randomUUID(), randomUUID()];
      assert.ok((await limiter.take(a, 3)).allowed);
      refused(await limiter.take(a, 1));
      assert.ok((await limiter.take(b, 3)).allowed, 'b is untouched by a');
      refused(await limiter.take(b, 1));
    });

    test('a cost above the burst is always refused; retry: until the bucket is full; nothing consumed', async () => {
      const limiter = await open({ logsPerSecond: 10, burst: 5 });
      const tenant = randomUUID();
      const whenFull = refused(await limiter.take(tenant, 6));
      assert.ok(whenFull >= 1 && whenFull <= 5, `bucket already full: retry at once (≥ 1 ms), got ${whenFull}`);
      assert.ok((await limiter.take(tenant, 3)).allowed, 'the oversized take consumed nothing');
      const retry = refused(await limiter.take(tenant, 50));
      assert.ok(retry > 200 && retry <= 300, `3 tokens short of full at 10/s: ≈ 300 ms, got ${retry}`);
      await sleep(retry + 20);
      refused(await limiter.take(tenant, 6)); // still: it never fits
      assert.ok((await limiter.take(tenant, 5)).allowed, 'full again after the retry it said');
    });

    test('cost 0 is allowed even when empty; a negative or non-finite cost is a RangeError', async () => {
      const limiter = await open({ logsPerSecond: 1, burst: 1 });
      const tenant = randomUUID();
      assert.ok((await limiter.take(tenant, 1)).allowed);
      assert.ok((await limiter.take(tenant, 0)).allowed);
      for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) await assert.rejects(limiter.take(tenant, bad), RangeError);
    });

    test('concurrent takes never over-grant: 200 parallel takes of 1 against a burst of 50', async () => {
      h ??= await harness();
      const limiters = await h.open({ logsPerSecond: 0.01, burst: 50 }, 2);
      const tenant = randomUUID();
      const decisions = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % limiters.length].take(tenant, 1)));
      assert.equal(decisions.filter((d) => d.allowed).length, 50);
    });

    test('ping answers while open', async () => {
      const limiter = await open({ logsPerSecond: 1, burst: 1 });
      await limiter.ping();
    });
  });
}
