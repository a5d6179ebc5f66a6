/**
 * The SQL store by configuration: PostgreSQL when DATABASE_URL is set, else the embedded PGlite
 * in `embeddedDir`. Either way migrated to the current schema before it is returned.
 */
import type { Log0Config } from '../config/config.js';
import type { Logger } from '../runtime/logger.js';
import { openPgliteDatabase } from './pglite/index.js';
import { openPostgresDatabase } from './postgres/index.js';
import { migrate } from './sql/migrate.js';
import type { SqlDatabase } from './sql-database.js';

export async function openSqlDatabase(config: Pick<Log0Config, 'database'>, embeddedDir: string, logger: Logger): Promise<SqlDatabase> {
  const db = config.database ? await openPostgresDatabase({ url: config.database.url, logger }) : await openPgliteDatabase(embeddedDir);
  try {
    await migrate(db);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}
