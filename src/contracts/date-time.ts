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

/** The digits of text[at, at + count) as a number, or −1 if any is not a digit. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * The instants a date-time can name: its year has four digits, in UTC. Outside them toISOString
 * writes a six-digit year, which is not an RFC 3339 date-time.
 */
export const FIRST_DATE_TIME_MS = Date.parse('0000-01-01T00:00:00.000Z');
export const LAST_DATE_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

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

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Epoch ms of an RFC 3339 timestamp, NaN if unreadable — Date.parse, with a fast path for the
 * UTC forms nearly every client sends (`2026-11-23T10:15:30.120Z`, `…:30Z`): on the hot paths
 * (clustering counts, the log store stages), Date.parse costs more than the rest of the work.
 */
export function parseDateTime(s: string): number {
  const n = s.length;
  if ((n === 24 || n === 20) && s.charCodeAt(n - 1) === 90 /* Z */) {
    const year = digits(s, 0, 4);
    const month = digits(s, 5, 2);
    const day = digits(s, 8, 2);
    const hour = digits(s, 11, 2);
    const minute = digits(s, 14, 2);
    const second = digits(s, 17, 2);
    const millis = n === 24 ? digits(s, 20, 3) : 0;
    const wellFormed =
      s[4] === '-' && s[7] === '-' && s[10] === 'T' && s[13] === ':' && s[16] === ':' && (n === 20 || s[19] === '.');
    const leapDay = month === 2 && day === 29 && isLeapYear(year);
    if (
      wellFormed &&
      year >= 0 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      (day <= DAYS_IN_MONTH[month] || leapDay) &&
      hour >= 0 &&
      hour <= 23 &&
      minute >= 0 &&
      minute <= 59 &&
      second >= 0 &&
      second <= 59 &&
      millis >= 0
    ) {
      return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
    }
  }
  return Date.parse(s);
}
