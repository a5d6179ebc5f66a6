/**
 * The shared RateLimiter: one token bucket per tenant in Redis, so every gateway process draws on
 * the same bucket. Each take is one atomic Lua script (refill, compare, take) keyed
 * `log0:ratelimit:<tenantId>`; its clock is Redis's own TIME, so gateways with skewed clocks still
 * agree. A bucket's key expires once it would be full again — an idle tenant's bucket is the same
 * as no bucket — so idle tenants cost no memory. Redis ≥ 5 (scripts replicated by effects,
 * which lets a script that called TIME write).
 */
import { checkCost, checkLimits, type RateDecision, type RateLimiter, type RateLimits } from '../rate-limiter.js';
import { closeRedis, redisFailure, type RedisClient } from './client.js';
import { luaScript, runScript } from './script.js';

/** KEYS[1] bucket hash {t: tokens, at: ms}; ARGV rate (tokens/s), burst, cost. → {allowed, retryAfterMs} */
const TAKE = luaScript(`
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens = burst
if state[1] and state[2] then
  local elapsed = math.max(0, now - tonumber(state[2]))
  tokens = math.min(burst, tonumber(state[1]) + elapsed * rate / 1000)
end
if tokens + 1e-9 >= cost then
  tokens = math.max(0, tokens - cost)
  redis.call('HSET', KEYS[1], 't', tokens, 'at', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
  return {1, 0}
end
local needed = math.min(cost, burst)
return {0, math.max(1, math.ceil((needed - tokens) * 1000 / rate))}
`);

export interface RedisRateLimiterOptions {
  client: RedisClient;
  /** For error messages (the client's URL). */
  url: string;
  limits: RateLimits;
  /** Tests isolate their keys with their own prefix. */
  keyPrefix?: string;
  /** close() closes the client too (it was opened for this limiter alone). */
  ownsClient?: boolean;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { client, url } = options;
  const limits = checkLimits(options.limits);
  const prefix = options.keyPrefix ?? 'log0:ratelimit:';
  const rate = String(limits.logsPerSecond);
  const burst = String(limits.burst);

  return {
    limits,
    async take(tenantId: string, cost: number): Promise<RateDecision> {
      checkCost(cost);
      let reply: unknown;
      try {
        reply = await runScript(client, TAKE, [prefix + tenantId], [rate, burst, String(cost)]);
      } catch (err) {
        throw redisFailure(url, err);
      }
      const [allowed, retryAfterMs] = reply as [number, number];
      return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: Number(retryAfterMs) };
    },
    async ping(): Promise<void> {
      try {
        await client.ping();
      } catch (err) {
        throw redisFailure(url, err);
      }
    },
    async close(): Promise<void> {
      if (options.ownsClient) await closeRedis(client);
    },
  };
}
