/**
 * Strings as ClickHouse can hold them. ClickHouse strings are bytes, read and written as UTF-8,
 * and a lone UTF-16 surrogate has no UTF-8 form: ClickHouse 18.16 rejects a JSON `"\ud800"`
 * escape (the whole insert fails), and a SQL literal can only carry UTF-8. Both paths into the
 * store (inserted rows, rows.ts; SQL literals, quote.ts) therefore replace a lone surrogate with
 * U+FFFD, as String.prototype.toWellFormed and TextEncoder do, so a value reaches the server the
 * same way whichever path it takes.
 */

/** ES2024 methods, native in Node 20 (V8 11.3); the project's TypeScript lib is ES2023. */
interface Es2024String {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** `value` with every lone surrogate replaced by U+FFFD; the same string when it has none. */
export function wellFormed(value: string): string {
  const s = value as unknown as Es2024String;
  return s.isWellFormed() ? value : s.toWellFormed();
}
