/**
 * The regular-expression engine the contract validators use (Ajv's `code.regExp` option): the
 * contracts' patterns with a hand-written equivalent are checked by it, any other one by a RegExp.
 * The fingerprint pattern is checked on every normalized log by each of its consumers (and again
 * on every record clustering replays); as a RegExp it took ≈ 2 % of a window rebuild's time.
 */

/** `^[0-9a-f]{64}$`: a SHA-256 hex digest, lowercase. */
function isLowercaseHex64(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

const EQUIVALENTS: ReadonlyMap<string, (text: string) => boolean> = new Map([
  ['^[0-9a-f]{64}$', isLowercaseHex64],
]);

interface RegExpLike {
  test(text: string): boolean;
  /** Ajv keys compiled patterns by it. */
  toString(): string;
}

/**
 * Ajv calls it for each occurrence of a pattern when it compiles a schema. `code` is what Ajv's
 * standalone code would call instead (not used: validators are compiled at runtime); there, a
 * plain RegExp.
 */
export const contractRegExp = Object.assign(
  (pattern: string, flags: string): RegExpLike => {
    const test = EQUIVALENTS.get(pattern);
    return test ? { test, toString: () => `/${pattern}/${flags}` } : new RegExp(pattern, flags);
  },
  { code: 'new RegExp' },
);
