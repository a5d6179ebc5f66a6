/**
 * The embedded SqlDatabase: PGlite (PostgreSQL compiled to WASM) with its data directory on the
 * local disk, running in a worker thread (worker.ts) so its CPU work leaves the main thread free
 * for the pipeline. Durable: a transaction is on disk when COMMIT returns (engine.ts).
 *
 * Concurrency: PGlite is a single-user backend, one session. Statements and transactions take
 * turns through one queue here, so a transaction's BEGIN … COMMIT never interleaves with anything
 * else. A statement issued on the database (instead of on the transaction's executor) from inside
 * a transaction would wait for that transaction forever; it is rejected instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Worker } from 'node:worker_threads';
import { TransientError } from '../../runtime/errors.js';
import type { SqlDatabase, SqlExecutor } from '../sql-database.js';
import { fromWorkerError, type WorkerRequest, type WorkerResponse } from './protocol.js';

type Pending = { resolve: (rows: unknown[]) => void; reject: (err: Error) => void };
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * PGlite runs PostgreSQL as a single-user backend: no autovacuum, so without this nothing would
 * ever gather planner statistics (plans stay those of empty tables as they grow) or reclaim the
 * dead rows that updates leave (incidents, windows and the outbox are updated all the time).
 */
const MAINTENANCE_INTERVAL_MS = 10 * 60_000;

/** Opens (creating it when missing) the database stored in `dir`. */
export async function openPgliteDatabase(dir: string, options: { maintenanceIntervalMs?: number } = {}): Promise<SqlDatabase> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { dir } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: WorkerResponse | { ready: true }) => {
      if ('ready' in message) {
        resolve();
      } else if ('fatal' in message) {
        reject(fromWorkerError(message.error));
      }
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
  });

  worker.on('message', (message: WorkerResponse) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if (message.ok) waiting.resolve(message.rows ?? []);
    else waiting.reject(fromWorkerError(message.error));
  });
  const failAll = (err: Error) => {
    failure = new TransientError(`pglite worker stopped: ${err.message}`);
    for (const waiting of pending.values()) waiting.reject(failure);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`exit code ${code}`)));

  function send(request: Request): Promise<unknown[]> {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  const direct: SqlExecutor = {
    query: <Row>(sql: string, params: unknown[] = []) => send({ op: 'query', sql, params }) as Promise<Row[]>,
    exec: async (sql: string) => void (await send({ op: 'exec', sql })),
  };

  // One turn at a time: a statement or a whole transaction.
  let queue: Promise<unknown> = Promise.resolve();
  const inTransaction = new AsyncLocalStorage<true>();
  let closed = false;

  function turn<T>(work: () => Promise<T>): Promise<T> {
    // Transient: work arriving during shutdown is retried by the next run, not dead-lettered.
    if (closed) return Promise.reject(new TransientError('pglite: the database is closed'));
    if (inTransaction.getStore()) {
      return Promise.reject(new Error('pglite: query issued on the database inside a transaction; use the transaction executor'));
    }
    const result = queue.then(work, work);
    queue = result.catch(() => undefined);
    return result;
  }

  // VACUUM cannot run inside a transaction: it takes its own turn, between the others.
  const maintenance = setInterval(() => {
    if (!closed) turn(() => direct.exec('VACUUM (ANALYZE)')).catch(() => undefined);
  }, options.maintenanceIntervalMs ?? MAINTENANCE_INTERVAL_MS);
  maintenance.unref();

  return {
    query: <Row>(sql: string, params?: unknown[]) => turn(() => direct.query<Row>(sql, params)),
    exec: (sql: string) => turn(() => direct.exec(sql)),
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
      turn(async () => {
        await direct.exec('BEGIN');
        try {
          const result = await inTransaction.run(true, () => fn(direct));
          await direct.exec('COMMIT');
          return result;
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }),
    ping: () => turn(async () => void (await direct.query('select 1'))),
    async close(): Promise<void> {
      if (closed) return;
      clearInterval(maintenance);
      await turn(async () => {
        closed = true;
        await send({ op: 'close' });
      });
      await worker.terminate();
    },
  };
}
