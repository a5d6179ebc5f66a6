/**
 * Deletes the embedded store's logs past their tenant's retention (../retention-policy.ts).
 * Reads already hide them to the millisecond (duckdb-log-store.ts); this frees their space.
 *
 * Cheap on millions of rows because every DELETE is bounded by `timestamp_ms < cutoff`: logs are
 * stored in roughly timestamp order, so the timestamp zone maps skip every row group newer than
 * the cutoff, and there is never a per-tenant scan of the whole table:
 *  - one DELETE for every tenant kept the default number of days (or fewer: their rows older
 *    than the default cutoff are expired too), excluding by a NOT IN list only the tenants kept
 *    longer;
 *  - one DELETE per distinct shorter retention, for its tenants' rows between the default cutoff
 *    and theirs (older ones went with the first delete);
 *  - one DELETE per distinct longer retention, for its tenants' rows older than their cutoff.
 * Every value is a bound parameter. Each DELETE commits on its own, so an interrupted run leaves
 * nothing half done that the next run would not finish; rerunning deletes nothing new.
 */
import { BIGINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { DAY_MS, validateRetention, type LogRetention } from '../retention-policy.js';
import { LOGS_TABLE } from './schema.js';

export interface DuckDbRetentionRun {
  /** Logs deleted by this run. */
  deletedRows: number;
}

export interface RetentionDelete {
  text: string;
  params: DuckDBValue[];
  /** Bound types: BIGINT for timestamps (a JS bigint alone would bind as HUGEINT). */
  types: DuckDBType[];
}

/**
 * The oldest timestamp kept for a retention of `days` at `now`, as an integer: logs are kept
 * when timestamp_ms >= cutoff, exactly as reads (retentionCutoff) hide them.
 */
export function cutoffMs(now: number, days: number): number {
  return Math.ceil(now - days * DAY_MS);
}

/** Tenants with an explicit retention other than the default, grouped by their days. */
function tenantsByDays(retention: LogRetention): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const [tenantId, days] of retention.tenantDays) {
    if (days === retention.defaultDays) continue;
    const group = groups.get(days);
    if (group) group.push(tenantId);
    else groups.set(days, [tenantId]);
  }
  return groups;
}

/** The DELETE statements applying `retention` at `now`, default first. */
export function retentionDeletes(retention: LogRetention, now: number): RetentionDelete[] {
  validateRetention(retention);
  const defaultCutoff = BigInt(cutoffMs(now, retention.defaultDays));
  const groups = tenantsByDays(retention);
  const statements: RetentionDelete[] = [];

  const keptLonger = [...groups].filter(([days]) => days > retention.defaultDays).flatMap(([, tenants]) => tenants);
  const notIn = keptLonger.length === 0 ? '' : ` AND tenant_id NOT IN (${keptLonger.map((_, i) => `$${i + 2}`).join(', ')})`;
  statements.push({
    text: `DELETE FROM ${LOGS_TABLE} WHERE timestamp_ms < $1${notIn}`,
    params: [defaultCutoff, ...keptLonger],
    types: [BIGINT, ...keptLonger.map(() => VARCHAR)],
  });

  for (const [days, tenants] of groups) {
    const shorter = days < retention.defaultDays;
    const first = shorter ? 3 : 2;
    const inList = tenants.map((_, i) => `$${i + first}`).join(', ');
    const lowerBound = shorter ? ' AND timestamp_ms >= $2' : '';
    statements.push({
      text: `DELETE FROM ${LOGS_TABLE} WHERE timestamp_ms < $1${lowerBound} AND tenant_id IN (${inList})`,
      params: [BigInt(cutoffMs(now, days)), ...(shorter ? [defaultCutoff] : []), ...tenants],
      types: [BIGINT, ...(shorter ? [BIGINT] : []), ...tenants.map(() => VARCHAR)],
    });
  }
  return statements;
}

/**
 * Applies the retention policy at `now` on `connection`. Callers serialize it with the
 * connection's other work (the store runs it on its writer queue, between appends).
 */
export async function applyLogRetention(connection: DuckDBConnection, retention: LogRetention, now: number): Promise<DuckDbRetentionRun> {
  let deletedRows = 0;
  for (const statement of retentionDeletes(retention, now)) {
    const result = await connection.run(statement.text, statement.params, statement.types);
    deletedRows += result.rowsChanged;
  }
  return { deletedRows };
}
