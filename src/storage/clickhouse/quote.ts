/**
 * The one way values get into ClickHouse SQL text.
 *
 * Why quoting and not bound parameters: ClickHouse 18.16 (Debian's package, which this adapter
 * must support) has no server-side query parameters ({name:Type} arrived in 19.x), so every
 * value in a query is a literal in the SQL text. To keep that safe, the adapter builds SQL only
 * with the `sql` template tag below: the template's fixed text is trusted, and every
 * interpolated value goes through `literal` (strings, safe integers, arrays of them), or is an
 * identifier made by `identifier`, or a fragment `sql` built earlier. Nothing else is accepted,
 * so no input can be concatenated into SQL by mistake. (Inserted rows never become SQL: they
 * travel as JSONEachRow data, see writer.ts.)
 *
 * String literals use ClickHouse's escape syntax, the same in 18.16 and current releases:
 * backslash and single quote are backslash-escaped, NUL becomes \0, \b \f \n \r \t their
 * usual escapes and every other C0 control character and DEL \xHH; everything else, any
 * Unicode, goes through as UTF-8. Lone surrogates become U+FFFD (see well-formed.ts).
 * test/unit/clickhouse-quote.test.ts round-trips thousands of random strings through a server.
 */
import { wellFormed } from './well-formed.js';

/** Not exported: only this module can make Sql values. */
const TRUSTED = Symbol('trusted SQL');

/** A piece of SQL text that is safe as it stands: fixed text, literals and identifiers only. */
export class Sql {
  /** Only `sql`, `identifier` and `joinSql` (this module) can make these. */
  constructor(token: typeof TRUSTED, readonly text: string) {
    if (token !== TRUSTED) throw new TypeError('Sql values are made with the sql template tag');
  }

  toString(): string {
    return this.text;
  }
}

function trusted(text: string): Sql {
  return new Sql(TRUSTED, text);
}

export type SqlLiteralValue = string | number | readonly (string | number)[];
export type SqlValue = SqlLiteralValue | Sql;

const NAMED_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

const NEEDS_ESCAPE = /[\\'\x00-\x1f\x7f]/g;

function escapeChar(c: string): string {
  return NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** A ClickHouse string literal denoting exactly `value` (lone surrogates as U+FFFD). */
export function quoteString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`expected a string, got ${typeof value}`);
  return `'${wellFormed(value).replace(NEEDS_ESCAPE, escapeChar)}'`;
}

/** A ClickHouse integer literal; only safe integers are accepted (no NaN, Infinity, fractions). */
export function quoteInteger(value: number): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`expected a safe integer, got ${String(value)}`);
  // Number -0 prints as "0".
  return String(value);
}

/** The SQL literal for a value: a string, a safe integer, or an array literal of those. */
export function literal(value: SqlLiteralValue): string {
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return quoteInteger(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item as string | number)).join(', ')}]`;
  throw new TypeError(`no SQL literal for ${typeof value}`);
}

/** A back-quoted identifier (database, table or column name), escaped like a string literal. */
export function identifier(name: string): Sql {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('an identifier must be a non-empty string');
  return trusted(`\`${wellFormed(name).replace(/[\\`\x00-\x1f\x7f]/g, (c) => (c === '`' ? '\\`' : escapeChar(c)))}\``);
}

/** Template tag: fixed text as written, every interpolation a literal, identifier or fragment. */
export function sql(strings: TemplateStringsArray, ...values: SqlValue[]): Sql {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    text += (value instanceof Sql ? value.text : literal(value)) + strings[i + 1];
  }
  return trusted(text);
}

/** Fragments joined by a fixed separator, e.g. conditions by ' AND '. */
export function joinSql(parts: readonly Sql[], separator: ', ' | ' AND ' | ' OR '): Sql {
  return trusted(parts.map((part) => part.text).join(separator));
}
