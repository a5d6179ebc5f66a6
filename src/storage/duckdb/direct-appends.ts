/**
 * Appends of logs never stored before (AppendOptions.neverStored, the hot path): each batch's
 * rows go into DuckDB's appender as soon as the batch arrives, and the appender is flushed, one
 * commit, at most once per interval (or once `batchRows` rows wait). A batch's promise resolves
 * with the commit holding its rows.
 *
 * Why rows go in at once rather than when the interval is up: DuckDB then holds them in its own
 * memory, and the batch's JavaScript objects die young. Held until the interval's write, the
 * batches arriving meanwhile were copied by the young-generation collector and promoted: about
 * one kilobyte per log, the largest part of the store thread's garbage-collection work.
 *
 * Atomic per batch: a batch's rows go in in one synchronous step, so a flush holds whole batches
 * only, and a batch is committed entirely or not at all (the step blocks this thread ≈ 7 µs per
 * row, which is why the log store writer's batches are 2,000 logs). stageLog has checked every
 * value the table needs, so appending a staged row cannot fail on its values, and one caller's
 * bad log never reaches the appender other callers' rows share. What can still fail is DuckDB itself
 * (e.g. the disk): then every batch waiting for that flush fails, as in an outage, and is
 * delivered again.
 *
 * The appender lives on its own connection, so its rows never meet the statements the writer
 * connection runs meanwhile; flushes are queued with those statements (`exclusive`), so a
 * commit never waits inside DuckDB for a CHECKPOINT while blocking this thread.
 */
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { TransientError } from '../../runtime/errors.js';
import { appendLogRow, dropRepeatsWithinBatch, type StagedLog } from './rows.js';
import { LOGS_TABLE } from './schema.js';
import { discard } from './writer.js';

export interface DirectAppendsOptions {
  flushIntervalMs: number;
  batchRows: number;
  /** Runs a flush exclusively of the store's other writes (its write queue). */
  exclusive: (flush: () => Promise<void>) => Promise<void>;
}

interface Waiting {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * DuckDB's appender commits by itself past 204,800 rows (outside the write queue, and in the
 * middle of a batch): a batch that would take the rows waiting for their commit past this many
 * waits for the flush first, and a larger batch must go another way (DuckDbStore: checked).
 */
export const MAX_DIRECT_BATCH_ROWS = 100_000;

export class DirectAppends {
  /** Batches whose rows are in the appender, not committed yet. */
  private uncommitted: Waiting[] = [];
  private uncommittedRows = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The flush under way (queued or running), if any. */
  private flushing: Promise<void> | null = null;
  /** When the last flush started (performance.now()); none yet: the first batch goes at once. */
  private lastFlushStartedAt = Number.NEGATIVE_INFINITY;
  /** Null after a failure dropped it; made again when the next batch comes. */
  private appender: DuckDBAppender | null = null;
  /** The appender being made, shared by the batches that wait for it. */
  private creating: Promise<DuckDBAppender> | null = null;
  private closed = false;

  /** Takes the connection over (closed by close()). */
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly options: DirectAppendsOptions,
  ) {}

  /** Resolves once the logs are committed. At most MAX_DIRECT_BATCH_ROWS logs. */
  async append(logs: readonly StagedLog[]): Promise<void> {
    if (logs.length === 0) return;
    if (logs.length > MAX_DIRECT_BATCH_ROWS) throw new RangeError(`log store: at most ${MAX_DIRECT_BATCH_ROWS} logs per direct append, got ${logs.length}`);
    // Rarely: no appender yet (or since a failure), or too many rows waiting for a commit.
    for (;;) {
      if (this.closed) throw new Error('log store is closed');
      if (!this.appender) await this.createAppender();
      else if (this.uncommittedRows > 0 && this.uncommittedRows + logs.length > MAX_DIRECT_BATCH_ROWS) await this.flush();
      else return this.appendNow(this.appender, logs);
    }
  }

  /** One appender at a time, however many batches wait for it (a replaced one would never be flushed). */
  private async createAppender(): Promise<void> {
    this.creating ??= this.connection.createAppender(LOGS_TABLE).finally(() => {
      this.creating = null;
    });
    const appender = await this.creating;
    // The first batch to wake takes it; the others see it set and go on.
    if (!this.appender && !this.closed) this.appender = appender;
    else if (this.appender !== appender) discard(appender);
  }

  /**
   * All of a batch's rows in one synchronous step: a flush never finds a batch half appended, and
   * the batch's objects die as soon as its rows are in (see above).
   */
  private appendNow(appender: DuckDBAppender, logs: readonly StagedLog[]): Promise<void> {
    try {
      for (const row of dropRepeatsWithinBatch(logs)) appendLogRow(appender, row);
    } catch (error) {
      // Only DuckDB failing gets here (stageLog checked the values): whatever the appender
      // holds is suspect, the rows of the other waiting batches included.
      this.dropAppender(new TransientError(`log store: rows appended with a batch that failed were dropped (${String(error)}); retry`));
      return Promise.reject(error);
    }
    const committed = new Promise<void>((resolve, reject) => this.uncommitted.push({ resolve, reject }));
    this.uncommittedRows += logs.length;
    this.schedule();
    return committed;
  }

  /** Commits what waits now (after the flush under way, if any). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.uncommitted.length === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlushStartedAt = performance.now();
    this.flushing = this.options.exclusive(async () => this.commit()).finally(() => {
      this.flushing = null;
      // Batches appended after this flush took its batches (while it ran) get the next one.
      if (this.uncommitted.length > 0 && !this.closed) this.schedule();
    });
    await this.flushing;
  }

  /** Commits what waits, then closes the appender and its connection; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.creating?.catch(() => undefined);
    this.dropAppender(new Error('log store is closed'));
    this.connection.closeSync();
  }

  private schedule(): void {
    if (this.uncommittedRows >= this.options.batchRows) {
      void this.flush();
      return;
    }
    if (this.timer || this.flushing) return; // the flush under way schedules the next
    // One interval after the previous flush started; after a quiet spell on the next turn of the
    // event loop, so batches arriving together share a commit.
    const wait = Math.max(0, this.lastFlushStartedAt + this.options.flushIntervalMs - performance.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  /**
   * Commits every batch appended so far (whatever arrived while this flush waited for its turn
   * included) and settles them. Never throws. A failed commit is DuckDB's or the disk's, never a
   * log's (stageLog checked them): the batches fail as in an outage, to come again.
   */
  private commit(): void {
    const appender = this.appender;
    if (!appender) return; // dropAppender settled whatever waited
    const batches = this.uncommitted;
    this.uncommitted = [];
    this.uncommittedRows = 0;
    if (batches.length === 0) return;
    try {
      appender.flushSync();
    } catch (error) {
      const failure = new TransientError(`log store: commit failed (${String(error)}); retry`, { cause: error });
      for (const batch of batches) batch.reject(failure);
      this.dropAppender(failure);
      return;
    }
    for (const batch of batches) batch.resolve();
  }

  /** Drops the appender and what it holds, failing the batches waiting for it. */
  private dropAppender(error: unknown): void {
    const batches = this.uncommitted;
    this.uncommitted = [];
    this.uncommittedRows = 0;
    for (const batch of batches) batch.reject(error);
    if (this.appender) discard(this.appender);
    this.appender = null;
  }
}
