/**
 * Clients for a ClickHouse URL such as http://user:password@host:8123/mydb: credentials and the
 * database come from the URL (database `default` when it has no path). The database is created
 * when missing, through a second, short-lived client on `default`, since a client bound to a
 * database that does not exist fails every request.
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { request } from './errors.js';
import { sql } from './quote.js';
import { ensureDatabase } from './schema.js';

export interface ClickHouseTarget {
  /** Origin with no credentials or path, e.g. http://127.0.0.1:8123. */
  origin: string;
  username?: string;
  password?: string;
  database: string;
}

/** Request timeout: long enough for a large insert or a FINAL count, short enough to retry. */
const REQUEST_TIMEOUT_MS = 60_000;

export function parseClickHouseUrl(url: string): ClickHouseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`not a ClickHouse URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`ClickHouse URL must be http(s): ${parsed.protocol}`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, ''));
  if (database.includes('/')) throw new TypeError(`ClickHouse URL path must be one database name, got ${JSON.stringify(database)}`);
  return {
    origin: `${parsed.protocol}//${parsed.host}`,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database: database || 'default',
  };
}

export function clientFor(target: ClickHouseTarget, database = target.database): ClickHouseClient {
  return createClient({
    url: target.origin,
    username: target.username,
    password: target.password,
    database,
    request_timeout: REQUEST_TIMEOUT_MS,
    // Failures reach the caller as errors; the client's own console logging would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** A client on the URL's database, created if missing. */
export async function connect(target: ClickHouseTarget): Promise<ClickHouseClient> {
  if (target.database !== 'default') {
    const admin = clientFor(target, 'default');
    try {
      const found = await request('connect', async () => {
        const result = await admin.query({ query: sql`SELECT 1 AS one FROM system.databases WHERE name = ${target.database}`.text, format: 'JSONEachRow' });
        return result.json();
      });
      if (found.length === 0) await ensureDatabase(admin, target.database);
    } finally {
      await admin.close();
    }
  }
  return clientFor(target);
}
