/**
 * A fast path for the `date-time` format. Nearly every timestamp log0 sees is in the one form
 * `Date.prototype.toISOString` writes (`2026-11-23T10:15:30.123Z`): log0 writes every timestamp of
 * its messages that way, and most clients do too. Checking that form by character codes costs a
 * fraction of the general RFC 3339 parser (a split and two regular expressions), which every
 * message on every topic otherwise pays several times. Any other form gets the general check.
 */

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;
/** Positions of the digits in `YYYY-MM-DDTHH:MM:SS.sssZ`. */
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) value = value * 10 + (text.charCodeAt(at + i) - ZERO);
  return value;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * True when `text` is a valid date-time in the exact `toISOString` form (years 0000–9999);
 * false means only "not in that form", not "invalid".
 */
export function isCanonicalIsoDateTime(text: string): boolean {
  if (text.length !== 24) return false;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':' || text[19] !== '.' || text[23] !== 'Z') {
    return false;
  }
  for (const at of DIGIT_POSITIONS) {
    const code = text.charCodeAt(at);
    if (code < ZERO || code > ZERO + 9) return false;
  }
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const lastDay = month === 2 && isLeapYear(digits(text, 0, 4)) ? 29 : DAYS_IN_MONTH[month];
  // Seconds of 60 (leap seconds) take the general path.
  return day <= lastDay && digits(text, 11, 2) <= 23 && digits(text, 14, 2) <= 59 && digits(text, 17, 2) <= 59;
}

/** A `date-time` format check: the fast path first, then `general` for every other form. */
export function dateTimeFormat(general: (text: string) => boolean): (text: string) => boolean {
  return (text) => isCanonicalIsoDateTime(text) || general(text);
}
