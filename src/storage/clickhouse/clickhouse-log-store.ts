/**
 * The production LogStore on a ClickHouse server (18.16 and later), over HTTP with
 * @clickhouse/client.
 *
 * Appends go through one BatchWriter (runtime/batch-writer.ts): many small appends become few large
 * JSONEachRow inserts, each append resolving once its rows are inserted. Idempotency by eventId
 * is the table's (ReplacingMergeTree on tenant, timestamp, eventId: copies merge away in the
 * background) plus deduplicating reads (query.ts), so a redelivered log never shows twice even
 * before a merge. Reads also hide logs past their tenant's retention; retention.ts deletes them,
 * once at open and hourly. Every failure to reach the server is a TransientError.
 */
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { NormalizedLogEvent } from '../../contracts/types.js';
import type { LogCursor, LogPage, LogQuery, LogStore } from '../log-store.js';
import { retentionCutoff, validateRetention, type LogRetention, scheduleRetention } from '../retention-policy.js';
import { request } from './errors.js';
import { connect, parseClickHouseUrl } from './connection.js';
import { insertSettings } from './insert-settings.js';
import { pageOf, validateFilter, validateQuery, type LogFilter } from '../log-query.js';
import { distinctCountSql, rowCountSql, searchSql } from './query.js';
import { applyLogRetention, type RetentionRun } from './retention.js';
import { fromRow, rowIdentity, toRow, type LogRow, type StoredRow } from './rows.js';
import { ensureSchema, LOG_COLUMNS, LOGS_TABLE } from './schema.js';
import { BatchWriter } from '../../runtime/batch-writer.js';

export interface ClickHouseLogStoreOptions {
  /** e.g. http://127.0.0.1:8123/log0 or http://user:password@host:8123/log0; the database is created if missing. */
  url: string;
  /** An insert is sent once this many rows are buffered… */
  batchRows: number;
  /** …or this long after the first buffered row, whichever comes first. */
  flushIntervalMs: number;
  /** Without it, logs are kept forever. */
  retention?: LogRetention;
  /** Clock for retention (epoch ms); Date.now by default. */
  now?: () => number;
}

/** The LogStore port plus what operators and tests need of this adapter. */
export interface ClickHouseLogStore extends LogStore {
  readonly database: string;
  /** Applies the retention policy now (no-op without one); also runs at open and hourly. */
  applyRetention(): Promise<RetentionRun | null>;
}


class ClickHouseStore implements ClickHouseLogStore {
  private readonly writer: BatchWriter<LogRow>;
  private retentionTimer: NodeJS.Timeout | null = null;
  private retentionRunning: Promise<RetentionRun | null> | null = null;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    private readonly options: ClickHouseLogStoreOptions,
    private readonly insertSettings: ClickHouseSettings,
  ) {
    // Repeats within a batch are dropped on joining it; the table merges the rest.
    this.writer = new BatchWriter<LogRow>((rows) => this.insert(rows), { ...options, identity: rowIdentity });
  }

  async append(logs: NormalizedLogEvent[]): Promise<void> {
    this.assertOpen();
    // Converted before joining the batch: a bad log fails its own append only.
    const rows = logs.map(toRow);
    await this.writer.append(rows);
  }

  async search(query: LogQuery): Promise<LogPage> {
    this.assertOpen();
    validateQuery(query);
    const notBefore = this.cutoff(query.tenantId);
    const logs: NormalizedLogEvent[] = [];
    let after: LogCursor | undefined = query.after;
    // Copies of a log are adjacent in page order: skip them. A little more than the page is
    // fetched so that a few copies do not cost a second query; when copies still left the page
    // short, read on after it. Copies are rare (redeliveries not merged yet).
    for (;;) {
      const wanted = query.limit - logs.length;
      const fetched = wanted + Math.ceil(wanted / 16) + 4;
      const rows = await this.read<StoredRow>('search', searchSql(query, after, fetched, notBefore).text);
      for (const row of rows) {
        if (logs.length === query.limit) break;
        const timestamp = Number(row.timestamp_ms);
        if (after && timestamp === after.timestamp && row.event_id === after.eventId) continue;
        logs.push(fromRow(row));
        after = { timestamp, eventId: row.event_id };
      }
      if (logs.length === query.limit || rows.length < fetched) break;
    }
    return pageOf(logs, query.limit);
  }

  async count(filter: LogFilter): Promise<number> {
    this.assertOpen();
    validateFilter(filter);
    const notBefore = this.cutoff(filter.tenantId);
    const rows = await this.readCount(rowCountSql(filter, notBefore).text);
    // Zero or one matching row cannot hold a copy; otherwise count distinct logs (query.ts).
    return rows <= 1 ? rows : this.readCount(distinctCountSql(filter, notBefore, rows).text);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    await this.read('ping', 'SELECT 1 AS ok');
  }

  async applyRetention(): Promise<RetentionRun | null> {
    this.assertOpen();
    const retention = this.options.retention;
    if (!retention) return null;
    // Runs never overlap: a caller arriving during one shares its result.
    this.retentionRunning ??= applyLogRetention(this.client, retention, this.now()).finally(() => {
      this.retentionRunning = null;
    });
    return await this.retentionRunning;
  }

  /** Inserts what is buffered, waits for running work, then releases the connections. */
  close(): Promise<void> {
    this.closed ??= this.shutDown();
    return this.closed;
  }

  startRetentionTimer(): void {
    if (!this.options.retention) return;
    this.retentionTimer = scheduleRetention(() => this.applyRetention());
  }

  private async shutDown(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    try {
      await this.writer.flush();
      await this.retentionRunning?.catch(() => {});
    } finally {
      await this.client.close();
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private cutoff(tenantId: string): number | undefined {
    return retentionCutoff(this.options.retention, tenantId, this.now());
  }

  private insert(rows: LogRow[]): Promise<void> {
    return request('insert', async () => {
      await this.client.insert({
        table: LOGS_TABLE.text,
        values: rows,
        columns: [...LOG_COLUMNS],
        format: 'JSONEachRow',
        clickhouse_settings: this.insertSettings,
      });
    });
  }

  private async readCount(query: string): Promise<number> {
    const [row] = await this.read<{ n: string | number }>('count', query);
    return Number(row.n);
  }

  private read<T>(operation: string, query: string): Promise<T[]> {
    return request(operation, async () => (await this.client.query({ query, format: 'JSONEachRow' })).json<T>());
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('log store is closed');
  }
}

export async function createClickHouseLogStore(options: ClickHouseLogStoreOptions): Promise<ClickHouseLogStore> {
  if (options.retention) validateRetention(options.retention);
  const target = parseClickHouseUrl(options.url);
  const client = await connect(target);
  let store: ClickHouseStore;
  try {
    await ensureSchema(client, target.database);
    store = new ClickHouseStore(client, target.database, options, await insertSettings(client));
    await store.applyRetention();
  } catch (error) {
    await client.close();
    throw error;
  }
  store.startRetentionTimer();
  return store;
}
