/**
 * The SQL port for incident and notification state: PostgreSQL dialect, `$1` parameters.
 * Embedded adapter: storage/pglite. Production adapter (PostgreSQL) arrives later; the
 * migrations in storage/sql/migrations are written once for both.
 */

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDatabase extends SqlExecutor {
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
