/**
 * quote.ts, the only way values reach the ClickHouse adapter's SQL: pure edge cases, a decoder
 * of ClickHouse's literal syntax as an oracle for random strings, and thousands of random
 * strings round-tripped through a real server (`SELECT <literal>` must give back exactly the
 * input's UTF-8 bytes). The server part starts ClickHouse like the contract test does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { clientFor, parseClickHouseUrl } from '../../src/storage/clickhouse/index.js';
import { identifier, joinSql, literal, quoteInteger, quoteString, sql, Sql } from '../../src/storage/clickhouse/quote.js';
import { wellFormed } from '../../src/storage/clickhouse/well-formed.js';
import { clickHouseUrl } from '../support/clickhouse-server.js';
import { seededRandom } from '../support/seeded-random.js';

/** Reads a ClickHouse string literal the way the server's lexer does (the escapes quote.ts uses and more). */
function decodeLiteral(text: string): string {
  assert.equal(text[0], "'", 'starts with a quote');
  const escapes: Record<string, string> = { '0': '\0', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', a: '\x07', v: '\v', e: '\x1b' };
  let out = '';
  let i = 1;
  for (;;) {
    assert.ok(i < text.length, 'literal is terminated');
    const c = text[i];
    if (c === "'") break;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === 'x') {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 4;
      } else {
        out += escapes[next] ?? next;
        i += 2;
      }
      continue;
    }
    assert.ok(c.charCodeAt(0) >= 0x20 && c !== '\x7f', `raw control character ${c.charCodeAt(0)} in literal`);
    out += c;
    i++;
  }
  assert.equal(i, text.length - 1, 'nothing follows the closing quote');
  return out;
}

type Random = () => number;

const SPECIALS = ["'", '\\', '\0', '\n', '\r', '\t', '\b', '\f', '\x01', '\x1f', '\x7f', '`', '"', '%', '_', '?', '{', '}', '$', ';', '-', '/', '*'];
const EMOJI = ['🔥', '👨‍👩‍👧', '🏳️‍🌈', '👍🏽', '\u{1f600}', '\u{10ffff}', '\u{1d11e}'];

function randomCodePoint(random: Random): string {
  const r = random();
  if (r < 0.3) return String.fromCharCode(Math.floor(random() * 0x80)); // ASCII incl. controls
  if (r < 0.45) return SPECIALS[Math.floor(random() * SPECIALS.length)];
  if (r < 0.55) return EMOJI[Math.floor(random() * EMOJI.length)];
  if (r < 0.65) return String.fromCharCode(0xd800 + Math.floor(random() * 0x800)); // a surrogate, usually lone
  if (r < 0.85) return String.fromCharCode(Math.floor(random() * 0x10000)); // BMP, surrogates included
  return String.fromCodePoint(Math.floor(random() * 0x110000)); // anywhere, surrogates included
}

function randomString(random: Random): string {
  const r = random();
  const length = r < 0.02 ? 20_000 + Math.floor(random() * 80_000) : r < 0.2 ? Math.floor(random() * 1000) : Math.floor(random() * 40);
  let s = '';
  while (s.length < length) s += randomCodePoint(random);
  return s;
}

function randomStrings(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const fixed = ['', "'", "''", '\\', "\\'", "'\\", '\0', 'a\0b', '\ud800', '\udc00', '\udc00\ud800', '\ud83d\udd25', 'x'.repeat(100_000)];
  return [...fixed, ...Array.from({ length: count - fixed.length }, () => randomString(random))];
}

function hexUtf8(value: string): string {
  return Buffer.from(value, 'utf8').toString('hex').toUpperCase();
}

describe('quote (pure)', () => {
  test('escapes backslash, quote and control characters; passes everything else through', () => {
    assert.equal(quoteString(''), "''");
    assert.equal(quoteString("it's"), "'it\\'s'");
    assert.equal(quoteString('a\\b'), "'a\\\\b'");
    assert.equal(quoteString('\0'), "'\\0'");
    assert.equal(quoteString('\0' + '1'), "'\\01'", 'NUL then a digit');
    assert.equal(quoteString('\b\f\n\r\t'), "'\\b\\f\\n\\r\\t'");
    assert.equal(quoteString('\x01\x1b\x1f\x7f'), "'\\x01\\x1b\\x1f\\x7f'");
    assert.equal(quoteString('"`%_?{x:String}'), '\'"`%_?{x:String}\'');
    assert.equal(quoteString('école 日本語 🔥 👨‍👩‍👧 \u200b\ufeff\u2028'), "'école 日本語 🔥 👨‍👩‍👧 \u200b\ufeff\u2028'");
    assert.equal(quoteString("' OR '1'='1"), "'\\' OR \\'1\\'=\\'1'");
  });

  test('lone surrogates become U+FFFD, as in inserted rows; pairs stay', () => {
    assert.equal(quoteString('a\ud800b'), "'a\ufffdb'");
    assert.equal(quoteString('\udfff'), "'\ufffd'");
    assert.equal(quoteString('\udc00\ud800'), "'\ufffd\ufffd'", 'a reversed pair is two lone surrogates');
    assert.equal(quoteString('\ud83d\udd25'), "'🔥'");
    assert.equal(quoteString('\ud83d'), "'\ufffd'");
    assert.equal(wellFormed('x\ud800'), 'x\ufffd');
    assert.equal(wellFormed('plain'), 'plain');
  });

  test('integers: safe integers only', () => {
    assert.equal(quoteInteger(0), '0');
    assert.equal(quoteInteger(-0), '0');
    assert.equal(quoteInteger(-42), '-42');
    assert.equal(quoteInteger(Number.MAX_SAFE_INTEGER), '9007199254740991');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 1e300]) {
      assert.throws(() => quoteInteger(bad), TypeError, String(bad));
    }
  });

  test('literal takes strings, integers and arrays of them, nothing else', () => {
    assert.equal(literal("a'"), "'a\\''");
    assert.equal(literal(7), '7');
    assert.equal(literal(['a', 1, "'"]), "['a', 1, '\\'']");
    assert.equal(literal([]), '[]');
    for (const bad of [null, undefined, true, 1n, {}, () => 1, Symbol('s')]) {
      assert.throws(() => literal(bad as unknown as string), TypeError, String(bad?.toString()));
    }
  });

  test('identifiers are back-quoted and escaped', () => {
    assert.equal(identifier('logs').text, '`logs`');
    assert.equal(identifier('a`b\\c').text, '`a\\`b\\\\c`');
    assert.equal(identifier('x\0y').text, '`x\\0y`');
    assert.throws(() => identifier(''), TypeError);
  });

  test('the sql tag quotes every interpolation; Sql values cannot be forged', () => {
    const tenant = "t'; DROP TABLE logs; --";
    const where = sql`tenant_id = ${tenant} AND ts < ${5}`;
    assert.equal(where.text, "tenant_id = 't\\'; DROP TABLE logs; --' AND ts < 5");
    assert.equal(sql`SELECT * FROM ${identifier('logs')} WHERE ${where}`.text, "SELECT * FROM `logs` WHERE tenant_id = 't\\'; DROP TABLE logs; --' AND ts < 5");
    assert.equal(joinSql([sql`a = ${1}`, sql`b = ${'x'}`], ' OR ').text, "a = 1 OR b = 'x'");
    assert.throws(() => sql`${{ text: 'DROP TABLE logs' } as unknown as string}`, TypeError);
    assert.throws(() => new Sql(Symbol('trusted SQL') as never, 'DROP TABLE logs'), TypeError);
  });

  test('random strings: decoding the literal as ClickHouse does gives the input back', () => {
    for (const value of randomStrings(1, 3_000)) {
      assert.equal(decodeLiteral(quoteString(value)), wellFormed(value));
    }
  });
});

describe('quote round trip through a real ClickHouse server', () => {
  let client: ClickHouseClient;

  before(async () => {
    client = clientFor(parseClickHouseUrl(await clickHouseUrl()));
  });

  after(async () => {
    await client?.close();
  });

  /** Each value's literal as the server reads it: its UTF-8 as hex, and as JSON output. */
  async function roundTrip(values: readonly string[]): Promise<{ hex: string[]; text: string[] }> {
    const query = `SELECT [${values.map(quoteString).join(', ')}] AS v, arrayMap(x -> hex(x), v) AS h`;
    const result = await client.query({
      query,
      format: 'JSONEachRow',
      // The default max_query_size (256 KiB) is too small for the long strings.
      clickhouse_settings: { max_query_size: '67108864' },
    });
    const [row] = await result.json<{ v: string[]; h: string[] }>();
    return { hex: row.h, text: row.v };
  }

  test('5,000 random strings come back exactly, as bytes and as text', async () => {
    const values = randomStrings(2, 5_000);
    let checked = 0;
    // Batches of at most ~1 MB of literals, to keep each query reasonable.
    for (let start = 0; start < values.length; ) {
      let end = start;
      let size = 0;
      while (end < values.length && (end === start || size + values[end].length < 1_000_000)) size += values[end++].length;
      const batch = values.slice(start, end);
      const { hex, text } = await roundTrip(batch);
      assert.equal(hex.length, batch.length);
      batch.forEach((value, i) => {
        const expected = wellFormed(value);
        assert.equal(hex[i], hexUtf8(expected), `bytes of value #${start + i} ${JSON.stringify(value.slice(0, 40))}`);
        assert.equal(text[i], expected, `text of value #${start + i}`);
      });
      checked += batch.length;
      start = end;
    }
    assert.equal(checked, values.length);
  });

  test('a literal is usable wherever a value is: comparison, IN, function arguments', async () => {
    const values = ["'", '\\', '\0', 'a\0b', '%_', "' OR 1=1 --", '日本語', '🔥'];
    for (const value of values) {
      const query = sql`SELECT ${value} = ${value} AS same, ${value} IN (${value}, 'x') AS member, length(${value}) AS bytes, positionCaseInsensitiveUTF8(concat('<', ${value}, '>'), ${value}) AS at`;
      const [row] = await (await client.query({ query: query.text, format: 'JSONEachRow' })).json<{ same: number; member: number; bytes: string | number; at: string | number }>();
      assert.equal(row.same, 1, JSON.stringify(value));
      assert.equal(row.member, 1, JSON.stringify(value));
      assert.equal(Number(row.bytes), Buffer.byteLength(value), JSON.stringify(value));
      assert.equal(Number(row.at), 2, JSON.stringify(value));
    }
  });
});
