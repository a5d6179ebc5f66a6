/**
 * The set-based statements of the incident and notification services send their rows as one JSON
 * text parameter read with json_to_recordset. This pins down what they rely on from the embedded
 * SqlDatabase: the text reaches PostgreSQL unchanged (not re-encoded), whatever it contains and
 * however large, and the record's columns come back typed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openPgliteDatabase } from '../../src/storage/pglite/index.js';
import type { SqlDatabase } from '../../src/storage/sql-database.js';

let dir: string;
let db: SqlDatabase;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'log0-pglite-json-'));
  db = await openPgliteDatabase(join(dir, 'pg'));
});

after(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rows as a JSON parameter (pglite)', () => {
  test('arrive unchanged and typed by the column definition', async () => {
    const text = `quotes ' " \\ backslash, newline\n, tab\t, unicode é ✓ 🚀, $1 and a json-looking {"a": [1]}`;
    const rows = [
      { i: 0, id: 'AAAAAAAA-0000-4000-8000-000000000001', at: '2026-11-23T10:15:30.123Z', text, list: ['x', text], n: 12, flag: true },
      { i: 1, id: null, at: null, text: null, list: [], n: null, flag: null },
    ];
    const got = await db.query<Record<string, unknown>>(
      `select * from json_to_recordset($1::json) as r(i int, id uuid, at timestamptz, text text, list jsonb, n bigint, flag boolean) order by i`,
      [JSON.stringify(rows)],
    );
    assert.deepEqual(got, [
      { i: 0, id: 'aaaaaaaa-0000-4000-8000-000000000001', at: new Date('2026-11-23T10:15:30.123Z'), text, list: ['x', text], n: 12, flag: true },
      { i: 1, id: null, at: null, text: null, list: [], n: null, flag: null },
    ]);
  });

  test('a large batch goes in one parameter', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i, payload: { message: 'm'.repeat(1000), i } }));
    const [row] = await db.query<{ n: number; total: number }>(
      `select count(*)::int as n, sum((payload->>'i')::int)::int as total from json_to_recordset($1::json) as r(i int, payload jsonb)`,
      [JSON.stringify(rows)],
    );
    assert.deepEqual(row, { n: 2000, total: (1999 * 2000) / 2 });
  });
});
