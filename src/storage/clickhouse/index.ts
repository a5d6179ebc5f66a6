/** Production log store: the LogStore port on a ClickHouse server (18.16 and later). */
export { createClickHouseLogStore, type ClickHouseLogStore, type ClickHouseLogStoreOptions } from './clickhouse-log-store.js';
export { applyLogRetention, type LogRetention, type RetentionRun } from './retention.js';
export { parseClickHouseUrl, clientFor } from './connection.js';
