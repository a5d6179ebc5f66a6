/**
 * Every SqlDatabase adapter, for test files that run the same tests on each: the embedded PGlite
 * (a temp dir) and PostgreSQL (a throwaway database on the machine's server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteDatabase } from '../../src/storage/pglite/index.js';
import { openPostgresDatabase } from '../../src/storage/postgres/index.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { createTestDatabase } from './postgres.js';

export interface SqlAdapter {
  name: string;
  /** A fresh, empty database, and how to close and remove it. */
  open(): Promise<{ db: SqlDatabase; cleanup: () => Promise<void> }>;
}

export const SQL_ADAPTERS: readonly SqlAdapter[] = [
  {
    name: 'PGlite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'log0-pglite-'));
      const db = await openPgliteDatabase(join(dir, 'pg'));
      return {
        db,
        cleanup: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase();
      const db = await openPostgresDatabase({ url: database.url });
      return {
        db,
        cleanup: async () => {
          await db.close();
          await database.drop();
        },
      };
    },
  },
];
