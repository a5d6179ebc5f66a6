/**
 * Character classes for the template scanner, as one table lookup per UTF-16 unit (no regular expression on
 * the hot path). Units ≥ 128 are letters unless they are Unicode white space: words of any script are words.
 */

export const DIGIT = 1;
export const UPPER = 2;
export const LOWER = 4;
export const LETTER = UPPER | LOWER;
/** a–f, A–F. */
export const HEX_LETTER = 8;
/** Splits a token into pieces that are templated one by one, and stays in the template as it is. */
export const HARD = 16;
/** `( [ { <` and quotes: may open a bracketed or quoted part. */
export const OPENER = 32;
/** Characters of an identifier besides letters and digits: `_ $`. */
export const WORDISH = 64;

const TABLE = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TABLE[c] |= DIGIT;
for (let c = 0x41; c <= 0x5a; c++) TABLE[c] |= UPPER;
for (let c = 0x61; c <= 0x7a; c++) TABLE[c] |= LOWER;
for (const ch of 'abcdefABCDEF') TABLE[ch.charCodeAt(0)] |= HEX_LETTER;
for (const ch of '=,;()[]{}<>"\'|#@`') TABLE[ch.charCodeAt(0)] |= HARD;
for (const ch of '([{<"\'') TABLE[ch.charCodeAt(0)] |= OPENER;
for (const ch of '_$') TABLE[ch.charCodeAt(0)] |= WORDISH;

/** The class bits of a UTF-16 unit. */
export function charClass(code: number): number {
  if (code < 128) return TABLE[code];
  return isSpace(code) ? 0 : LETTER;
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isLetter(code: number): boolean {
  return code < 128 ? (TABLE[code] & LETTER) !== 0 : (code > 0x3000 && code !== 0xfeff) || !isSpace(code);
}

export function isHexDigit(code: number): boolean {
  return code < 128 && (TABLE[code] & (DIGIT | HEX_LETTER)) !== 0;
}

export function isHard(code: number): boolean {
  return code < 128 && (TABLE[code] & HARD) !== 0;
}

/** White space as String.prototype.trim sees it. */
export function isSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
