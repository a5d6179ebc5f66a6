/**
 * The log retention policy shared by every log store adapter: how many days a tenant's logs are
 * kept and the oldest timestamp its reads may return. Pure (no database), so the ClickHouse and
 * the embedded DuckDB stores apply exactly the same cutoffs; each adapter deletes in its own way.
 */

export const DAY_MS = 86_400_000;

export interface LogRetention {
  /** Days a tenant's logs are kept unless tenantDays says otherwise. */
  defaultDays: number;
  /** Days per tenant id, shorter or longer than the default. */
  tenantDays: ReadonlyMap<string, number>;
}

export function validateRetention(retention: LogRetention): void {
  const check = (days: number, what: string): void => {
    if (!Number.isSafeInteger(days) || days < 1) throw new RangeError(`${what} must be a positive whole number of days, got ${String(days)}`);
  };
  check(retention.defaultDays, 'retention.defaultDays');
  for (const [tenantId, days] of retention.tenantDays) check(days, `retention for tenant ${tenantId}`);
}

export function retentionDays(retention: LogRetention, tenantId: string): number {
  return retention.tenantDays.get(tenantId) ?? retention.defaultDays;
}

/** The oldest timestamp a tenant's reads may return at `now`; undefined without retention. */
export function retentionCutoff(retention: LogRetention | undefined, tenantId: string, now: number): number | undefined {
  return retention === undefined ? undefined : now - retentionDays(retention, tenantId) * DAY_MS;
}

/** How often a store applies its retention after the run at open. */
export const RETENTION_INTERVAL_MS = 3_600_000;

/**
 * Runs `apply` every RETENTION_INTERVAL_MS (unref'd: it never keeps the process alive); returns the
 * timer for clearInterval. A failed run is retried at the next tick; reads hide expired logs meanwhile.
 */
export function scheduleRetention(apply: () => Promise<unknown>): NodeJS.Timeout {
  const timer = setInterval(() => apply().catch(() => {}), RETENTION_INTERVAL_MS);
  timer.unref();
  return timer;
}
