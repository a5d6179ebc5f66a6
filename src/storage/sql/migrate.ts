/**
 * Versioned schema migrations for the SQL store: `migrations/NNNN_name.sql`, applied in version
 * order, each in its own transaction together with its row in `schema_migrations` (so a migration
 * is either fully applied and recorded, or not at all).
 *
 * The files are plain PostgreSQL (they run unchanged on PGlite and PostgreSQL 15+), must not
 * contain BEGIN/COMMIT, and are never edited once released: the checksum of every applied file is
 * recorded, and startup is refused when one changed, disappeared, or a new file sorts before an
 * applied one. Change the schema with a new file instead.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../runtime/package-root.js';
import type { SqlDatabase } from '../sql-database.js';

/** The migration files ship as source (tsc does not copy them), so dist/ reads them from src/. */
export function defaultMigrationsDir(): string {
  return join(packageRoot(), 'src', 'storage', 'sql', 'migrations');
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Serializes migrators of several processes sharing one PostgreSQL (arbitrary constant: "log0"). */
const MIGRATION_LOCK_KEY = 0x6c6f6730;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationFile {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** sha256 of the file with line endings normalized, so a CRLF checkout does not look edited. */
function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export function readMigrations(dir: string): MigrationFile[] {
  const migrations: MigrationFile[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`migration file ${file} in ${dir} is not named NNNN_name.sql`);
    const sql = readFileSync(join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2], file, sql, checksum: checksumOf(sql) });
  }
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version === migrations[i - 1].version) {
      throw new MigrationError(`migrations ${migrations[i - 1].file} and ${migrations[i].file} share version ${migrations[i].version}`);
    }
  }
  return migrations;
}

const CREATE_HISTORY_TABLE = `
  create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`;

function changedError(file: string): MigrationError {
  return new MigrationError(`migration ${file} changed after it was applied (checksum mismatch); restore it and add a new migration instead`);
}

/** Refuses a database whose applied migrations do not match the files. */
function verifyApplied(applied: AppliedRow[], files: MigrationFile[]): void {
  const byVersion = new Map(files.map((m) => [m.version, m]));
  for (const row of applied) {
    const file = byVersion.get(row.version);
    const label = `${String(row.version).padStart(4, '0')}_${row.name}.sql`;
    if (!file) {
      throw new MigrationError(`migration ${label} is applied to the database but missing from this log0; the database belongs to another version`);
    }
    if (file.checksum !== row.checksum) throw changedError(file.file);
  }
  const newest = Math.max(0, ...applied.map((r) => r.version));
  const skipped = files.find((m) => m.version < newest && !applied.some((r) => r.version === m.version));
  if (skipped) {
    throw new MigrationError(`migration ${skipped.file} sorts before the newest applied migration (${newest}); renumber it after ${newest}`);
  }
}

/**
 * Applies the pending migrations of `dir` in order. Returns the files applied now (empty when
 * the schema was already current). Safe to run from several processes at once.
 */
export async function migrate(db: SqlDatabase, dir: string = defaultMigrationsDir()): Promise<string[]> {
  const files = readMigrations(dir);
  const applied = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(CREATE_HISTORY_TABLE);
    return tx.query<AppliedRow>('select version, name, checksum from schema_migrations order by version');
  });
  verifyApplied(applied, files);

  const done = new Set(applied.map((r) => r.version));
  const appliedNow: string[] = [];
  for (const migration of files) {
    if (done.has(migration.version)) continue;
    const ran = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      // Another process may have applied it while we waited for the lock.
      const [row] = await tx.query<AppliedRow>('select version, name, checksum from schema_migrations where version = $1', [migration.version]);
      if (row) {
        if (row.checksum !== migration.checksum) throw changedError(migration.file);
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (err) {
        throw new MigrationError(`migration ${migration.file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (ran) appliedNow.push(migration.file);
  }
  return appliedNow;
}
