/**
 * How long logs are kept: a default number of days and shorter or longer ones per tenant.
 *
 * Three mechanisms, from cheapest to dearest:
 *  1. reads never return a log older than its tenant's retention (retentionCutoff, shared with
 *     the embedded store in ../retention-policy.ts, used by query.ts), so the policy holds to
 *     the millisecond whatever the cleanup below has done;
 *  2. whole UTC-day partitions older than the longest retention are dropped: ALTER TABLE … DROP
 *     PARTITION only unlinks files, whatever their size;
 *  3. rows of tenants whose retention is shorter than the longest are deleted by one ALTER
 *     TABLE … DELETE mutation. ClickHouse runs mutations in the background and rewrites every
 *     part they touch (18.16 rewrites all parts of the table), so a mutation is issued only when
 *     such rows exist, never while an earlier one is still running, and with cutoffs rounded
 *     down to UTC midnight: the condition then changes once a day, so at most one rewrite a day.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { request } from './errors.js';
import { DAY_MS, validateRetention, type LogRetention } from '../retention-policy.js';
import { joinSql, sql, type Sql } from './quote.js';
import { LOGS_TABLE } from './schema.js';

/** The policy itself is adapter-independent; re-exported for this adapter's public index. */
export type { LogRetention } from '../retention-policy.js';

export interface RetentionRun {
  /** Partition ids (UTC days as YYYYMMDD) dropped. */
  droppedPartitions: string[];
  /** Whether a DELETE mutation for shorter-retention tenants was issued. */
  deleteIssued: boolean;
}

function longestDays(retention: LogRetention): number {
  return Math.max(retention.defaultDays, ...retention.tenantDays.values());
}

function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** A partition id (YYYYMMDD) as the epoch ms of its day's start; undefined if not one. */
function partitionDayStart(partitionId: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(partitionId);
  return match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : undefined;
}

async function rows<T>(client: ClickHouseClient, operation: string, query: Sql): Promise<T[]> {
  return request(operation, async () => (await client.query({ query: query.text, format: 'JSONEachRow' })).json<T>());
}

/** Drops every day partition that ends before the longest retention's cutoff. */
async function dropExpiredPartitions(client: ClickHouseClient, retention: LogRetention, now: number): Promise<string[]> {
  const cutoff = now - longestDays(retention) * DAY_MS;
  const partitions = await rows<{ partition_id: string }>(
    client,
    'retention',
    sql`SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase() AND table = 'logs' AND active`,
  );
  const dropped: string[] = [];
  for (const { partition_id: id } of partitions) {
    const dayStart = partitionDayStart(id);
    if (dayStart === undefined || dayStart + DAY_MS > cutoff) continue;
    await request('retention', () => client.command({ query: sql`ALTER TABLE ${LOGS_TABLE} DROP PARTITION ID ${id}`.text }));
    dropped.push(id);
  }
  return dropped.sort();
}

/** Rows of tenants kept shorter than the longest retention, older than their (midnight-rounded) cutoff. */
function shorterRetentionCondition(retention: LogRetention, now: number): Sql | undefined {
  const longest = longestDays(retention);
  const deleteBefore = (days: number): number => startOfUtcDay(now - days * DAY_MS);
  const tenantList = (tenants: string[]): Sql => joinSql(tenants.map((tenant) => sql`${tenant}`), ', ');
  const byDays = new Map<number, string[]>();
  for (const [tenantId, days] of retention.tenantDays) {
    if (days < longest) byDays.set(days, [...(byDays.get(days) ?? []), tenantId]);
  }
  const groups: Sql[] = [...byDays].map(([days, tenants]) => sql`(tenant_id IN (${tenantList(tenants)}) AND timestamp_ms < ${deleteBefore(days)})`);
  if (retention.defaultDays < longest) {
    // Some tenant is kept longer than the default, so tenantDays is not empty here.
    const overridden = [...retention.tenantDays.keys()];
    groups.push(sql`(tenant_id NOT IN (${tenantList(overridden)}) AND timestamp_ms < ${deleteBefore(retention.defaultDays)})`);
  }
  return groups.length === 0 ? undefined : sql`(${joinSql(groups, ' OR ')})`;
}

async function deleteShorterRetentionRows(client: ClickHouseClient, retention: LogRetention, now: number): Promise<boolean> {
  const condition = shorterRetentionCondition(retention, now);
  if (!condition) return false;
  const pending = await rows<{ n: string }>(
    client,
    'retention',
    sql`SELECT count() AS n FROM system.mutations WHERE database = currentDatabase() AND table = 'logs' AND is_done = 0`,
  );
  if (Number(pending[0]?.n ?? 0) > 0) return false;
  const expired = await rows<{ one: number }>(client, 'retention', sql`SELECT 1 AS one FROM ${LOGS_TABLE} WHERE ${condition} LIMIT 1`);
  if (expired.length === 0) return false;
  await request('retention', () => client.command({ query: sql`ALTER TABLE ${LOGS_TABLE} DELETE WHERE ${condition}`.text }));
  return true;
}

/**
 * Applies the retention policy at `now` to the logs table of the client's database: drops
 * expired day partitions, then issues the delete for shorter-retention tenants (asynchronous:
 * ClickHouse finishes it in the background; reads hide those rows meanwhile).
 */
export async function applyLogRetention(client: ClickHouseClient, retention: LogRetention, now: number): Promise<RetentionRun> {
  validateRetention(retention);
  const droppedPartitions = await dropExpiredPartitions(client, retention, now);
  const deleteIssued = await deleteShorterRetentionRows(client, retention, now);
  return { droppedPartitions, deleteIssued };
}
