/**
 * The production SqlDatabase: a PostgreSQL server through a node-postgres connection pool.
 *
 * It behaves like the embedded adapter (storage/pglite) in what callers can see:
 *  - int8 comes back as a JS number, as PGlite returns it (counts and sequence numbers stay far
 *    below 2^53), timestamptz as Date, jsonb parsed;
 *  - a server that cannot be reached, refuses connections or is shutting down surfaces as a
 *    TransientError (the message names PostgreSQL), so consumers redeliver instead of
 *    dead-lettering and HTTP routes answer 503; SQL errors keep their SQLSTATE `code`.
 * Unlike PGlite, statements and transactions run concurrently on separate connections, so races
 * (two processes opening the same incident) are decided by the database's constraints.
 */
import pg from 'pg';
import { redactUrl } from '../../config/config.js';
import { errorMessage, TransientError } from '../../runtime/errors.js';
import { throttledWarning } from '../../runtime/throttled-warning.js';
import type { Logger } from '../../runtime/logger.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';

const INT8_OID = 20;

export interface PostgresOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  logger?: Logger;
  /** Pool size; a process rarely needs more than a few connections. */
  maxConnections?: number;
  /** A connection attempt slower than this fails (and the caller retries later). */
  connectTimeoutMs?: number;
}

/** Network errors of a lost or unreachable server (node-postgres passes Node's socket errors on). */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Connection lost or refused, server starting or shutting down (class 08 and 57P0x), too many
 * connections (53300), or node-postgres giving up on a connection (no code, a known message).
 */
function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return CONNECTION_ERRORS.has(code) || code.startsWith('08') || code.startsWith('57P0') || code === '53300';
  }
  const message = errorMessage(err);
  return /Connection terminated|timeout expired|Client has encountered a connection error|connection (is )?closed/i.test(message);
}

function translate(err: unknown): unknown {
  if (err instanceof TransientError || !isUnavailable(err)) return err;
  return new TransientError(`PostgreSQL unavailable: ${errorMessage(err)}`, { cause: err });
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
      try {
        return (await client.query(sql, params)).rows as Row[];
      } catch (err) {
        throw translate(err);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // No parameters: the simple query protocol, which runs several statements.
        await client.query(sql);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<SqlDatabase> {
  const typeParsers = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 8,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    types: typeParsers,
  });
  // An idle connection dropped by the server (restart, failover) is reported here; without a
  // listener it would crash the process. The pool replaces it on the next checkout.
  const warn = options.logger ? throttledWarning(options.logger, 5000) : () => {};
  pool.on('error', (err) => warn({ err, database: redactUrl(options.url) }, 'PostgreSQL connection lost; reconnecting on next use'));

  const direct = executor(pool);
  let closed = false;
  const db: SqlDatabase = {
    query: (sql, params) => direct.query(sql, params),
    exec: (sql) => direct.exec(sql),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw translate(err);
      }
      let broken: Error | undefined;
      // The pool listens for errors of idle connections only: one that dies while checked out
      // emits 'error' on its client, and unheard that is an uncaught exception that ends the
      // process. The query under way fails anyway; the connection is dropped on release.
      const onError = (err: Error) => {
        broken ??= err;
      };
      client.on('error', onError);
      try {
        const tx = executor(client);
        await tx.exec('BEGIN');
        try {
          const result = await fn(tx);
          await tx.exec('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch((rollbackErr: Error) => {
            // The connection is unusable: drop it from the pool instead of reusing it.
            broken = rollbackErr;
          });
          throw err;
        }
      } finally {
        client.release(broken);
        // Back in the pool, the pool listens again; a dropped one keeps ours for late errors.
        if (!broken) client.off('error', onError);
      }
    },
    async ping(): Promise<void> {
      await direct.query('select 1');
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return db;
}
