/**
 * Batches appends into few large inserts. Both log stores pay a fixed price per insert:
 * ClickHouse writes every INSERT as a new part on disk and merges parts in the background, so
 * thousands of small inserts a second would outrun the merges ("too many parts"); DuckDB commits
 * every insert with a WAL write and fsync (measured: ≈ 2.5 ms of CPU per commit on this project's
 * machine, however few rows it holds). A few large inserts are cheap.
 *
 * Appends join the open batch. The batch is inserted once it holds `batchRows` rows, or once
 * `flushIntervalMs` have passed since the previous insert started, whichever comes first, and on
 * close: inserts are spaced, not each batch delayed. After a quiet spell an append is inserted at
 * once (low latency); under load each insert carries what arrived during one interval, so the
 * insert rate stays at most 1000/flushIntervalMs per second and the rows per insert grow with
 * the load. (A linger timed from each batch's first row would instead make a caller that appends
 * one batch at a time, as log0's log store writer does, wait the full interval every time.)
 * An append resolves only when the insert holding its rows succeeded (the rows are then durable
 * and searchable), and rejects with that insert's error otherwise. One insert runs at a time:
 * while it runs, the next batch stays open and keeps growing.
 *
 * A batch is one insert: an append shares the fate of the batch it joined (stored with it or
 * failed with it), so callers convert and check their rows before appending.
 */

export type InsertRows<Row> = (rows: Row[]) => Promise<void>;

export interface BatchWriterOptions<Row> {
  batchRows: number;
  flushIntervalMs: number;
  /** When given, a row whose identity is already in the batch is dropped on joining it. */
  identity?: (row: Row) => string;
}

class Batch<Row> {
  readonly rows: Row[] = [];
  /** Identities of the rows, to drop repeats within the batch. */
  private readonly identities = new Set<string>();
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor(private readonly identity: ((row: Row) => string) | undefined) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Rejections are handled by whoever appended; an unobserved one must not crash the process.
    this.done.catch(() => {});
  }

  add(rows: readonly Row[]): void {
    if (!this.identity) {
      for (const row of rows) this.rows.push(row);
      return;
    }
    for (const row of rows) {
      const identity = this.identity(row);
      if (this.identities.has(identity)) continue;
      this.identities.add(identity);
      this.rows.push(row);
    }
  }
}

export class BatchWriter<Row> {
  private open: Batch<Row> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The batch is due: full, its interval elapsed, or closing. */
  private due = false;
  private inserting: Promise<void> | null = null;
  /** When the last insert started (performance.now()); none yet: the first batch goes at once. */
  private lastInsertStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly insert: InsertRows<Row>,
    private readonly options: BatchWriterOptions<Row>,
  ) {
    if (!Number.isSafeInteger(options.batchRows) || options.batchRows < 1) throw new RangeError('batchRows must be a positive integer');
    if (!Number.isFinite(options.flushIntervalMs) || options.flushIntervalMs < 0) throw new RangeError('flushIntervalMs must be a non-negative number');
  }

  /** Resolves once `rows` are inserted (with whatever else shared their batch). */
  append(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    if (!this.open) {
      this.open = new Batch(this.options.identity);
      // Due one interval after the previous insert started; at the earliest on the next turn of
      // the event loop, so appends made together share an insert.
      const wait = Math.max(0, this.lastInsertStartedAt + this.options.flushIntervalMs - performance.now());
      this.timer = setTimeout(() => this.markDue(), wait);
    }
    const batch = this.open;
    batch.add(rows);
    if (batch.rows.length >= this.options.batchRows) this.markDue();
    return batch.done;
  }

  /** Inserts whatever is open now and waits for every insert to settle. */
  async flush(): Promise<void> {
    if (this.open) this.markDue();
    while (this.inserting) await this.inserting;
  }

  private markDue(): void {
    this.due = true;
    if (this.inserting) return; // the running loop picks it up
    this.inserting = this.insertDue().finally(() => {
      this.inserting = null;
      // Became due after the loop's last check.
      if (this.due && this.open) this.markDue();
    });
  }

  /** Inserts due batches one after another until none is due. */
  private async insertDue(): Promise<void> {
    while (this.due && this.open) {
      const batch = this.open;
      this.open = null;
      this.due = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.lastInsertStartedAt = performance.now();
      try {
        await this.insert(batch.rows);
        batch.resolve();
      } catch (error) {
        batch.reject(error);
      }
    }
  }
}
