/**
 * The rate limiter port: one token bucket per tenant, counted in logs. A bucket holds at most
 * `burst` tokens and refills at `logsPerSecond`; a request of n logs takes n tokens or nothing.
 * Embedded adapter: storage/memory (one process). Shared adapter: storage/redis (every gateway
 * process draws on the same bucket). Both pass test/contract/rate-limiter.contract.ts.
 */

export interface RateLimits {
  /** Refill rate, tokens (logs) per second; > 0. */
  logsPerSecond: number;
  /** Bucket capacity: the most a tenant may send at once after being idle; > 0. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  readonly limits: RateLimits;
  /**
   * Takes `cost` tokens from the tenant's bucket, all or none: a refused take consumes nothing.
   * Refused: retryAfterMs (≥ 1) is the time until min(cost, burst) tokens are available — for
   * cost ≤ burst, when this same take will succeed (unless others take first); for cost > burst,
   * which can never succeed, when the bucket is full again (the earliest a split request fits).
   * Rejects with TransientError when the limiter's store is unavailable.
   */
  take(tenantId: string, cost: number): Promise<RateDecision>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function checkLimits(limits: RateLimits): RateLimits {
  const { logsPerSecond, burst } = limits;
  if (!(Number.isFinite(logsPerSecond) && logsPerSecond > 0) || !(Number.isFinite(burst) && burst > 0)) {
    throw new RangeError(`rate limits must be positive numbers, got ${JSON.stringify(limits)}`);
  }
  return { logsPerSecond, burst };
}

export function checkCost(cost: number): void {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`rate limiter: cost must be a number ≥ 0, got ${cost}`);
}

/** Milliseconds until a bucket holding `tokens` has `needed` (both ≤ burst), at least 1. */
export function refillWaitMs(limits: RateLimits, tokens: number, cost: number): number {
  const needed = Math.min(cost, limits.burst);
  return Math.max(1, Math.ceil(((needed - tokens) * 1000) / limits.logsPerSecond));
}

/** Float refills (0.1 + 0.2 …) must not refuse a take that is due. */
export const TOKEN_EPSILON = 1e-9;
