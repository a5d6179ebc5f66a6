/**
 * One token of a message (a run without white space): hard delimiters (`= , ; ( ) [ ] { } < > " ' | # @`)
 * stay, and the pieces between them are templated by segment.ts. `key=value` keeps its key and templates its
 * value as one (`<*>` when it holds a value); paths, URLs, e-mail addresses and `[ipv6]:port` are one value
 * each even across delimiters; a placeholder stays as it is; a redaction marker (`#3#`, `[REDACTED]`,
 * `<redacted>`, and stars as a key's value: `password=****`) is `<*>` (peers.ts).
 */
import { charClass, HARD, isDigit, isHard, isLetter, LETTER, OPENER } from './chars.js';
import { messageTemplate } from './index.js';
import { isAppScheme, isIdentifier, isQualifiedName, literalValue } from './names.js';
import { isEmailLocal, isEndpoint, isHostName } from './network.js';
import { PLACEHOLDER, placeholderAt } from './placeholders.js';
import { isHexRun } from './numbers.js';
import { isRedaction, mayStartRedaction, redactionLength } from './peers.js';
import { keyedValue, templateSegment, templateValueText } from './segment.js';
import { MESSAGE_KEYS } from './structured.js';

const EQUALS = 0x3d;
const COLON = 0x3a;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const AT = 0x40;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

/** Keys whose value names a user, even when it is a plain word (`user=root`, `login=alice`). */
const USER_KEYS = new Set([
  'user', 'username', 'user_name', 'userid', 'login', 'logname', 'ruser', 'euser', 'owner', 'account', 'principal',
]);

/** Keys whose value names an application, a process or a thing (`name=mailer`, `pkg=com.example.app`). */
const NAME_KEYS = new Set(['name', 'pkg', 'package', 'packagename', 'app', 'application']);

/** Keys whose value names a host (`rhost=mail.example.pl`, `host=db-primary`). */
const HOST_KEYS = new Set(['host', 'hostname', 'rhost', 'lhost', 'remote_host', 'server', 'peer', 'client_host']);

/**
 * The template of one token. `dotIsValue`: a final `.` belongs to the value rather than ending a sentence
 * (the message goes on with a lower-case word: `allocated /tmp/part-00007. chunk_1`).
 */
export function templateChunk(chunk: string, dotIsValue = false): string {
  const n = chunk.length;
  // Fast path: a word, possibly followed by sentence punctuation.
  let i = 0;
  while (i < n && isLetter(chunk.charCodeAt(i))) i++;
  if (i === n) return literalValue(chunk) ?? chunk;
  if (i > 0) {
    let j = i;
    while (j < n && isSentencePunctuation(chunk.charCodeAt(j))) j++;
    if (j === n) {
      const literal = literalValue(chunk.slice(0, i));
      return literal === null ? chunk : literal + chunk.slice(i);
    }
  }
  return templatePieces(chunk, 0, n, dotIsValue);
}

function isSentencePunctuation(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f;
}

/** text[start, end) templated piece by piece. */
function templatePieces(text: string, start: number, end: number, dotIsValue = false): string {
  let out = '';
  let i = start;
  let key = -1; // start of the piece before the last `=`, for key cues
  let keyEnd = -1;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isHard(c)) {
      if (c === 0x3c) {
        // A placeholder stays as it is: a template is its own template.
        const placeholder = placeholderAt(text, i, end);
        if (placeholder > 0) {
          out += text.slice(i, i + placeholder);
          i += placeholder;
          continue;
        }
      }
      if ((c === 0x23 || c === 0x5b || c === 0x3c) && mayStartRedaction(c, text.charCodeAt(i + 1))) {
        // `#3#`, `[REDACTED]`, `<redacted>`: a hidden value is a value (peers.ts).
        const marker = redactionLength(text, i, end, false);
        if (marker > 0) {
          out += PLACEHOLDER.any;
          i += marker;
          continue;
        }
      }
      if (c === 0x5b) {
        // [2001:db8::1]:8443 — an IPv6 endpoint
        const close = bracketedEndpointEnd(text, i, end);
        if (close > i) {
          out += PLACEHOLDER.host;
          i = close;
          continue;
        }
      }
      out += text[i];
      i++;
      const next = text.charCodeAt(i);
      if (c === EQUALS && (next === 0x5b || next === 0x28)) {
        // key=[1,2][3,4]: numbers in brackets, one value
        const numeric = numericBracketsEnd(text, i, end);
        if (numeric > i) {
          out += PLACEHOLDER.any;
          i = numeric;
          continue;
        }
      }
      // key=value; a value that opens a bracket (`Rect(0, 0)`, `<memory:1024>`) is templated piece by piece.
      if (c === EQUALS && i < end && next !== EQUALS && !(next < 128 && (charClass(next) & OPENER) !== 0 && next !== QUOTE && next !== APOSTROPHE)) {
        const valueEnd = findValueEnd(text, i, end);
        if (valueEnd > i) {
          const value = templateValue(text, i, valueEnd, key >= 0 && keyEnd === i - 1 ? text.slice(key, keyEnd) : '');
          // null: a structured value (`Rect(0, 0)`, `<memory:1024>`), templated piece by piece right here.
          if (value !== null) {
            out += value;
            i = valueEnd;
          }
        }
      }
      continue;
    }
    // The piece, and whether a path or URL may start in it (a `/`, `\\`, `~` or `.` first, or `:/`, `:\\`).
    let j = i;
    let pathLike = c === SLASH || c === BACKSLASH || c === 0x7e || c === 0x2e;
    let letters = true;
    while (j < end) {
      const d = text.charCodeAt(j);
      if (d < 128) {
        const k = charClass(d);
        if ((k & HARD) !== 0) break;
        if ((k & LETTER) === 0) {
          letters = false;
          if (d === COLON && !pathLike) {
            const e = text.charCodeAt(j + 1);
            pathLike = e === SLASH || e === BACKSLASH;
          }
        }
      }
      j++;
    }
    if (letters && text.charCodeAt(j) !== AT && (j - i < 8 || !isHexRun(text, i, j))) {
      // A word: itself, or a literal (`(true)`).
      const word = text.slice(i, j);
      out += literalValue(word) ?? word;
      key = i;
      keyEnd = j;
      i = j;
      continue;
    }

    // After a closing bracket no path starts (`<id>/x`, `(a)/b`, `<number>C:\x`): a `/` there separates.
    const c1 = i > start ? text.charCodeAt(i - 1) : 0;
    const afterCloser = c1 === 0x3e || c1 === 0x29 || c1 === 0x5d || c1 === 0x7d;
    if (afterCloser && c === SLASH) {
      out += '/';
      i++;
      continue;
    }
    // A path or URL runs on past hard delimiters (`/logs/[2017-07-03]-a.txt`), to the end of the token.
    if (pathLike && !afterCloser) {
      const long = longValueAt(text, i, j, end, dotIsValue);
      if (long !== null) {
        out += long.prefix + long.placeholder;
        i = long.end;
        continue;
      }
    }
    // local@domain.tld
    if (j < end && text.charCodeAt(j) === AT && j > i) {
      let k = j + 1;
      while (k < end && !isHard(text.charCodeAt(k))) k++;
      let domainEnd = k;
      while (domainEnd > j + 1 && isSentencePunctuation(text.charCodeAt(domainEnd - 1))) domainEnd--;
      if (isEmailLocal(text, i, j) && isHostName(text, j + 1, domainEnd)) {
        out += PLACEHOLDER.email + text.slice(domainEnd, k);
        i = k;
        continue;
      }
    }
    out += templateSegment(text.slice(i, j), dotIsValue && j === end);
    key = i;
    keyEnd = j;
    i = j;
  }
  return out;
}

/** End of `[ipv6]:port` from the `[` at `start`, or `start`. */
function bracketedEndpointEnd(text: string, start: number, end: number): number {
  let close = start + 1;
  const limit = Math.min(end, start + 64);
  while (close < limit && text.charCodeAt(close) !== 0x5d) close++;
  if (close >= limit || text.charCodeAt(close + 1) !== COLON) return start;
  let port = close + 2;
  while (port < end && isDigit(text.charCodeAt(port))) port++;
  if (port === close + 2 || port - close - 2 > 5) return start;
  return isEndpoint(text.slice(start + 1, close)) ? port : start;
}

/**
 * Where a `key=` value ends: at `,` or `;`, or at a closing bracket that nothing in the value opened.
 * A quoted value ends at its closing quote.
 */
function findValueEnd(text: string, start: number, end: number): number {
  // Looking at most MAX_VALUE characters ahead keeps the work linear whatever the token.
  const limit = Math.min(end, start + MAX_VALUE);
  const first = text.charCodeAt(start);
  if (first === QUOTE || first === APOSTROPHE) {
    for (let i = start + 1; i < limit; i++) if (text.charCodeAt(i) === first) return i + 1;
    return start;
  }
  let depth = 0;
  for (let i = start; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b || c === 0x3c) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d || c === 0x3e) {
      if (depth === 0) return i;
      depth--;
    } else if (depth === 0 && (c === 0x2c || c === 0x3b || c === EQUALS)) {
      return i;
    } else if (depth === 0 && c === QUOTE) {
      // A stray closing quote at the value's end belongs to it (`name=app",`).
      const after = i + 1 < end ? text.charCodeAt(i + 1) : 0x2c;
      return after === 0x2c || after === 0x3b ? i + 1 : i;
    }
  }
  return limit === end ? end : start;
}

/**
 * End of brackets holding only numbers (`[264,444][920,908]`, `(0, 0)`) from `start`, the token's end or a
 * `,`/`;` after them, or `start` when it is not so.
 */
function numericBracketsEnd(text: string, start: number, end: number): number {
  let depth = 0;
  let digits = false;
  const limit = Math.min(end, start + MAX_VALUE);
  for (let i = start; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x28) depth++;
    else if (c === 0x5d || c === 0x29) {
      if (--depth < 0) return start;
    } else if (isDigit(c)) digits = true;
    else if (depth === 0) return digits && (c === 0x2c || c === 0x3b) ? i : start;
    else if (c !== 0x2c && c !== 0x2e && c !== 0x2d && c !== 0x2b && c !== 0x20) return start;
  }
  return depth === 0 && digits && limit === end ? end : start;
}

/** The longest `key=` value looked for, in characters; a longer one is templated piece by piece. */
const MAX_VALUE = 512;

/** The template of the value text[start, end) after `key=`. */
function templateValue(text: string, start: number, end: number, key: string): string | null {
  const first = text.charCodeAt(start);
  if (first === QUOTE || first === APOSTROPHE) return templateQuotedValue(key, text.slice(start + 1, end - 1), text[start]);
  if (end - start > 1 && text.charCodeAt(end - 1) === QUOTE) {
    // A stray closing quote stays after the value.
    const template = templateValue(text, start, end - 1, key);
    return template === null ? null : template + '"';
  }
  const template = templateValueTyped(text, start, end, key);
  return template === null ? null : keyedValue(template);
}

function templateValueTyped(text: string, start: number, end: number, key: string): string | null {
  const first = text.charCodeAt(start);
  // `password=****`: stars where a value is expected hide one.
  if (first === 0x2a && isRedaction(text, start, end)) return PLACEHOLDER.any;
  if (key !== '' && isLetter(first)) {
    const lower = key.toLowerCase();
    if (USER_KEYS.has(lower)) return PLACEHOLDER.user;
    if (HOST_KEYS.has(lower) && isHostLikeValue(text, start, end)) return PLACEHOLDER.host;
    if ((NAME_KEYS.has(lower) || isIdKey(key)) && isHostLikeValue(text, start, end)) return PLACEHOLDER.id;
  }
  if (first < 128 && (charClass(first) & OPENER) !== 0) return null;
  let hard = false;
  let digit = false;
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isHard(c)) {
      hard = true;
      if (c === 0x28 || c === 0x5b || c === 0x7b || c === 0x3c) depth++;
      else if (c === 0x29 || c === 0x5d || c === 0x7d || c === 0x3e) depth--;
    } else if (isDigit(c)) digit = true;
  }
  // Name{…}, a##b##c: one value when it holds digits and no bracket is left open (`Source{10113}`).
  if (hard) return digit && depth === 0 ? PLACEHOLDER.id : null;
  const value = text.slice(start, end);
  // key=com.example.Thing: a qualified name as a key's value is a value.
  if (isQualifiedName(value)) return PLACEHOLDER.id;
  return templateValueText(value);
}

/**
 * `key="text"`: the text of a message-like key (`msg`, `error`, …) is templated as a message; any other
 * quoted text is one value, `<str>`.
 */
export function templateQuotedValue(key: string, inner: string, quote: string): string {
  if (inner.length === 0) return quote + quote;
  if (MESSAGE_KEYS.has(key.toLowerCase())) return quote + messageTemplate(inner) + quote;
  return quote + PLACEHOLDER.str + quote;
}

/** `id`, `groupId`, `CLIENT_ID`, `request-id`: a key whose value identifies something. */
function isIdKey(key: string): boolean {
  const n = key.length;
  if (n < 2) return false;
  const i = key.charCodeAt(n - 2);
  const d = key.charCodeAt(n - 1);
  if (n === 2) return (i | 0x20) === 0x69 && (d | 0x20) === 0x64;
  const before = key.charCodeAt(n - 3);
  if (i === 0x49 && (d === 0x64 || d === 0x44)) return true; // Id, ID
  return i === 0x69 && d === 0x64 && (before === 0x5f || before === 0x2d || before === 0x2e); // _id
}

function isHostLikeValue(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || c === 0x2d || c === 0x2e)) return false;
  }
  return true;
}

interface LongValue {
  prefix: string;
  placeholder: string;
  end: number;
}

/**
 * A path (`/var/log/x`, `~/x`, `./x`, `../x`, `C:\x`, `\\server\x`) or URL (`scheme://…`) starting at the
 * piece text[start, pieceEnd), possibly after `key:`; it ends where the token ends, before trailing sentence
 * punctuation, at `,` `;` or a quote, or at a closing bracket it did not open.
 */
function longValueAt(text: string, start: number, pieceEnd: number, end: number, dotIsValue: boolean): LongValue | null {
  let from = start;
  let prefix = '';
  const c0 = text.charCodeAt(start);
  // key:/path
  if (isLetter(c0)) {
    let colon = start + 1;
    while (colon < pieceEnd && text.charCodeAt(colon) !== COLON) colon++;
    if (colon < pieceEnd - 1) {
      // scheme://, the scheme possibly nested (`jdbc:postgresql://`)
      let sep = colon;
      while (sep < pieceEnd - 2 && !(text.charCodeAt(sep) === COLON && text.charCodeAt(sep + 1) === SLASH && text.charCodeAt(sep + 2) === SLASH)) sep++;
      if (sep < pieceEnd - 2 && isScheme(text, start, sep)) {
        const stop = pathEnd(text, sep + 3, end, dotIsValue);
        // An app's own scheme (`com.example.app://…`, a deep link) names the app's object: an id.
        const kind = isAppScheme(text, start, sep) ? PLACEHOLDER.id : PLACEHOLDER.url;
        return { prefix: '', placeholder: kind + text.slice(stop.valueEnd, stop.end), end: stop.end };
      }
      const next = text.charCodeAt(colon + 1);
      if (next === SLASH && isIdentifier(text, start, colon)) {
        from = colon + 1;
        prefix = text.slice(start, from);
      } else if (colon === start + 1 && next === BACKSLASH) {
        // C:\path
        const stop = pathEnd(text, start, end, dotIsValue);
        return { prefix: '', placeholder: PLACEHOLDER.path + text.slice(stop.valueEnd, stop.end), end: stop.end };
      } else {
        return null;
      }
    } else {
      return null;
    }
  }
  const c = text.charCodeAt(from);
  const c1 = text.charCodeAt(from + 1);
  let isPath = false;
  // A path starts a token or follows an opening bracket, a quote, `=` or `key:` — not a closing bracket
  // (`<number>/a` says two things).
  const before = from > 0 ? text.charCodeAt(from - 1) : 0;
  if (c === SLASH) {
    isPath = from + 1 < end && c1 !== SLASH && before !== 0x3e && before !== 0x29 && before !== 0x5d && before !== 0x7d &&
      (isLetter(c1) || isDigit(c1) || c1 === 0x2e || c1 === 0x5f || c1 === 0x7e || c1 === 0x2d || c1 === 0x2a || c1 === 0x40);
  }
  else if (c === BACKSLASH) isPath = c1 === BACKSLASH;
  else if (c === 0x7e) isPath = c1 === SLASH;
  else if (c === 0x2e) isPath = c1 === SLASH || (c1 === 0x2e && text.charCodeAt(from + 2) === SLASH);
  if (!isPath) return null;
  const stop = pathEnd(text, from, end, dotIsValue);
  if (stop.valueEnd - from < 2) return null;
  // `/10.0.0.7:5432`: Java's way of writing an endpoint, not a path.
  const kind = c === SLASH && isDigit(c1) && isEndpoint(text.slice(from, stop.valueEnd)) ? PLACEHOLDER.host : PLACEHOLDER.path;
  return { prefix, placeholder: kind + text.slice(stop.valueEnd, stop.end), end: stop.end };
}

function isScheme(text: string, start: number, end: number): boolean {
  if (!isLetter(text.charCodeAt(start))) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || c === 0x2b || c === 0x2e || c === 0x2d || c === COLON)) return false;
  }
  return true;
}

/** End of a path or URL value from `start`, and of the punctuation after it that stays as text. */
function pathEnd(text: string, start: number, end: number, dotIsValue: boolean): { valueEnd: number; end: number } {
  let depth = 0;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (c === 0x2c || c === 0x3b || c === QUOTE || c === APOSTROPHE || c === 0x3e)) {
      break;
    }
  }
  let valueEnd = i;
  while (valueEnd > start + 1) {
    const c = text.charCodeAt(valueEnd - 1);
    if (c === 0x2e && dotIsValue && valueEnd === end) break;
    if (c === 0x2e || c === 0x3a || c === 0x21 || c === 0x3f) valueEnd--;
    else break;
  }
  return { valueEnd, end: i };
}
