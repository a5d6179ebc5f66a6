/**
 * The embedded RateLimiter: token buckets in this process's memory (one gateway process, as in
 * `log0 up` without Redis). A bucket left alone long enough to be full again is the same as no
 * bucket, so such buckets are swept now and then: memory stays bounded by the tenants active
 * within one refill period, not by every tenant ever seen.
 */
import { checkCost, checkLimits, refillWaitMs, TOKEN_EPSILON, type RateDecision, type RateLimiter, type RateLimits } from '../rate-limiter.js';

interface Bucket {
  tokens: number;
  /** Clock reading (ms) when `tokens` was computed. */
  at: number;
}

export interface MemoryRateLimiterOptions {
  limits: RateLimits;
  /** Monotonic milliseconds; tests pass a fake clock. */
  now?: () => number;
  /** How often (ms, at most) the buckets are swept for full ones. */
  sweepIntervalMs?: number;
}

export interface MemoryRateLimiter extends RateLimiter {
  /** Buckets held now (tests: the sweep bounds memory). */
  readonly size: number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): MemoryRateLimiter {
  const limits = checkLimits(options.limits);
  const now = options.now ?? (() => performance.now());
  const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  const perMs = limits.logsPerSecond / 1000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();
  let closed = false;

  const level = (bucket: Bucket | undefined, t: number): number =>
    bucket ? Math.min(limits.burst, bucket.tokens + Math.max(0, t - bucket.at) * perMs) : limits.burst;

  function sweep(t: number): void {
    lastSweep = t;
    for (const [tenant, bucket] of buckets) {
      if (level(bucket, t) >= limits.burst) buckets.delete(tenant);
    }
  }

  return {
    limits,
    get size() {
      return buckets.size;
    },
    async take(tenantId: string, cost: number): Promise<RateDecision> {
      if (closed) throw new Error('rate limiter: closed');
      checkCost(cost);
      const t = now();
      if (t - lastSweep >= sweepIntervalMs) sweep(t);
      const tokens = level(buckets.get(tenantId), t);
      if (tokens + TOKEN_EPSILON >= cost) {
        buckets.set(tenantId, { tokens: Math.max(0, tokens - cost), at: t });
        return { allowed: true };
      }
      return { allowed: false, retryAfterMs: refillWaitMs(limits, tokens, cost) };
    },
    async ping(): Promise<void> {
      if (closed) throw new Error('rate limiter: closed');
    },
    async close(): Promise<void> {
      closed = true;
      buckets.clear();
    },
  };
}
