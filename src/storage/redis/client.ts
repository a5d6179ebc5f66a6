/**
 * One Redis connection (@redis/client) for log0's shared state (rate limits, dedup cache), tuned
 * so an unavailable Redis costs a fast, retryable failure and never a hang or a crash:
 *  - a short connect timeout, then reconnects forever with capped exponential backoff, so a
 *    restarted Redis is picked up without restarting log0;
 *  - no offline queue: while disconnected a command fails at once (the gateway answers 503)
 *    instead of waiting for a reconnect that may never come;
 *  - a per-command timeout, so a Redis that accepts connections but stalls fails too;
 *  - 'error' events (one per failed reconnect) are logged at most every few seconds; without a
 *    listener they would crash the process.
 * Failures surface as TransientError naming Redis (redisFailure).
 */
import { createClient, type RedisClientType } from '@redis/client';
import { redactUrl } from '../../config/config.js';
import { throttledWarning } from '../../runtime/throttled-warning.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import type { Logger } from '../../runtime/logger.js';

export type RedisClient = RedisClientType;

export interface RedisConnectOptions {
  /** redis[s]://[[user]:password@]host[:port][/db] */
  url: string;
  logger?: Logger;
  /** What this connection is for, in logs and as the CLIENT SETNAME. */
  name: string;
  /** A connection attempt slower than this fails (and is retried after the backoff). */
  connectTimeoutMs?: number;
  /** A command without a reply after this long fails. */
  commandTimeoutMs?: number;
  /** Upper bound of the reconnect backoff. */
  maxReconnectDelayMs?: number;
  /**
   * How long connectRedis waits for the first connection. Redis still unreachable then: the
   * client is returned anyway, its commands fail until a reconnect succeeds.
   */
  waitReadyMs?: number;
}

const ERROR_LOG_INTERVAL_MS = 5000;

/** Any failure of a Redis command as the TransientError callers retry on. */
export function redisFailure(url: string, err: unknown): TransientError {
  if (err instanceof TransientError) return err;
  return new TransientError(`Redis at ${redactUrl(url)} unavailable: ${errorMessage(err)}`, { cause: err });
}

/** Exponential from 100 ms, capped, with jitter so many processes do not reconnect in step. */
export function reconnectDelay(retries: number, maxMs: number): number {
  const base = Math.min(100 * 2 ** Math.min(retries, 16), maxMs);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

export async function connectRedis(options: RedisConnectOptions): Promise<RedisClient> {
  const { url, logger, name } = options;
  const connectTimeout = options.connectTimeoutMs ?? 2000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const client: RedisClient = createClient({
    url,
    name: `log0-${name}`,
    disableOfflineQueue: true,
    commandOptions: { timeout: options.commandTimeoutMs ?? 2000 },
    socket: { connectTimeout, reconnectStrategy: (retries) => reconnectDelay(retries, maxDelay) },
  });

  const shownUrl = redactUrl(url);
  const warn = logger ? throttledWarning(logger, ERROR_LOG_INTERVAL_MS) : () => {};
  let failing = false;
  client.on('error', (err: unknown) => {
    failing = true;
    warn({ redis: shownUrl, use: name, err: errorMessage(err) }, 'Redis unavailable; reconnecting');
  });
  client.on('ready', () => {
    if (failing) logger?.info({ redis: shownUrl, use: name }, 'Redis reachable again');
    failing = false;
  });

  // connect() resolves only once connected (it keeps retrying); a Redis down at startup must not
  // hold startup forever, so it runs in the background and is awaited for a short while only.
  const connected = client.connect().then(
    () => true,
    () => false, // closed before it ever connected; the error was emitted (and logged) already
  );
  const waitMs = options.waitReadyMs ?? connectTimeout;
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([connected, new Promise<false>((r) => (timer = setTimeout(() => r(false), waitMs)))]);
  clearTimeout(timer);
  if (!ready) logger?.warn({ redis: shownUrl, use: name }, 'Redis not reachable yet; its commands fail until it is');
  return client;
}

/** Closes without waiting on a Redis that is gone: pending commands are failed, not awaited. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  if (client.isReady) {
    await client.close();
  } else {
    client.destroy();
  }
}
