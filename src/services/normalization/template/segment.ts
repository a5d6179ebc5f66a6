/**
 * A segment: a run of characters without white space or hard delimiters (`= , ; ( ) [ ] { } < > " ' | # @`),
 * and what it stands for — a value as a whole (an address, a number, a version, an id), or parts joined by
 * `:`, `-`, `/`, `.` templated one by one. No regular expression and no backtracking: each function scans
 * its text a bounded number of times, and recursion only ever works on shorter parts.
 */
import { charClass, DIGIT, HEX_LETTER, isDigit, isLetter, LETTER } from './chars.js';
import {
  afterLeadingNames, afterLeadingWords, hasFileExtension, isApplicationId, isAppScheme, isComponentName, isHyphenatedName, isIdentifier,
  isKnownName, isNameWithDigits, isWord, literalValue,
} from './names.js';
import { ipv4Length, isEndpoint, isHardwareAddress, isHostName, isPciAddress } from './network.js';
import { findUuid, isClock, isHexRun, isIsoDateTime, isVersion, numberLength, UNITS } from './numbers.js';
import { PLACEHOLDER } from './placeholders.js';

/**
 * The template of one segment. Sentence punctuation after it stays outside the value, except a final `.`
 * when `dotIsValue` (the message goes on with a lower-case word).
 */
export function templateSegment(text: string, dotIsValue = false): string {
  const n = text.length;
  if (n === 0) return text;
  // Trailing sentence punctuation stays outside the value.
  let end = n;
  while (end > 1) {
    const c = text.charCodeAt(end - 1);
    if (c === 0x2e && dotIsValue && end === n) break;
    if (c === 0x2e || c === 0x3a || c === 0x21 || c === 0x3f) end--;
    else break;
  }
  if (end < n && end > 0) {
    const core = text.slice(0, end);
    if (!isPunctuation(core)) return templateCore(core) + text.slice(end);
  }
  return templateCore(text);
}

function isPunctuation(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isLetter(text.charCodeAt(i)) || isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** The template of a segment without trailing punctuation: the first rule that matches (see ../template.ts, 5). */
function templateCore(text: string): string {
  const n = text.length;
  // Hyphens and stars at the ends are separators and marks, and stay: `-report-002.xml`, `__73-`,
  // nginx's connection number `*5678`; so does a currency or parameter sign (`$42`, `$1`).
  const c0 = text.charCodeAt(0);
  if (c0 === 0x24 && n > 1 && isDigit(text.charCodeAt(1))) return '$' + templateCore(text.slice(1));
  if ((c0 === 0x2d && !isDigit(text.charCodeAt(1))) || c0 === 0x2a || text.charCodeAt(n - 1) === 0x2d) {
    let from = 0;
    while (from < n && (text.charCodeAt(from) === 0x2d || text.charCodeAt(from) === 0x2a)) from++;
    if (from > 0 && from < n && isDigit(text.charCodeAt(from)) && text.charCodeAt(from - 1) === 0x2d) from--; // `--5`: a sign
    let to = n;
    while (to > from && text.charCodeAt(to - 1) === 0x2d) to--;
    if (to <= from) return text;
    // (a word between them stays a word: `null-` as in `null-<host>`)
    if ((from > 0 || to < n) && !isWord(text, from, to)) return text.slice(0, from) + templateCore(text.slice(from, to)) + text.slice(to);
    if (from > 0 || to < n) return text;
  }
  let digits = 0;
  let letters = 0;
  let colons = 0;
  let dots = 0;
  let hyphens = 0;
  let slashes = 0;
  let other = 0;
  let hexOnly = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    const k = charClass(c);
    if (k & DIGIT) digits++;
    else if (k & LETTER) {
      letters++;
      if (!(k & HEX_LETTER)) hexOnly = false;
    } else {
      hexOnly = false;
      if (c === 0x3a) colons++;
      else if (c === 0x2e) dots++;
      else if (c === 0x2d) hyphens++;
      else if (c === 0x2f) slashes++;
      else if (c !== 0x5f && c !== 0x24) other++;
    }
  }

  if (digits === 0) {
    if (letters === 0) return text;
    const literal = literalValue(text);
    if (literal !== null) return literal;
    // Eight hex letters or more: a number in hex (`ffffffff`), no English word is spelt so.
    if (hexOnly && n >= 8) return n > 16 ? PLACEHOLDER.hex : PLACEHOLDER.number;
    if (text.charCodeAt(0) === 0x2f && n > 1) return PLACEHOLDER.path;
    if (dots > 0 && isHostName(text)) return PLACEHOLDER.host;
    if (colons > 0 && slashes >= 2 && isUrl(text)) return isAppScheme(text, 0, text.indexOf(':')) ? PLACEHOLDER.id : PLACEHOLDER.url;
    if (slashes > 0 && dots > 0 && isComponentName(text)) return PLACEHOLDER.id;
    if (slashes >= 2 && dots > 0 && other === 0) return PLACEHOLDER.path;
    if (dots >= 2 && other === 0 && isApplicationId(text)) return PLACEHOLDER.id;
    if (colons > 0) return templateColons(text);
    return text;
  }

  // Whole-token forms.
  if (hyphens >= 2 && isDigit(c0) && isIsoDateTime(text)) return PLACEHOLDER.datetime;
  if (colons > 0 && slashes >= 2 && isUrl(text)) return isAppScheme(text, 0, text.indexOf(':')) ? PLACEHOLDER.id : PLACEHOLDER.url;
  if (n >= 36 && hyphens >= 4) {
    const u = findUuid(text);
    if (u >= 0) return templateUuids(text, u);
  }
  if (dots >= 3 || colons >= 2 || (colons === 1 && (dots > 0 || hyphens > 0 || text.startsWith('localhost:'))) || slashes > 0) {
    if (isEndpoint(text)) return PLACEHOLDER.host;
  }
  if (colons >= 3 && isHardwareAddress(text)) return PLACEHOLDER.id;
  if (colons === 2 && dots === 1 && isPciAddress(text)) return PLACEHOLDER.id;
  if (text.charCodeAt(0) === 0x2f && n > 1) return PLACEHOLDER.path;
  if (dots > 0 && letters > 0 && isHostName(text)) return PLACEHOLDER.host;

  // Dot leaders (`memory check......0`) separate what they join.
  if (dots >= 2 && text.includes('..')) return templateDotRuns(text);

  // A number, possibly with a unit, covering the whole token.
  const number = numberLength(text, 0, n);
  if (number === n) {
    if (dots >= 2 && isDigit(c0)) return PLACEHOLDER.version;
    // More than twenty digits is no quantity: a hex digest that happens to have no letter.
    return n > 20 && digits === n ? PLACEHOLDER.hex : PLACEHOLDER.number;
  }
  if (isVersion(text, number)) return PLACEHOLDER.version;
  if (c0 === 0x30 && (text.charCodeAt(1) | 0x20) === 0x78 && n > 2 && isHexRun(text, 2, n)) return PLACEHOLDER.hex;
  // Hex digits without 0x: a number written in hex (`003a90fc`, `7f3e`), which the same field writes with
  // decimal digits only as often; longer, a digest or an id.
  if (hexOnly && letters > 0 && (n >= 8 || (c0 === 0x30 && n >= 4))) return n > 16 ? PLACEHOLDER.hex : PLACEHOLDER.number;
  if (colons > 0 && isClock(text)) return PLACEHOLDER.time;
  if (number > 0) {
    const unit = text.slice(number);
    if (UNITS.has(unit)) return PLACEHOLDER.number + unit;
    if (unit === '%') return PLACEHOLDER.number + '%';
  }
  if (hexOnly && n >= 6 && letters > 0) return n > 16 ? PLACEHOLDER.hex : PLACEHOLDER.number;

  if (colons > 0) return templateColons(text);
  if (number > 0 && hyphens > 0 && text.charCodeAt(number) === 0x2d) return templateParts(text, 0x2d);
  if (number > 0 && slashes > 0 && text.charCodeAt(number) === 0x2f) return templateParts(text, 0x2f);
  if (slashes >= 2 && other === 0) return PLACEHOLDER.path;
  if (slashes > 0 && text.charCodeAt(0) !== 0x2f) return templateParts(text, 0x2f);

  // word-word-<value>: keep the leading words of a hyphenated name (`node-<number>`, `kafka-broker-<number>`).
  if (hyphens > 0 && other === 0 && isLetter(c0) && !isKnownName(text) && !(dots === 0 && slashes === 0 && isHyphenatedName(text))) {
    const rest = afterLeadingWords(text, 0x2d);
    // Not a file name (`report-002.xml`), which is one value.
    if (rest > 0 && rest < n && !hasFileExtension(text)) return text.slice(0, rest) + templateCore(text.slice(rest));
  }
  // name.name.<value>: keep the leading names of a dotted name (`core.<number>`).
  if (dots > 0 && other === 0 && (isLetter(c0) || c0 === 0x5f)) {
    const rest = afterLeadingNames(text);
    if (rest > 0 && rest < n) {
      // An application id with a value after it is one value (`com.example.app.a1b2` → <id>).
      if (isApplicationId(text.slice(0, rest - 1))) return PLACEHOLDER.id;
      return text.slice(0, rest) + templateCore(text.slice(rest));
    }
    if (rest === n) return text;
  }
  if (number === 0 && other === 0 && dots === 0 && slashes === 0) {
    if (hyphens === 0 ? isNameWithDigits(text, 0, n) : isKnownName(text) || isHyphenatedName(text)) return text;
  }
  // A file name with a number in it (`run_0042.log`, `core-dump-7.gz`): a path without directories.
  if (dots > 0 && other === 0 && hasFileExtension(text)) return PLACEHOLDER.path;
  return PLACEHOLDER.id;
}

/** `scheme://…`, the scheme possibly nested (`jdbc:postgresql://…`). */
function isUrl(text: string): boolean {
  const sep = text.indexOf('://');
  if (sep <= 0 || !isLetter(text.charCodeAt(0))) return false;
  for (let i = 1; i < sep; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || c === 0x2b || c === 0x2e || c === 0x2d || c === 0x3a)) return false;
  }
  return true;
}

/** Each UUID from the one at `first` on → `<uuid>`, the text between templated on its own. */
function templateUuids(text: string, first: number): string {
  let out = first > 0 ? templateCore(text.slice(0, first)) : '';
  let u = first;
  while (u >= 0) {
    out += PLACEHOLDER.uuid;
    const next = findUuid(text, u + 36);
    const gapEnd = next < 0 ? text.length : next;
    if (gapEnd > u + 36) out += templateCore(text.slice(u + 36, gapEnd));
    u = next;
  }
  return out;
}

/** Parts joined by runs of two dots or more, each templated on its own; the runs stay. */
function templateDotRuns(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x2e && text.charCodeAt(i + 1) === 0x2e) {
      let j = i + 2;
      while (j < text.length && text.charCodeAt(j) === 0x2e) j++;
      if (i > from) out += templateCore(text.slice(from, i));
      out += text.slice(i, j);
      from = i = j;
    } else {
      i++;
    }
  }
  if (from < text.length) out += templateCore(text.slice(from));
  return out;
}

/** Parts joined by `separator`, each templated on its own: `1-10` → `<number>-<number>`. */
function templateParts(text: string, separator: number): string {
  let out = '';
  let from = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === separator) {
      if (i > from) out += templateCore(text.slice(from, i));
      if (i < text.length) out += text[i];
      from = i + 1;
    }
  }
  return out;
}

/**
 * `key:value` (the key an identifier) → key + `:` + the value templated as a value; other colon-joined parts
 * (`10:15:30`, `Class::method`) each on their own.
 */
function templateColons(text: string): string {
  // An address and port, then more: `10.0.0.1:50010:Got exception`.
  const ip = ipv4Length(text, 0);
  if (ip > 0 && text.charCodeAt(ip) === 0x3a) {
    let port = ip + 1;
    while (port < text.length && isDigit(text.charCodeAt(port))) port++;
    if (port > ip + 1 && port < text.length && text.charCodeAt(port) === 0x3a) {
      const rest = text.slice(port + 1);
      return PLACEHOLDER.host + ':' + (rest.includes(':') ? templateParts(rest, 0x3a) : templateCore(rest));
    }
  }
  const colon = text.indexOf(':');
  // key:value, the value without a colon of its own (else each part on its own: linear work on `a:a:a:…`).
  if (colon > 0 && text.indexOf(':', colon + 1) < 0 && isIdentifier(text, 0, colon)) {
    const value = text.slice(colon + 1);
    if (value.length === 0) return text;
    return templateCore(text.slice(0, colon)) + ':' + keyedValue(templateValueText(value));
  }
  return templateParts(text, 0x3a);
}

/**
 * A key's value, once templated: when it holds a value, `<*>` as a whole — the key already says what the
 * value is, and one key's values are not always of one kind or shape (`ws=null`, `ws=Source{1013}`,
 * `clientId=consumer-7`, `clientId=app-2-1`).
 */
export function keyedValue(template: string): string {
  return template.includes('<') ? PLACEHOLDER.any : template;
}

/** A value after `key=` or `key:` with no hard delimiter in it. */
export function templateValueText(value: string): string {
  if (value.length === 0) return value;
  if (value.charCodeAt(0) === 0x2f && value.length > 1) return PLACEHOLDER.path;
  return templateSegment(value);
}
