/** The incident service on PostgreSQL (a fresh database on the machine's server). */
import { openPostgresDatabase } from '../../src/storage/postgres/index.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { incidentServiceSuite } from './incidents.suite.js';

let database: TestDatabase | undefined;
let db: SqlDatabase | undefined;

incidentServiceSuite({
  name: 'PostgreSQL',
  async open() {
    database = await createTestDatabase();
    db = await openPostgresDatabase({ url: database.url });
    return db;
  },
  async cleanup() {
    await db?.close();
    await database?.drop();
  },
});
