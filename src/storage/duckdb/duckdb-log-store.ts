/**
 * The embedded LogStore on one DuckDB file.
 *
 * One writer connection (batches are serialized: they share a staging table and DuckDB
 * would abort concurrent appends to one table on conflict anyway) and a few reader
 * connections, so searches run in parallel with appends and with each other. DuckDB's MVCC
 * gives every search a snapshot of committed batches only.
 *
 * Retention is the ClickHouse store's policy (../retention-policy.ts): reads hide logs older
 * than their tenant's cutoff to the millisecond, and retention.ts deletes them on the writer
 * connection, queued between appends, once at open and hourly.
 */
import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import type { AppendOptions, LogPage, LogQuery, LogStore } from '../log-store.js';
import { retentionCutoff, validateRetention, type LogRetention, scheduleRetention } from '../retention-policy.js';
import { pageOf, validateFilter, validateQuery, type LogFilter } from '../log-query.js';
import { countSql, searchSql, type Sql } from './query.js';
import { applyLogRetention, type DuckDbRetentionRun } from './retention.js';
import { DirectAppends, MAX_DIRECT_BATCH_ROWS } from './direct-appends.js';
import { fromRow, stageLog, type StagedLog } from './rows.js';
import { ensureSchema } from './schema.js';
import { SerialQueue } from './serial-queue.js';
import { LogWriter } from './writer.js';
import { BatchWriter, DEFAULT_FLUSH_INTERVAL_MS } from '../../runtime/batch-writer.js';

export interface DuckDbLogStoreOptions {
  /** Database file, e.g. <dataDir>/logs.duckdb; its folder is created if missing. */
  path: string;
  /** Connections serving search/count in parallel. Default 2. */
  readers?: number;
  /** DuckDB memory_limit (e.g. '1GB'). Default: DuckDB's, 80% of RAM. */
  memoryLimit?: string;
  /** WAL size after which the store checkpoints (e.g. '64MB'; the default, see below). */
  checkpointThreshold?: string;
  /**
   * Least time between the starts of two appends of the same kind, in ms; what arrives meanwhile
   * goes in together (runtime/batch-writer.ts). Default 100. A commit costs ≈ 2.5 ms of CPU however
   * small, so a stream of small appends (single-log requests) would otherwise be mostly commits.
   */
  flushIntervalMs?: number;
  /** An append is started early once this many logs wait for it. Default 20,000. */
  batchRows?: number;
  /** Without it, logs are kept forever. */
  retention?: LogRetention;
  /** Told when a checkpoint fails (a failing disk also fails the next append, which callers see). */
  onWarning?: (message: string) => void;
  /** Clock for retention (epoch ms); Date.now by default. */
  now?: () => number;
}

/** The LogStore port plus what operators and tests need of this adapter. */
export interface DuckDbLogStore extends LogStore {
  /** Deletes expired logs now (null without a retention policy); also runs at open and hourly. */
  applyRetention(): Promise<DuckDbRetentionRun | null>;
}


/**
 * DuckDB's 16MB default rewrites the growing last row group every few thousand rows:
 * measured at 1M logs, 64MB doubles append throughput and shrinks the file by a quarter.
 * The cost is at restart after a crash: replaying a 56MB WAL (~100k logs) took 0.26 s.
 *
 * The store checkpoints itself rather than leaving it to DuckDB: DuckDB checkpoints inside the
 * commit that crosses the threshold, and an appender's commit (writer.ts) runs on this thread,
 * so its checkpoint (~0.6 s) would stall every search served here. After an append that leaves
 * the WAL past the threshold, a CHECKPOINT statement runs on DuckDB's own threads instead.
 */
const DEFAULT_CHECKPOINT_THRESHOLD = '64MB';
const DEFAULT_BATCH_ROWS = 20_000;
/** What DuckDB is told, so it never checkpoints on its own. */
const NEVER = '1000000GB';

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/** Bytes of a DuckDB size setting such as '64MB' or '1.5GiB'. */
export function sizeInBytes(size: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(size);
  const unit = m ? SIZE_UNITS[(m[2] || 'B').toUpperCase()] : undefined;
  if (!m || unit === undefined) throw new RangeError(`checkpointThreshold: "${size}" is not a size such as 64MB`);
  return Math.round(Number(m[1]) * unit);
}

interface ReaderConnection {
  connection: DuckDBConnection;
  queue: SerialQueue;
}

class DuckDbStore implements DuckDbLogStore {
  private readonly writeQueue = new SerialQueue();
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRunning: Promise<DuckDbRetentionRun | null> | null = null;
  private checkpointing: Promise<void> | null = null;
  private readonly checkpointBytes: number;
  private closed: Promise<void> | null = null;
  /** Appends checked for stored duplicates, and appends of logs never stored (AppendOptions). */
  private readonly checkedBatches: BatchWriter<StagedLog>;
  private readonly newBatches: DirectAppends;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly writerConnection: DuckDBConnection,
    private readonly writer: LogWriter,
    directConnection: DuckDBConnection,
    private readonly readers: ReaderConnection[],
    private readonly options: DuckDbLogStoreOptions,
  ) {
    this.checkpointBytes = sizeInBytes(options.checkpointThreshold ?? DEFAULT_CHECKPOINT_THRESHOLD);
    const spacing = { flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS, batchRows: options.batchRows ?? DEFAULT_BATCH_ROWS };
    this.checkedBatches = new BatchWriter((logs) => this.write(() => this.writer.append(logs)), spacing);
    this.newBatches = new DirectAppends(directConnection, { ...spacing, exclusive: (flush) => this.write(flush) });
  }

  /** Not async: nothing here holds the logs while the append waits for its commit (direct-appends.ts). */
  append(logs: NormalizedLogEvent[], options?: AppendOptions): Promise<void> {
    try {
      this.assertOpen();
      // Checked before joining a batch: a log the table cannot take fails its own append only.
      // A batch too large to go into the appender at once takes the checked path (one INSERT).
      const direct = options?.neverStored === true && logs.length <= MAX_DIRECT_BATCH_ROWS;
      return (direct ? this.newBatches : this.checkedBatches).append(logs.map(stageLog));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async write(append: () => Promise<void>): Promise<void> {
    await this.writeQueue.run(append);
    this.checkpointIfDue();
  }

  /** Queues a CHECKPOINT (behind the appends) once the WAL passed the threshold; one at a time. */
  private checkpointIfDue(): void {
    if (this.checkpointing || this.closed) return;
    let walBytes: number;
    try {
      walBytes = statSync(`${this.options.path}.wal`).size;
    } catch {
      return; // no WAL yet
    }
    if (walBytes < this.checkpointBytes) return;
    this.checkpointing = this.writeQueue
      .run(() => this.writerConnection.run('CHECKPOINT'))
      .then(
        () => undefined,
        (err: unknown) => this.options.onWarning?.(`log store: checkpoint failed (retried after the next append): ${String(err)}`),
      )
      .finally(() => {
        this.checkpointing = null;
      });
  }

  async search(query: LogQuery): Promise<LogPage> {
    this.assertOpen();
    validateQuery(query);
    const rows = await this.read(searchSql(this.withinRetention(query)));
    return pageOf(rows.map(fromRow), query.limit);
  }

  async count(filter: LogFilter): Promise<number> {
    this.assertOpen();
    validateFilter(filter);
    const rows = await this.read(countSql(this.withinRetention(filter)));
    return Number(rows[0][0] as bigint);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.read({ text: 'SELECT 1', params: [] });
  }

  async applyRetention(): Promise<DuckDbRetentionRun | null> {
    this.assertOpen();
    const retention = this.options.retention;
    if (!retention) return null;
    // Runs never overlap: a caller arriving during one shares it. Queued with the appends on the
    // writer connection; the clock is read when the run starts, not when it was queued.
    this.retentionRunning ??= this.writeQueue
      .run(() => applyLogRetention(this.writerConnection, retention, this.now()))
      .finally(() => {
        this.retentionRunning = null;
      });
    return await this.retentionRunning;
  }

  startRetentionTimer(): void {
    if (!this.options.retention) return;
    this.retentionTimer = scheduleRetention(() => this.applyRetention());
  }

  /** Waits for queued work, checkpoints (folds the WAL into the file) and releases the file. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  private async shutDown(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await Promise.allSettled([this.checkedBatches.flush(), this.newBatches.flush()]);
    await Promise.all([this.writeQueue.idle(), ...this.readers.map((reader) => reader.queue.idle())]);
    try {
      await this.newBatches.close();
      await this.writerConnection.run('CHECKPOINT');
    } finally {
      this.writer.close();
      for (const reader of this.readers) reader.connection.closeSync();
      this.writerConnection.closeSync();
      this.instance.closeSync();
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * The query with its lower time bound raised to the tenant's retention cutoff: logs older than
   * it are never returned, whether or not a retention run has deleted them yet. Logs are kept
   * when timestamp_ms >= cutoff, as retention.ts deletes them.
   */
  private withinRetention<Q extends LogFilter>(query: Q): Q {
    const cutoff = retentionCutoff(this.options.retention, query.tenantId, this.now());
    if (cutoff === undefined) return query;
    const notBefore = Math.ceil(cutoff);
    return query.from !== undefined && query.from >= notBefore ? query : { ...query, from: notBefore };
  }

  private async read(sql: Sql) {
    const reader = this.readers.reduce((least, r) => (r.queue.depth < least.queue.depth ? r : least));
    return reader.queue.run(async () => {
      const result = await reader.connection.runAndReadAll(sql.text, sql.params);
      return result.getRows();
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('log store is closed');
  }
}

export async function createDuckDbLogStore(options: DuckDbLogStoreOptions): Promise<DuckDbLogStore> {
  const readerCount = options.readers ?? 2;
  if (!Number.isInteger(readerCount) || readerCount < 1) throw new RangeError('readers must be a positive integer');
  if (options.retention) validateRetention(options.retention);
  await mkdir(dirname(options.path), { recursive: true });
  sizeInBytes(options.checkpointThreshold ?? DEFAULT_CHECKPOINT_THRESHOLD); // a bad setting fails here, before opening
  const config: Record<string, string> = { checkpoint_threshold: NEVER };
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path, config);
  } catch (error) {
    throw new Error(`cannot open log store ${options.path}: ${(error as Error).message}`, { cause: error });
  }
  const connections: DuckDBConnection[] = [];
  let store: DuckDbStore;
  try {
    const writerConnection = await instance.connect();
    connections.push(writerConnection);
    await ensureSchema(writerConnection, options.path);
    const writer = await LogWriter.open(writerConnection);
    const directConnection = await instance.connect();
    connections.push(directConnection);
    const readers: ReaderConnection[] = [];
    for (let i = 0; i < readerCount; i++) {
      const connection = await instance.connect();
      connections.push(connection);
      readers.push({ connection, queue: new SerialQueue() });
    }
    store = new DuckDbStore(instance, writerConnection, writer, directConnection, readers, options);
  } catch (error) {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
    throw error;
  }
  try {
    await store.applyRetention();
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  store.startRetentionTimer();
  return store;
}
