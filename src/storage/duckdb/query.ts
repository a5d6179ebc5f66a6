/**
 * SQL for search and count. Every value is a bound parameter; only fixed SQL fragments chosen
 * by which filters are present are concatenated.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { LogFilter } from '../log-query.js';
import type { LogQuery } from '../log-store.js';
import { SELECTED_COLUMNS } from './rows.js';
import { LOGS_TABLE } from './schema.js';

export interface Sql {
  text: string;
  params: DuckDBValue[];
}

/** ILIKE pattern matching `text` anywhere, with the pattern characters of `text` taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function whereClause(filter: LogFilter, params: DuckDBValue[]): string {
  const conditions: string[] = [];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  conditions.push(`tenant_id = ${bind(filter.tenantId)}`);
  if (filter.serviceName !== undefined) conditions.push(`service_name = ${bind(filter.serviceName)}`);
  if (filter.environment !== undefined) conditions.push(`environment = ${bind(filter.environment)}`);
  if (filter.level !== undefined) conditions.push(`level = ${bind(filter.level)}`);
  if (filter.fingerprint !== undefined) conditions.push(`fingerprint = ${bind(filter.fingerprint)}`);
  if (filter.from !== undefined) conditions.push(`timestamp_ms >= ${bind(BigInt(filter.from))}`);
  if (filter.to !== undefined) conditions.push(`timestamp_ms < ${bind(BigInt(filter.to))}`);
  // An empty text is a substring of every message: no condition needed.
  if (filter.text) conditions.push(`message ILIKE ${bind(containsPattern(filter.text))} ESCAPE '\\'`);
  return conditions.join(' AND ');
}

export function searchSql(query: LogQuery): Sql {
  const params: DuckDBValue[] = [];
  let where = whereClause(query, params);
  if (query.after) {
    const ts = `$${params.push(BigInt(query.after.timestamp))}`;
    const id = `$${params.push(query.after.eventId)}`;
    // The plain `<=` lets zone maps skip newer row groups; the OR is the exact keyset bound.
    where += ` AND timestamp_ms <= ${ts} AND (timestamp_ms < ${ts} OR event_id < ${id})`;
  }
  const limit = `$${params.push(query.limit)}`;
  return {
    text: `SELECT ${SELECTED_COLUMNS} FROM ${LOGS_TABLE} WHERE ${where} ORDER BY timestamp_ms DESC, event_id DESC LIMIT ${limit}`,
    params,
  };
}

export function countSql(filter: LogFilter): Sql {
  const params: DuckDBValue[] = [];
  const where = whereClause(filter, params);
  return { text: `SELECT count(*) FROM ${LOGS_TABLE} WHERE ${where}`, params };
}
