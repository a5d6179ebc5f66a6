/**
 * A warning logged at most once per interval, with the count of occurrences it stood for: a
 * dependency that is down fails every request or batch, and one line per failure would flood the log.
 */
import type { Logger } from './logger.js';

export type ThrottledWarning = (fields: Record<string, unknown>, message: string) => void;

export function throttledWarning(logger: Pick<Logger, 'warn' | 'error'>, intervalMs = 10_000, level: 'warn' | 'error' = 'warn'): ThrottledWarning {
  let last = -Infinity;
  let suppressed = 0;
  return (fields, message) => {
    const now = performance.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    logger[level]({ ...fields, suppressed }, message);
    last = now;
    suppressed = 0;
  };
}
