/**
 * The embedded SqlDatabase: PGlite (PostgreSQL compiled to WASM) in-process, its data directory
 * on the local disk.
 *
 * Durability: PGlite starts PostgreSQL with fsync off and its Node filesystem has no fsync at all,
 * so a commit only reaches the OS page cache and a power loss could take it away. We start
 * PostgreSQL with fsync on (wal_sync_method=fsync) and give the filesystem a real fsync, so a
 * transaction is on disk when its COMMIT returns, as with a PostgreSQL server.
 *
 * Concurrency: PGlite is one single-user backend; it queues queries and transactions itself, so
 * transactions never interleave. A query issued on the database (instead of on the transaction's
 * executor) from inside a transaction would wait for that transaction forever; we reject it instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fsyncSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { TransientError } from '../../runtime/errors.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';

/** errno EIO, returned to PostgreSQL when an fsync fails (it then PANICs rather than lose data). */
const EIO = 29;

interface NodeStream {
  nfd?: number;
}

/** Emscripten's NODEFS as PGlite's module exposes it; the only part we touch. */
interface EmscriptenNodeFs {
  stream_ops: { fsync?: (stream: NodeStream) => number };
}

/** Node filesystem whose fsync reaches the disk. */
class DurableNodeFS extends NodeFS {
  hooked = false;

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    const installFsync = (mod: unknown) => {
      const nodefs = (mod as { NODEFS?: EmscriptenNodeFs }).NODEFS;
      if (!nodefs?.stream_ops) return; // checked after startup: openPgliteDatabase refuses to run without it
      nodefs.stream_ops.fsync = (stream) => {
        if (stream.nfd === undefined) return 0;
        try {
          fsyncSync(stream.nfd);
          return 0;
        } catch {
          return EIO;
        }
      };
      this.hooked = true;
    };
    result.emscriptenOpts.preRun = [...(Array.isArray(preRun) ? preRun : [preRun]), installFsync];
    return result;
  }
}

/** PGlite's start parameters with fsync on: `-F` (fsync off) removed, WAL flushed with fsync(). */
function durableStartParams(): string[] {
  return [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync'];
}

function executor(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
      const result = await target.query<Row>(sql, params);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/** Opens (creating it when missing) the database stored in `dir`. */
export async function openPgliteDatabase(dir: string): Promise<SqlDatabase> {
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  const fs = new DurableNodeFS(dataDir);
  const pg = await PGlite.create({ fs, startParams: durableStartParams() });

  const fsyncSetting = (await pg.query<{ fsync: string }>('show fsync')).rows[0]?.fsync;
  if (!fs.hooked || fsyncSetting !== 'on') {
    await pg.close();
    throw new Error(
      `pglite: cannot make commits durable in ${dataDir} (fsync=${fsyncSetting}, fsync hook ${fs.hooked ? 'installed' : 'missing'}); ` +
        'this @electric-sql/pglite version is not supported',
    );
  }

  const inTransaction = new AsyncLocalStorage<true>();
  const outside = executor(pg);
  let closed = false;

  function assertUsable(): void {
    // Transient: work arriving during shutdown is retried by the next run, not dead-lettered.
    if (closed) throw new TransientError('pglite: the database is closed');
    if (inTransaction.getStore()) {
      throw new Error('pglite: query issued on the database inside a transaction; use the transaction executor');
    }
  }

  return {
    async query<Row>(sql: string, params?: unknown[]): Promise<Row[]> {
      assertUsable();
      return outside.query<Row>(sql, params);
    },
    async exec(sql: string): Promise<void> {
      assertUsable();
      return outside.exec(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      assertUsable();
      return pg.transaction((tx) => inTransaction.run(true, () => fn(executor(tx))));
    },
    async ping(): Promise<void> {
      assertUsable();
      await pg.query('select 1');
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await pg.close();
    },
  };
}
