/**
 * Table layout of the ClickHouse log store and the DDL that creates or checks it. Written in
 * the syntax both ClickHouse 18.16 (Debian's package) and current releases accept: no
 * LowCardinality, codecs or TTL (newer than 18.16), modern `ENGINE = … PARTITION BY … ORDER BY`.
 *
 *  - ORDER BY (tenant_id, timestamp_ms, event_id): every query is one tenant's newest logs in a
 *    time range, so the primary index narrows reads to that tenant and range; the sort key is
 *    also the log's identity (tenantId, eventId, timestamp) for deduplication.
 *  - ReplacingMergeTree: background merges collapse rows with equal sort keys, i.e. redelivered
 *    logs. Merges happen "eventually", so reads deduplicate too (see query.ts).
 *  - PARTITION BY the UTC day of timestamp_ms: retention drops whole days (retention.ts). The
 *    partition expression is over timestamp_ms itself, so each part's min/max timestamp_ms
 *    (ClickHouse keeps them for partition key columns) lets time-range and retention filters
 *    skip whole parts. Timestamps outside DateTime's range (before 1970, after 2106) are
 *    clamped into the first/last day; the timestamp itself is stored exactly.
 *  - timestamp_ms Int64 epoch milliseconds, like the DuckDB store: exact, cheap to compare.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { request } from './errors.js';
import { identifier, sql, type Sql } from './quote.js';

export const LOGS_TABLE = identifier('logs');
const META_TABLE = identifier('log_store_meta');
/** Bumped on every incompatible change of the layout below. */
export const SCHEMA_VERSION = 1;

export { LOG_COLUMNS } from '../log-query.js';

/**
 * The partition (UTC day, a Date) of a row; its partition id is the day as YYYYMMDD. Both
 * bounds are Int64: current releases find no common type for Int64 and a UInt64 literal.
 */
const DAY_OF_ROW = sql`toDate(toDateTime(intDiv(least(greatest(timestamp_ms, 0), toInt64(4294967295000)), 1000), 'UTC'))`;

const CREATE_LOGS = sql`
  CREATE TABLE IF NOT EXISTS ${LOGS_TABLE} (
    tenant_id         String,
    event_id          String,
    timestamp_ms      Int64,
    service_name      String,
    environment       String,
    level             String,
    message           String,
    message_template  String,
    fingerprint       String,
    exception_type    Nullable(String),
    first_stack_frame Nullable(String),
    trace             Nullable(String),
    trace_id          Nullable(String),
    attributes_json   Nullable(String)
  )
  ENGINE = ReplacingMergeTree()
  PARTITION BY ${DAY_OF_ROW}
  ORDER BY (tenant_id, timestamp_ms, event_id)`;

const CREATE_META = sql`
  CREATE TABLE IF NOT EXISTS ${META_TABLE} (key String, value String)
  ENGINE = ReplacingMergeTree() ORDER BY key`;

async function run(client: ClickHouseClient, statement: Sql): Promise<void> {
  await request('schema setup', () => client.command({ query: statement.text }));
}

async function storedVersion(client: ClickHouseClient): Promise<string | undefined> {
  const rows = await request('schema check', async () => {
    const result = await client.query({ query: sql`SELECT value FROM ${META_TABLE} FINAL WHERE key = 'schema_version'`.text, format: 'JSONEachRow' });
    return result.json<{ value: string }>();
  });
  return rows[0]?.value;
}

/** Creates the database when missing (through a client on any database, e.g. `default`). */
export async function ensureDatabase(client: ClickHouseClient, database: string): Promise<void> {
  await run(client, sql`CREATE DATABASE IF NOT EXISTS ${identifier(database)}`);
}

/**
 * Creates the tables in the client's database when missing and refuses a database written by
 * another schema version, which this code would misread.
 */
export async function ensureSchema(client: ClickHouseClient, database: string): Promise<void> {
  await run(client, CREATE_META);
  await run(client, CREATE_LOGS);
  let stored = await storedVersion(client);
  if (stored === undefined) {
    // Two stores opening a fresh database at once both insert the same row: harmless (FINAL above).
    await request('schema setup', () =>
      client.insert({ table: META_TABLE.text, values: [{ key: 'schema_version', value: String(SCHEMA_VERSION) }], format: 'JSONEachRow' }),
    );
    stored = await storedVersion(client);
  }
  if (stored !== String(SCHEMA_VERSION)) {
    throw new Error(
      `log store database ${database}: schema version ${String(stored)} is not the supported version ${SCHEMA_VERSION}` +
        ' (written by another log0 version?)',
    );
  }
}
