/**
 * The log store by configuration: ClickHouse when CLICKHOUSE_URL is set, else the embedded DuckDB
 * file at `embeddedPath`. Both apply the same retention (LOG0_LOG_RETENTION_DAYS, per tenant
 * LOG0_TENANT_RETENTION_DAYS): reads hide expired logs, an hourly job deletes them.
 */
import type { Log0Config } from '../config/config.js';
import { createClickHouseLogStore } from './clickhouse/index.js';
import { createDuckDbLogStore } from './duckdb/index.js';
import type { LogStore } from './log-store.js';

export async function openLogStore(config: Pick<Log0Config, 'clickhouse' | 'duckdb' | 'logRetention'>, embeddedPath: string): Promise<LogStore> {
  if (!config.clickhouse) {
    return createDuckDbLogStore({ path: embeddedPath, retention: config.logRetention, flushIntervalMs: config.duckdb.flushIntervalMs });
  }
  const { url, batchRows, flushIntervalMs } = config.clickhouse;
  return createClickHouseLogStore({ url, batchRows, flushIntervalMs, retention: config.logRetention });
}
