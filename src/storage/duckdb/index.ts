/** Embedded log store: the LogStore port on a DuckDB file. */
export { createDuckDbLogStore, type DuckDbLogStore, type DuckDbLogStoreOptions } from './duckdb-log-store.js';
export type { DuckDbRetentionRun } from './retention.js';
