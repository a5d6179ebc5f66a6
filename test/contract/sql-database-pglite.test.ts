/** The SqlDatabase contract on the embedded PGlite, plus its single-session rule. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openPgliteDatabase } from '../../src/storage/pglite/index.js';
import { sqlDatabaseContractSuite } from './sql-database.contract.js';

sqlDatabaseContractSuite('PGlite', {
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'log0-pglite-'));
    const db = await openPgliteDatabase(join(dir, 'pg'));
    let current = db;
    return {
      db,
      reopen: async () => (current = await openPgliteDatabase(join(dir, 'pg'))),
      cleanup: async () => {
        await current.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  // A closed engine is the embedded equivalent of an unreachable server.
  async unavailable() {
    const dir = mkdtempSync(join(tmpdir(), 'log0-pglite-'));
    const db = await openPgliteDatabase(join(dir, 'pg'));
    await db.close();
    rmSync(dir, { recursive: true, force: true });
    return db;
  },
});

test('PGlite: a query on the database inside one of its transactions is refused (it would wait forever)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'log0-pglite-'));
  const db = await openPgliteDatabase(join(dir, 'pg'));
  try {
    await assert.rejects(
      db.transaction(() => db.query('select 1')),
      /inside a transaction/,
    );
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
