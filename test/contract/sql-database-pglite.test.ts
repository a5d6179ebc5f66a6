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

test('PGlite: periodic maintenance gathers planner statistics and vacuums (there is no autovacuum)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'log0-pglite-'));
  const db = await openPgliteDatabase(join(dir, 'pg'), { maintenanceIntervalMs: 100 });
  try {
    await db.exec('create table t (id int primary key, n int); insert into t select g, g from generate_series(1, 1000) g;');
    const [before] = await db.query<{ reltuples: number }>(`select reltuples from pg_class where relname = 't'`);
    assert.equal(before.reltuples, -1, 'never analyzed yet');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [after] = await db.query<{ reltuples: number; analyzed: boolean }>(
      `select c.reltuples, s.last_analyze is not null and s.last_vacuum is not null as analyzed
         from pg_class c join pg_stat_user_tables s on s.relid = c.oid where c.relname = 't'`,
    );
    assert.deepEqual(after, { reltuples: 1000, analyzed: true });
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
