/**
 * Table layout of the embedded log store and the DDL that creates or checks it.
 *
 * One row per log, kept in insertion order. DuckDB has no clustered index; its per-row-group
 * and per-segment min/max statistics (zone maps) follow insertion order, and logs arrive in
 * roughly timestamp order, so time-range filters skip everything outside the range.
 * The timestamp is epoch milliseconds in a BIGINT: comparisons and zone maps on a plain
 * integer are the cheapest DuckDB has, and the appender takes it without any date conversion.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export const LOGS_TABLE = 'logs';
export const STAGING_TABLE = 'logs_staging';
const META_TABLE = 'log_store_meta';
/** Bumped on every incompatible change of the layout below. */
export const SCHEMA_VERSION = 1;

export { LOG_COLUMNS } from '../log-query.js';

const COLUMN_DEFINITIONS = `
  tenant_id         VARCHAR NOT NULL,
  event_id          VARCHAR NOT NULL,
  timestamp_ms      BIGINT  NOT NULL,  -- epoch ms; returned as new Date(ms).toISOString()
  service_name      VARCHAR NOT NULL,
  environment       VARCHAR NOT NULL,
  level             VARCHAR NOT NULL,
  message           VARCHAR NOT NULL,
  message_template  VARCHAR NOT NULL,
  fingerprint       VARCHAR NOT NULL,
  exception_type    VARCHAR,
  first_stack_frame VARCHAR,
  trace             VARCHAR,
  trace_id          VARCHAR,
  attributes_json   VARCHAR            -- NormalizedLogEvent.attributes as JSON text
`;

/**
 * Creates the tables on a fresh file and refuses a file written by a newer schema version,
 * which this code would misread.
 */
export async function ensureSchema(connection: DuckDBConnection, path: string): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${LOGS_TABLE} (${COLUMN_DEFINITIONS})`);
  await connection.run(`INSERT OR IGNORE INTO ${META_TABLE} VALUES ('schema_version', $1)`, [String(SCHEMA_VERSION)]);
  const reader = await connection.runAndReadAll(`SELECT value FROM ${META_TABLE} WHERE key = 'schema_version'`);
  const stored = Number(reader.getRows()[0]?.[0]);
  if (stored !== SCHEMA_VERSION) {
    throw new Error(
      `log store ${path}: schema version ${String(reader.getRows()[0]?.[0])} is not the supported version ${SCHEMA_VERSION}` +
        ' (written by another log0 version?)',
    );
  }
}

/**
 * The staging table lives in the writer connection's temp catalog: in memory, never in the
 * WAL, invisible to readers. Each batch is appended there and moved to the logs table by one
 * INSERT ... SELECT, which is what makes the batch one transaction and deduplicates it.
 */
export async function createStagingTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE OR REPLACE TEMP TABLE ${STAGING_TABLE} (${COLUMN_DEFINITIONS})`);
}
