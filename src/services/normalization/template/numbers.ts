/**
 * Values made of digits: numbers (with a sign, decimals, dotted groups, an exponent) and their units,
 * versions, hex runs, UUIDs, clock times and ISO dates. Linear scans of char codes.
 */
import { charClass, DIGIT, isDigit, isHexDigit, isLetter, LETTER } from './chars.js';

/** Whether text[start, end) is all ASCII digits (and not empty). */
export function isDigits(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Units a number may carry glued to it, kept in the template after `<number>`: durations, sizes, rates,
 * frequencies, temperatures. `30000ms` → `<number>ms`, `512MB` → `<number>MB`.
 */
export const UNITS = new Set([
  'ns', 'us', 'µs', 'μs', 'ms', 's', 'sec', 'secs', 'm', 'min', 'mins', 'h', 'hr', 'hrs', 'd', 'w', 'y',
  'b', 'B', 'k', 'K', 'kb', 'kB', 'KB', 'KiB', 'M', 'mb', 'MB', 'MiB', 'g', 'G', 'gb', 'GB', 'GiB', 't', 'T', 'tb', 'TB', 'TiB',
  'P', 'PB', 'PiB', 'bytes', 'Kbytes', 'Mbytes', 'bps', 'kbps', 'Kbps', 'Mbps', 'Gbps', 'Hz', 'kHz', 'KHz', 'MHz', 'GHz',
  'C', 'F', 'V', 'mV', 'A', 'mA', 'W', 'kW', 'rpm', 'fps', 'px', 'pt', 'em', 'x', 'ops', 'rps', 'qps', 'dpi',
]);

/**
 * Length of a number at `start`: an optional sign (only at the start of the token), digits, dotted digit
 * groups (`1.2.3`) or a decimal part, and an exponent. 0 when there is no digit.
 */
export function numberLength(text: string, start: number, end: number): number {
  let i = start;
  const c0 = text.charCodeAt(i);
  if ((c0 === 0x2d || c0 === 0x2b) && i + 1 < end && isDigit(text.charCodeAt(i + 1))) i++;
  if (!isDigit(text.charCodeAt(i))) return 0;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  while (i + 1 < end && text.charCodeAt(i) === 0x2e && isDigit(text.charCodeAt(i + 1))) {
    i += 2;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if ((e === 0x65 || e === 0x45) && i + 1 < end) {
    let j = i + 1;
    const s = text.charCodeAt(j);
    if (s === 0x2b || s === 0x2d) j++;
    if (j < end && isDigit(text.charCodeAt(j))) {
      while (j < end && isDigit(text.charCodeAt(j))) j++;
      if (j === end || !isLetter(text.charCodeAt(j))) i = j;
    }
  }
  return i - start;
}

/**
 * A version: `v` and dotted numbers (`v1.2`, `V2.0.1-rc1`), or three dotted numbers or more with a suffix
 * (`2.6.5-1.358`, `1.4.2-beta`). `number` is the length of the leading number.
 */
export function isVersion(text: string, number: number): boolean {
  const c0 = text.charCodeAt(0);
  if ((c0 === 0x76 || c0 === 0x56) && isDigit(text.charCodeAt(1))) {
    const length = numberLength(text, 1, text.length);
    let dotted = false;
    for (let i = 1; i < 1 + length; i++) if (text.charCodeAt(i) === 0x2e) dotted = true;
    return dotted && isVersionSuffix(text, 1 + length);
  }
  if (number === 0) return false;
  let dots = 0;
  for (let i = 0; i < number; i++) if (text.charCodeAt(i) === 0x2e) dots++;
  return dots >= 2 && text.charCodeAt(number) === 0x2d && isVersionSuffix(text, number);
}

/** Nothing, or `-`/`+`/`.` and letters, digits, dots and hyphens (`-rc1`, `+build.5`, `-1.358`). */
function isVersionSuffix(text: string, from: number): boolean {
  if (from === text.length) return true;
  const c = text.charCodeAt(from);
  if (c !== 0x2d && c !== 0x2b && c !== 0x2e && c !== 0x5f) return false;
  for (let i = from + 1; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (!(isLetter(d) || isDigit(d) || d === 0x2e || d === 0x2d || d === 0x5f || d === 0x2b)) return false;
  }
  return from + 1 < text.length;
}

export function isHexRun(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isHexDigit(text.charCodeAt(i))) return false;
  return end > start;
}

/** Position of a UUID (8-4-4-4-12 hex digits) in text[from, …), not glued to a letter or digit, or -1. */
export function findUuid(text: string, from = 0): number {
  for (let dash = text.indexOf('-', from + 8); dash >= 0; dash = text.indexOf('-', dash + 1)) {
    const start = dash - 8;
    if (start < from) continue;
    if (isUuidAt(text, start)) return start;
  }
  return -1;
}

function isUuidAt(text: string, start: number): boolean {
  if (start + 36 > text.length) return false;
  if (text.charCodeAt(start + 13) !== 0x2d || text.charCodeAt(start + 18) !== 0x2d || text.charCodeAt(start + 23) !== 0x2d) return false;
  for (let k = 0; k < 36; k++) {
    if (k === 8 || k === 13 || k === 18 || k === 23) continue;
    if (!isHexDigit(text.charCodeAt(start + k))) return false;
  }
  // Not glued to a letter or digit on either side.
  const before = start > 0 ? text.charCodeAt(start - 1) : 0;
  const after = start + 36 < text.length ? text.charCodeAt(start + 36) : 0;
  return !isGlued(before) && !isGlued(after);
}

function isGlued(c: number): boolean {
  return c !== 0 && c < 128 && (charClass(c) & (LETTER | DIGIT)) !== 0;
}

/** hh:mm or hh:mm:ss, with an optional fraction of a second. */
export function isClock(text: string): boolean {
  const n = text.length;
  if (n < 4) return false;
  let i = 0;
  let groups = 0;
  while (i < n) {
    const start = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    const digits = i - start;
    if (digits < 1 || digits > 2) return false;
    groups++;
    if (i === n) break;
    const c = text.charCodeAt(i);
    if (c === 0x3a && groups < 3) {
      i++;
      continue;
    }
    if ((c === 0x2e || c === 0x2c) && groups >= 2) {
      // fraction
      i++;
      const from = i;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      return i === n && i > from;
    }
    return false;
  }
  return groups >= 2 && i === n && text.charCodeAt(n - 1) !== 0x3a;
}

/** yyyy-mm-dd */
export function isIsoDate(text: string): boolean {
  return (
    text.length === 10 && isDigits(text, 0, 4) && text.charCodeAt(4) === 0x2d && isDigits(text, 5, 7) &&
    text.charCodeAt(7) === 0x2d && isDigits(text, 8, 10)
  );
}

/**
 * An ISO 8601 date, or date and time in one token: `2024-05-12`, `2024-05-12T10:15:30.123Z`,
 * `2024-05-12T10:15:30+02:00`, `2017-05-16_13:53:08`.
 */
export function isIsoDateTime(text: string): boolean {
  if (text.length < 10 || !isIsoDate(text.slice(0, 10))) return false;
  if (text.length === 10) return true;
  const t = text.charCodeAt(10);
  if (t !== 0x54 && t !== 0x5f && t !== 0x20) return false;
  let end = text.length;
  if (text.charCodeAt(end - 1) === 0x5a) end--;
  // a zone offset: +hh:mm, +hhmm, -hh
  for (let k = end - 1; k > 11 && k >= end - 6; k--) {
    const c = text.charCodeAt(k);
    if (c === 0x2b || c === 0x2d) {
      if (isDigits(text, k + 1, k + 3)) end = k;
      break;
    }
  }
  return isClock(text.slice(11, end));
}
