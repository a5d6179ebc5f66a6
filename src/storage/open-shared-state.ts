/**
 * The state gateway and normalizer processes share, by configuration: in Redis when REDIS_URL is
 * set (every process sees the same buckets and remembered ids), else in this process's memory
 * (embedded mode, one process). Each opened object owns its connection; close() releases it.
 * A Redis unreachable at startup does not fail startup: the objects reconnect by themselves and
 * fail with TransientError until they can (gateway: 503; normalizer: carries on without dedup).
 */
import type { Log0Config } from '../config/config.js';
import type { Logger } from '../runtime/logger.js';
import type { DedupCache } from './dedup-cache.js';
import { createMemoryDedupCache } from './memory/dedup-cache.js';
import { createMemoryRateLimiter } from './memory/rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { connectRedis } from './redis/client.js';
import { createRedisDedupCache } from './redis/dedup-cache.js';
import { createRedisRateLimiter } from './redis/rate-limiter.js';

/** The gateway's per-tenant limiter; null when rate limiting is off (LOG0_RATE_LIMIT_LOGS_PER_SECOND=0). */
export async function openRateLimiter(config: Pick<Log0Config, 'redis' | 'rateLimit'>, logger: Logger): Promise<RateLimiter | null> {
  const limits = config.rateLimit;
  if (!limits) return null;
  if (!config.redis) return createMemoryRateLimiter({ limits });
  const { url } = config.redis;
  const client = await connectRedis({ url, logger, name: 'rate-limiter', commandTimeoutMs: 1000 });
  return createRedisRateLimiter({ client, url, limits, ownsClient: true });
}

/** The normalizer's cache of processed eventIds, remembered for config.dedupTtlMs. */
export async function openDedupCache(config: Pick<Log0Config, 'redis' | 'dedupTtlMs'>, logger: Logger): Promise<DedupCache> {
  if (!config.redis) return createMemoryDedupCache({ ttlMs: config.dedupTtlMs });
  const { url } = config.redis;
  const client = await connectRedis({ url, logger, name: 'dedup-cache' });
  return createRedisDedupCache({ client, url, ttlMs: config.dedupTtlMs, ownsClient: true });
}
