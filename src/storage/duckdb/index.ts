/** Embedded log store: the LogStore port on a DuckDB file. */
export { createDuckDbLogStore, type DuckDbLogStoreOptions } from './duckdb-log-store.js';
