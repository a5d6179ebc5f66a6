/**
 * Log levels: clients send whatever their logging library prints (`error`, ` Warn `, `CRIT`, nothing).
 * Normalization keeps the client's level name (uppercased) rather than mapping it onto a fixed set, so no
 * information is lost; severity is the coarse, fixed classification derived from it.
 */
import type { Severity } from '../../contracts/types.js';

/** The level given to a log that arrives without one. */
export const DEFAULT_LEVEL = 'INFO';

/** Trimmed and uppercased; empty or missing → `INFO`. */
export function normalizeLevel(raw: string | undefined | null): string {
  const level = (raw ?? '').trim().toUpperCase();
  return level === '' ? DEFAULT_LEVEL : level;
}

/**
 * Level names by severity, covering the common libraries: log4j/logback, java.util.logging (SEVERE),
 * syslog (EMERG, ALERT, CRIT, ERR), Python logging (CRITICAL, WARNING), Go (PANIC), and their long forms.
 * Syslog NOTICE is below WARNING, hence LOW like INFO, DEBUG, TRACE and any unknown name.
 * Numeric levels are not mapped: pino (50 = error) and syslog (3 = error) disagree on what a number means.
 */
const HIGH_LEVELS: ReadonlySet<string> = new Set([
  'ERROR',
  'ERR',
  'FATAL',
  'CRITICAL',
  'CRIT',
  'SEVERE',
  'ALERT',
  'EMERG',
  'EMERGENCY',
  'PANIC',
]);
const MEDIUM_LEVELS: ReadonlySet<string> = new Set(['WARN', 'WARNING']);

/** HIGH for errors and worse, MEDIUM for warnings, LOW for everything else. Accepts raw or normalized levels. */
export function severityOfLevel(level: string | undefined | null): Severity {
  const normalized = normalizeLevel(level);
  if (HIGH_LEVELS.has(normalized)) return 'HIGH';
  if (MEDIUM_LEVELS.has(normalized)) return 'MEDIUM';
  return 'LOW';
}
