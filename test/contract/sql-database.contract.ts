/**
 * The SqlDatabase contract: what every SQL adapter (embedded PGlite, PostgreSQL) must do, through
 * the port only. An adapter's test file calls sqlDatabaseContractSuite with a factory of fresh,
 * empty databases.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { TransientError } from '../../src/runtime/errors.js';
import { defaultMigrationsDir, migrate } from '../../src/storage/sql/migrate.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';

export interface SqlDatabaseFactory {
  /** A fresh, empty database, and how to open it again (same data) and remove it. */
  fresh(): Promise<{ db: SqlDatabase; reopen: () => Promise<SqlDatabase>; cleanup: () => Promise<void> }>;
  /** A database whose server cannot be reached (or whose engine has stopped). */
  unavailable(): Promise<SqlDatabase>;
}

async function withFresh(factory: SqlDatabaseFactory, fn: (db: SqlDatabase, reopen: () => Promise<SqlDatabase>) => Promise<void>): Promise<void> {
  const { db, reopen, cleanup } = await factory.fresh();
  try {
    await fn(db, reopen);
  } finally {
    await cleanup();
  }
}

export function sqlDatabaseContractSuite(name: string, factory: SqlDatabaseFactory): void {
  describe(`SqlDatabase contract: ${name}`, () => {
    test('values come back as the services expect: int8 as number, timestamptz as Date, jsonb parsed, null as null', async () => {
      await withFresh(factory, async (db) => {
        const [row] = await db.query<Record<string, unknown>>(
          `select 9007199254740991::bigint as big, 42::int as small, '2026-11-23T10:00:00.123Z'::timestamptz as at,
                  '{"a":[1,"x"]}'::jsonb as doc, $1::uuid as id, null::text as nothing, true as yes`,
          ['0f8fad5b-d9cb-469f-a165-70867728950e'],
        );
        assert.deepEqual(row, {
          big: 9007199254740991,
          small: 42,
          at: new Date('2026-11-23T10:00:00.123Z'),
          doc: { a: [1, 'x'] },
          id: '0f8fad5b-d9cb-469f-a165-70867728950e',
          nothing: null,
          yes: true,
        });
      });
    });

    test('parameters carry hostile text verbatim', async () => {
      await withFresh(factory, async (db) => {
        const values = ["'; drop table x; --", 'a\\b', '😀 ünïcode', '$1', '%_'];
        const rows = await db.query<{ v: string }>('select unnest($1::text[]) as v', [values]);
        assert.deepEqual(rows.map((r) => r.v), values);
      });
    });

    test('a transaction commits as a whole or, when it throws, leaves nothing', async () => {
      await withFresh(factory, async (db) => {
        await db.exec('create table t (tenant_id uuid not null, n int not null)');
        const tenant = randomUUID();
        await db.transaction(async (tx) => {
          await tx.query('insert into t values ($1, 1)', [tenant]);
          await tx.query('insert into t values ($1, 2)', [tenant]);
        });
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.query('insert into t values ($1, 3)', [tenant]);
            throw new Error('boom');
          }),
          /boom/,
        );
        assert.deepEqual(await db.query('select n from t order by n'), [{ n: 1 }, { n: 2 }]);
      });
    });

    test('SQL errors keep their SQLSTATE; concurrent transactions serialize on row locks', async () => {
      await withFresh(factory, async (db) => {
        await db.exec('create table c (id int primary key, n int not null); insert into c values (1, 0);');
        await assert.rejects(db.query('insert into c values (1, 0)'), (err: { code?: string }) => err.code === '23505');
        await Promise.all(
          Array.from({ length: 20 }, () =>
            db.transaction(async (tx) => {
              const [row] = await tx.query<{ n: number }>('select n from c where id = 1 for update');
              await tx.query('update c set n = $1 where id = 1', [row.n + 1]);
            }),
          ),
        );
        assert.deepEqual(await db.query('select n from c'), [{ n: 20 }]);
      });
    });

    test('migrations: in order, once; edited, missing or out-of-order files refused; a failed one rolled back; kept across a reopen', async () => {
      const work = mkdtempSync(join(tmpdir(), 'log0-migrate-'));
      const migrations = join(work, 'migrations');
      const { db: first, reopen, cleanup } = await factory.fresh();
      let local = first;
      try {
        mkdirSync(migrations);
        copyFileSync(join(defaultMigrationsDir(), '0001_incidents.sql'), join(migrations, '0001_incidents.sql'));
        writeFileSync(join(migrations, '0003_extra.sql'), 'create table extra (tenant_id uuid not null, note text);\n');

        assert.deepEqual(await migrate(local, migrations), ['0001_incidents.sql', '0003_extra.sql']);
        assert.deepEqual(await migrate(local, migrations), []);
        await local.query(`insert into extra values ($1, 'kept')`, [randomUUID()]);

        // A file changed after it was applied.
        writeFileSync(join(migrations, '0003_extra.sql'), 'create table extra (tenant_id uuid not null, note text, more int);\n');
        await assert.rejects(migrate(local, migrations), /0003_extra\.sql changed after it was applied/);
        // Line endings alone do not count as a change.
        writeFileSync(join(migrations, '0003_extra.sql'), 'create table extra (tenant_id uuid not null, note text);\r\n');
        assert.deepEqual(await migrate(local, migrations), []);

        // A new file that sorts before an applied one.
        writeFileSync(join(migrations, '0002_late.sql'), 'create table late (tenant_id uuid not null);\n');
        await assert.rejects(migrate(local, migrations), /0002_late\.sql sorts before/);
        unlinkSync(join(migrations, '0002_late.sql'));

        // A failing migration leaves nothing behind: no table, no record.
        writeFileSync(join(migrations, '0004_broken.sql'), 'create table half (tenant_id uuid not null);\nselect 1 / 0;\n');
        await assert.rejects(migrate(local, migrations), /0004_broken\.sql failed: division by zero/);
        assert.equal((await local.query(`select 1 from information_schema.tables where table_name = 'half'`)).length, 0);
        unlinkSync(join(migrations, '0004_broken.sql'));

        // A badly named file is refused rather than skipped.
        writeFileSync(join(migrations, '5_oops.sql'), 'select 1;\n');
        await assert.rejects(migrate(local, migrations), /5_oops\.sql .* is not named NNNN_name\.sql/);
        unlinkSync(join(migrations, '5_oops.sql'));

        // Committed data and the migration record survive closing and reopening.
        await local.close();
        local = await reopen();
        assert.deepEqual(await migrate(local, migrations), []);
        assert.deepEqual(await local.query('select note from extra'), [{ note: 'kept' }]);

        // Two migrators at once (two processes starting together): each file is applied once.
        writeFileSync(join(migrations, '0005_more.sql'), 'create table more (tenant_id uuid not null);\n');
        writeFileSync(join(migrations, '0006_most.sql'), 'create table most (tenant_id uuid not null);\n');
        const [one, other] = await Promise.all([migrate(local, migrations), migrate(local, migrations)]);
        assert.deepEqual([...one, ...other].sort(), ['0005_more.sql', '0006_most.sql']);

        // Two files with one version.
        writeFileSync(join(migrations, '0006_again.sql'), 'select 1;\n');
        await assert.rejects(migrate(local, migrations), /share version 6/);
        unlinkSync(join(migrations, '0006_again.sql'));

        // A file applied to the database but gone from this build.
        unlinkSync(join(migrations, '0003_extra.sql'));
        await assert.rejects(migrate(local, migrations), /0003_extra\.sql is applied to the database but missing/);
      } finally {
        await local.close().catch(() => undefined);
        await cleanup();
        rmSync(work, { recursive: true, force: true });
      }
    });

    test('an unavailable database fails with a TransientError, so work is retried rather than dead-lettered', async () => {
      const db = await factory.unavailable();
      try {
        await assert.rejects(db.ping(), TransientError);
        await assert.rejects(db.query('select 1'), TransientError);
        await assert.rejects(db.transaction(async (tx) => tx.query('select 1')), TransientError);
      } finally {
        await db.close().catch(() => undefined);
      }
    });
  });
}
