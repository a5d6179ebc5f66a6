/** The incident service on the embedded SQL store (PGlite in a temp dir). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteDatabase } from '../../src/storage/pglite/index.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { incidentServiceSuite } from './incidents.suite.js';

let dir: string | undefined;
let db: SqlDatabase | undefined;

incidentServiceSuite({
  name: 'PGlite',
  async open() {
    dir = mkdtempSync(join(tmpdir(), 'log0-incidents-'));
    db = await openPgliteDatabase(join(dir, 'pg'));
    return db;
  },
  async cleanup() {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
