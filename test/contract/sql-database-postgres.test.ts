/** The SqlDatabase contract on PostgreSQL, plus what only a server has: connections that drop. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { openPostgresDatabase } from '../../src/storage/postgres/index.js';
import { createTestDatabase } from '../support/postgres.js';
import { sqlDatabaseContractSuite } from './sql-database.contract.js';

sqlDatabaseContractSuite('PostgreSQL', {
  async fresh() {
    const database = await createTestDatabase();
    const db = await openPostgresDatabase({ url: database.url });
    let current = db;
    return {
      db,
      reopen: async () => (current = await openPostgresDatabase({ url: database.url })),
      cleanup: async () => {
        await current.close().catch(() => undefined);
        await database.drop();
      },
    };
  },
  // Nothing listens on port 1.
  unavailable: () => openPostgresDatabase({ url: 'postgres://postgres@127.0.0.1:1/test', connectTimeoutMs: 1000 }),
});

test('PostgreSQL: connections killed by the server are replaced; the next query succeeds', async () => {
  const database = await createTestDatabase();
  const db = await openPostgresDatabase({ url: database.url });
  const admin = new pg.Client({ connectionString: database.url });
  try {
    await Promise.all([db.ping(), db.ping(), db.ping()]);
    await admin.connect();
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database.name]);
    // The pool notices the dead idle connections; at worst one query fails as unavailable.
    let answered = false;
    for (let attempt = 0; attempt < 5 && !answered; attempt++) {
      answered = await db.query('select 1 as one').then(() => true, () => false);
    }
    assert.ok(answered, 'the pool reconnects');
  } finally {
    await admin.end();
    await db.close();
    await database.drop();
  }
});

test('PostgreSQL: a connection killed inside a transaction fails that transaction, never the process', async () => {
  const database = await createTestDatabase();
  const db = await openPostgresDatabase({ url: database.url });
  const admin = new pg.Client({ connectionString: database.url });
  // A checked-out connection whose socket dies emits 'error'; unheard, that is an uncaught exception.
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    await admin.connect();
    const outcome = await db
      .transaction(async (tx) => {
        await tx.query('select 1 as one');
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database.name]);
        // Wait for the termination to reach the connection while it is still checked out.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.query('select 2 as two');
      })
      .then(
        () => 'committed',
        () => 'failed',
      );
    assert.equal(outcome, 'failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(uncaught, [], 'no uncaught error');
    let answered = false;
    for (let attempt = 0; attempt < 5 && !answered; attempt++) {
      answered = await db.query('select 1 as one').then(() => true, () => false);
    }
    assert.ok(answered, 'the pool serves the next query');
  } finally {
    process.off('uncaughtException', onUncaught);
    await admin.end();
    await db.close();
    await database.drop();
  }
});
