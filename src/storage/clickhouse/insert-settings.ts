/**
 * Settings sent with every insert, chosen by what the server knows: 18.16 rejects a query
 * naming a setting it does not have, so each is sent only where system.settings lists it.
 *
 * max_partitions_per_insert_block = 0: current releases refuse an insert touching more than
 * 100 partitions (days, here) with TOO_MANY_PARTS, which is also the code for "merges are
 * behind" and so retried as transient: a batch of stragglers spanning months would be retried
 * forever. 18.16 has no such limit.
 */
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { request } from './errors.js';
import { joinSql, sql } from './quote.js';

const WANTED: Record<string, string> = {
  max_partitions_per_insert_block: '0',
};

export async function insertSettings(client: ClickHouseClient): Promise<ClickHouseSettings> {
  const names = Object.keys(WANTED);
  const query = sql`SELECT name FROM system.settings WHERE name IN (${joinSql(names.map((name) => sql`${name}`), ', ')})`;
  const known = await request('connect', async () => (await client.query({ query: query.text, format: 'JSONEachRow' })).json<{ name: string }>());
  return Object.fromEntries(known.map(({ name }) => [name, WANTED[name]])) as ClickHouseSettings;
}
