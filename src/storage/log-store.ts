/**
 * The log store port: every normalized log, kept and searchable per tenant.
 * Embedded adapter: storage/duckdb. Production adapter (ClickHouse) arrives later behind the same port;
 * both pass test/contract/log-store.contract.ts.
 */
import type { NormalizedLogEvent } from '../contracts/types.js';

/** Position in the newest-first order (timestamp desc, eventId desc); opaque to API clients. */
export interface LogCursor {
  timestamp: number;
  eventId: string;
}

export interface LogQuery {
  tenantId: string;
  serviceName?: string;
  environment?: string;
  level?: string;
  fingerprint?: string;
  /** Inclusive lower bound on the log's timestamp, epoch ms. */
  from?: number;
  /** Exclusive upper bound on the log's timestamp, epoch ms. */
  to?: number;
  /** Case-insensitive substring of the message. */
  text?: string;
  /** Page size, 1..1000. */
  limit: number;
  /** Continue after this position (exclusive). */
  after?: LogCursor;
}

export interface LogPage {
  logs: NormalizedLogEvent[];
  /** Cursor of the last log of this page when more may follow, else null. */
  next: LogCursor | null;
}

export interface AppendOptions {
  /**
   * The caller knows that no log of this batch was ever appended to this store before (its
   * writer tracks bus offsets no writer was ever given: see log-store-writer.ts), so the store
   * may skip looking for stored duplicates. Repeats within the batch are still dropped. A store
   * that deduplicates anyway (ClickHouse, on read) ignores it.
   */
  neverStored?: boolean;
}

export interface LogStore {
  /**
   * Stores logs. Idempotent by eventId: a log whose eventId is already stored is ignored, so
   * redelivered messages never show twice. Resolves once the logs are durable and searchable.
   */
  append(logs: NormalizedLogEvent[], options?: AppendOptions): Promise<void>;
  /** Newest first, tenant-scoped, every filter ANDed. */
  search(query: LogQuery): Promise<LogPage>;
  /** Number of stored logs matching the query's filters (limit/after ignored). */
  count(query: Omit<LogQuery, 'limit' | 'after'>): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The LogStore methods other threads may call (writes stay with the thread that owns the store). */
export const LOG_STORE_REMOTE_METHODS = ['search', 'count', 'ping'] as const;
