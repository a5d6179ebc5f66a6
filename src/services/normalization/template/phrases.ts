/**
 * Rules over several tokens of a message: dates written with spaces, sizes (`512 MB`) and bounds on
 * durations (`<1 sec`), an HTTP request line, the name after a cue word (`user alice`, `host db-1`), a quoted
 * `key="free text"`, a value restated in parentheses, the empty name of an address (`()`), numbered names in
 * a row (`node1 node2`). Each rule looks at the tokens from position `i` and, when it applies, appends their
 * template to `out` — never more tokens than it read — and returns how many tokens it read; otherwise 0.
 *
 * After every token is templated, collapseRepeats makes lists one value: a run of the same identifier, a
 * call stack, five hex numbers or more, a comma-separated list of addresses.
 */
import { isDigit, isLetter } from './chars.js';
import { isWord } from './names.js';
import { isClock, isDigits, isIsoDate, numberLength } from './numbers.js';
import { isRedaction } from './peers.js';
import { PLACEHOLDER } from './placeholders.js';
import { templateChunk, templateQuotedValue } from './token.js';

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Oct', 'Nov', 'Dec']);
const WEEKDAYS = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);

/** Units of data after a number: `512 MB`, `4096 bytes`, `1.2 GiB`. */
const SIZE_UNITS = new Set([
  'B', 'b', 'byte', 'bytes', 'KB', 'kB', 'Kb', 'KiB', 'MB', 'MiB', 'GB', 'GiB', 'TB', 'TiB', 'PB', 'PiB', 'Kbytes', 'Mbytes',
  'kbytes',
]);

/** Units of time after a number: after a bound (`<1 sec`) the two are one value. */
const TIME_UNITS = new Set([
  'ns', 'us', 'µs', 'ms', 's', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour',
  'hours', 'day', 'days', 'millis', 'milliseconds', 'microseconds', 'nanoseconds',
]);

/** Words that, after a cue word, are not the name it announces: `user unknown`, `user is`, `host not found`. */
const NOT_A_NAME = new Set([
  'a', 'an', 'the', 'and', 'or', 'not', 'no', 'is', 'was', 'are', 'were', 'be', 'been', 'has', 'had', 'have', 'does', 'did', 'do',
  'with', 'without', 'from', 'to', 'for', 'in', 'on', 'at', 'by', 'of', 'as', 'that', 'this', 'which', 'who', 'it', 'its', 'if',
  'can', 'cannot', 'could', 'should', 'will', 'would', 'may', 'must', 'unknown', 'name', 'names', 'id', 'ids', 'info', 'information',
  'session', 'sessions', 'account', 'accounts', 'authentication', 'request', 'requests', 'data', 'agent', 'logged', 'login', 'logout',
  'mode', 'space', 'interface', 'input', 'list', 'group', 'groups', 'defined', 'level', 'context', 'namespace', 'directory', 'home',
  'process', 'privileges', 'limit', 'limits', 'quota', 'any', 'all', 'key', 'keys', 'port', 'address', 'lookup', 'unreachable',
  'down', 'up', 'error', 'errors', 'failed', 'denied', 'changed', 'created', 'deleted', 'exists', 'found', 'entry', 'table', 'config',
  'configuration', 'settings', 'preferences', 'profile', 'manager', 'service', 'services', 'check', 'verification', 'validation',
  'invalid', 'illegal', 'parameter', 'parameters', 'available', 'unavailable', 'reachable', 'alive', 'dead', 'ready', 'busy',
  'online', 'offline', 'known', 'resolved', 'identification', 'fingerprint', 'certificate', 'header', 'headers', 'field',
  'record', 'records', 'object', 'objects', 'role', 'roles', 'permission', 'permissions', 'password', 'credentials', 'token',
  'users', 'controller', 'join', 'joined', 'policy', 'trust', 'suffix', 'socket', 'socks', 'model', 'event',
  'events', 'logic', 'layer', 'specific', 'wide', 'level', 'expert', 'knowledge',
]);

/** Dates and times: `Sun Jul 3 10:05:25 2005`, `Jul 3 10:05:25`, `2017-05-16 05:00:00.123`. */
function datetimeAt(chunks: readonly string[], i: number, out: string[]): number {
  const token = chunks[i];
  const open = leadingOpeners(token);
  const first = open === 0 ? token : token.slice(open);
  const prefix = token.slice(0, open);
  let j = i;
  if (WEEKDAYS.has(trimPunctuation(first))) j++;
  const month = j === i ? first : chunks[j];
  if (j < chunks.length && MONTHS.has(month)) {
    // [Www] Mmm d hh:mm:ss [TZ] [yyyy]
    const day = chunks[j + 1];
    const time = chunks[j + 2];
    if (day === undefined || time === undefined || !isDayOfMonth(day) || !isClock(trimPunctuation(time))) return 0;
    let k = j + 3;
    let last = time;
    if (k < chunks.length && isTimeZone(chunks[k])) last = chunks[k++];
    if (k < chunks.length && isYear(trimPunctuation(chunks[k]))) last = chunks[k++];
    out.push(prefix + PLACEHOLDER.datetime + trailingPunctuation(last));
    return k - i;
  }
  if (j !== i) return 0;
  // yyyy-mm-dd hh:mm:ss[.fff] [TZ], yyyy/mm/dd hh:mm:ss
  if ((isIsoDate(first) || isSlashDate(first)) && i + 1 < chunks.length && isClock(trimPunctuation(chunks[i + 1]))) {
    let k = i + 2;
    let last = chunks[i + 1];
    if (trailingPunctuation(last) === '' && k < chunks.length && (isTimeZone(trimPunctuation(chunks[k])) || isZoneOffset(trimPunctuation(chunks[k])))) last = chunks[k++];
    out.push(prefix + PLACEHOLDER.datetime + trailingPunctuation(last));
    return k - i;
  }
  // dd/Mmm/yyyy:hh:mm:ss +zzzz (access logs)
  if (isCommonLogDate(trimPunctuation(first))) {
    let k = i + 1;
    let last = first;
    if (k < chunks.length && isZoneOffset(trimPunctuation(chunks[k]))) last = chunks[k++];
    out.push(prefix + PLACEHOLDER.datetime + trailingPunctuation(last));
    return k - i;
  }
  return 0;
}

/** yyyy/m/d */
function isSlashDate(text: string): boolean {
  const n = text.length;
  if (n < 8 || n > 10 || !isDigits(text, 0, 4) || text.charCodeAt(4) !== 0x2f) return false;
  const slash = text.indexOf('/', 5);
  return slash > 5 && slash <= 7 && isDigits(text, 5, slash) && n - slash - 1 >= 1 && n - slash - 1 <= 2 && isDigits(text, slash + 1, n);
}

/** dd/Mmm/yyyy:hh:mm:ss, as in the Common Log Format. */
function isCommonLogDate(text: string): boolean {
  if (text.length !== 20 || text.charCodeAt(2) !== 0x2f || text.charCodeAt(6) !== 0x2f || text.charCodeAt(11) !== 0x3a) return false;
  return isDigits(text, 0, 2) && MONTHS.has(text.slice(3, 6)) && isDigits(text, 7, 11) && isClock(text.slice(12));
}

/** +0200, -07:00, Z */
function isZoneOffset(text: string): boolean {
  if (text === 'Z') return true;
  const c = text.charCodeAt(0);
  if (c !== 0x2b && c !== 0x2d) return false;
  if (text.length === 5) return isDigits(text, 1, 5);
  return text.length === 6 && text.charCodeAt(3) === 0x3a && isDigits(text, 1, 3) && isDigits(text, 4, 6);
}

function isDayOfMonth(text: string): boolean {
  return (text.length === 1 || text.length === 2) && isDigits(text);
}

function isYear(text: string): boolean {
  return text.length === 4 && isDigits(text);
}

function isTimeZone(text: string): boolean {
  if (text.length < 3 || text.length > 5) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

function trimPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && isClosingPunctuation(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

function trailingPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && isClosingPunctuation(text.charCodeAt(end - 1))) end--;
  return text.slice(end);
}

function isClosingPunctuation(c: number): boolean {
  return c === 0x2e || c === 0x2c || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f || c === 0x29 || c === 0x5d || c === 0x7d || c === 0x22 || c === 0x27;
}

function leadingOpeners(text: string): number {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x28 || c === 0x5b || c === 0x7b || c === 0x22 || c === 0x27) i++;
    else break;
  }
  return i;
}

/**
 * A quantity: a number followed by a unit of data (`512 MB` → `<size>`), restated or not in parentheses
 * (`18846 bytes (18.4 KB)` → `<size>`); or a bound on a duration (`<1 sec` → `<time>`).
 */
function quantityAt(chunks: readonly string[], i: number, out: string[]): number {
  const first = chunks[i];
  const open = leadingOpeners(first);
  const comparator = first.charCodeAt(open) === 0x3c || first.charCodeAt(open) === 0x3e ? 1 : 0;
  const start = open + comparator;
  const length = numberLength(first, start, first.length);
  if (length === 0 || start + length !== first.length || i + 1 >= chunks.length) return 0;
  const unitChunk = chunks[i + 1];
  const unit = trimPunctuation(unitChunk);
  if (comparator === 1 && TIME_UNITS.has(unit)) {
    out.push(first.slice(0, open) + PLACEHOLDER.time + trailingPunctuation(unitChunk));
    return 2;
  }
  if (comparator === 1 || !SIZE_UNITS.has(unit)) return 0;
  let used = 2;
  let tail = trailingPunctuation(unitChunk);
  // A restatement in other units: `(18.4 KB)`.
  if (tail === '' && i + 3 < chunks.length) {
    const again = chunks[i + 2];
    if (again.charCodeAt(0) === 0x28 && numberLength(again, 1, again.length) === again.length - 1) {
      const againUnit = chunks[i + 3];
      const closing = trailingPunctuation(againUnit);
      if (closing.charCodeAt(0) === 0x29 && SIZE_UNITS.has(trimPunctuation(againUnit))) {
        used = 4;
        tail = closing.slice(1);
      }
    }
  }
  out.push(first.slice(0, open) + PLACEHOLDER.size + tail);
  return used;
}

/** `"GET /path HTTP/1.1"`: the request target and the protocol are one value, `"GET <path>"`. */
function requestLineAt(chunks: readonly string[], i: number, out: string[]): number {
  if (i + 2 >= chunks.length) return 0;
  const method = chunks[i];
  const open = leadingOpeners(method);
  if (!HTTP_METHODS.has(open === 0 ? method : method.slice(open))) return 0;
  const target = chunks[i + 1];
  const protocol = chunks[i + 2];
  if (!protocol.startsWith('HTTP/')) return 0;
  const c = target.charCodeAt(0);
  if (c !== 0x2f && c !== 0x2a && !target.startsWith('http')) return 0;
  let end = 5;
  while (end < protocol.length && (isDigit(protocol.charCodeAt(end)) || protocol.charCodeAt(end) === 0x2e)) end++;
  out.push(method);
  out.push(PLACEHOLDER.path + protocol.slice(end));
  return 3;
}

/**
 * The name after a cue word: `user X`, `password for X` → <user>; `host X`, `hostname X`, `host name X`,
 * `domain name X` → <host>; `domain X` → <id>. X may be in brackets or quotes (`domain name (mx1)`) or a
 * redaction marker (`user ***`, `User #29#`: peers.ts), and what follows a name in parentheses stays
 * (`user root(uid=0)` → `user <user>(uid=<*>)`).
 */
function cueAt(chunks: readonly string[], i: number, out: string[]): number {
  if (i + 1 >= chunks.length) return 0;
  const word = chunks[i];
  let kind: string;
  if (word === 'user' || word === 'User' || word === 'USER') kind = PLACEHOLDER.user;
  else if (word === 'host' || word === 'Host' || word === 'hostname') kind = PLACEHOLDER.host;
  else if (word === 'for' && i > 0 && chunks[i - 1] === 'password') kind = PLACEHOLDER.user;
  else if (word === 'name' && i > 0 && (chunks[i - 1] === 'host' || chunks[i - 1] === 'domain')) kind = PLACEHOLDER.host;
  else if (word === 'domain') kind = PLACEHOLDER.id;
  else return 0;
  const value = chunks[i + 1];
  const open = leadingOpeners(value);
  let name = trimPunctuation(open === 0 ? value : value.slice(open));
  // `user root(uid=0)`: the name, then what is said about it.
  const paren = name.indexOf('(');
  if (paren > 0) name = name.slice(0, paren);
  // A redacted name (`user ***`, `User #29#`) is a name all the same (peers.ts).
  if (name.length === 0 || (!isName(name) && !isRedaction(name)) || NOT_A_NAME.has(name.toLowerCase())) return 0;
  // `user authenticated`: a verb; but after `invalid user`, `for user`, `by user` a name whatever it looks like.
  if (isVerbForm(name) && !(i > 0 && STRONG_CUES.has(chunks[i - 1].toLowerCase()))) return 0;
  if (word === 'for' && name === 'user') return 0; // `password for user alice`: the cue is `user`
  const rest = value.slice(open + name.length);
  out.push(word);
  out.push(value.slice(0, open) + kind + (paren > 0 ? templateChunk(rest) : rest));
  return 2;
}

/** Words before a cue that make the next word a name for sure (`invalid user testing`). */
const STRONG_CUES = new Set(['invalid', 'unknown', 'for', 'by', 'as', 'to', 'of', 'from', 'password']);

/** A lower-case word in -ed or -ing (`user authenticated`, `host rebooting`): a verb, not a name. */
function isVerbForm(word: string): boolean {
  const n = word.length;
  if (n < 5 || !isWord(word)) return false;
  const c = word.charCodeAt(0);
  if (c < 0x61 || c > 0x7a) return false;
  return word.endsWith('ed') || word.endsWith('ing');
}

/** An account or host name: letters, digits, `. _ - @ $`, starting with a letter, digit or `_`. */
function isName(text: string): boolean {
  const c0 = text.charCodeAt(0);
  if (!(isLetter(c0) || isDigit(c0) || c0 === 0x5f)) return false;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || c === 0x2e || c === 0x5f || c === 0x2d || c === 0x40 || c === 0x24)) return false;
  }
  return true;
}

/** `key="free text with spaces"` → `key="<str>"`, or the text templated when the key names a message. */
function quotedValueAt(chunks: readonly string[], i: number, out: string[]): number {
  const first = chunks[i];
  const eq = first.indexOf('="');
  const quote = eq >= 0 ? eq + 1 : -1;
  if (quote < 0 || first.indexOf('"', quote + 1) >= 0) return 0;
  for (let k = i + 1; k < chunks.length && k <= i + 64; k++) {
    const close = chunks[k].indexOf('"');
    if (close >= 0) {
      let keyStart = eq;
      while (keyStart > 0 && isKeyChar(first.charCodeAt(keyStart - 1))) keyStart--;
      const head = templateChunk(first.slice(0, quote));
      const inner = [first.slice(quote + 1), ...chunks.slice(i + 1, k), chunks[k].slice(0, close)].join(' ');
      const rest = chunks[k].slice(close + 1);
      out.push(head + templateQuotedValue(first.slice(keyStart, eq), inner, '"') + (rest === '' ? '' : templateChunk(rest)));
      return k - i + 1;
    }
  }
  return 0;
}

function isKeyChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e;
}

/** A value repeated in parentheses is one value: `10.0.0.1 (10.0.0.1):` → `<host>:`. */
function repeatAt(chunks: readonly string[], i: number, out: string[]): number {
  if (i + 1 >= chunks.length) return 0;
  const value = chunks[i];
  const next = chunks[i + 1];
  if (value.charCodeAt(0) === 0x3c) return 0; // a placeholder: `<host> (<host>)` says two things
  if (next.length < value.length + 2 || next.charCodeAt(0) !== 0x28 || !next.startsWith(value, 1) || next.charCodeAt(value.length + 1) !== 0x29) return 0;
  const tail = next.slice(value.length + 2);
  if (!isPunctuationOnly(tail)) return 0;
  out.push(templateChunk(value) + tail);
  return 2;
}

function isPunctuationOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isClosingPunctuation(text.charCodeAt(i))) return false;
  return true;
}

/**
 * `()` after an address: the address's name, empty when it has none (`from 10.0.0.1 (db.example.org)`,
 * `from 10.0.0.2 ()`) → `(<host>)` either way.
 */
function emptyNameAt(chunks: readonly string[], i: number, out: string[], previous: string): number {
  const token = chunks[i];
  if (token.charCodeAt(1) !== 0x29 || !isPunctuationOnly(token.slice(2))) return 0;
  if (!previous.endsWith(PLACEHOLDER.host)) return 0;
  out.push('(' + PLACEHOLDER.host + token.slice(1));
  return 1;
}

/**
 * A list of names that differ only in their number (`node1 node2 node3`, `an14 an15 an16`): one `<id>`.
 */
function numberedNamesAt(chunks: readonly string[], i: number, out: string[]): number {
  const first = trimPunctuation(chunks[i]);
  const stem = numberedStem(first);
  if (stem === 0 || i + 1 >= chunks.length || chunks[i] !== first) return 0;
  let k = i + 1;
  let last = chunks[i];
  while (k < chunks.length) {
    const name = trimPunctuation(chunks[k]);
    if (numberedStem(name) !== stem || !name.startsWith(first.slice(0, stem)) || name === first) break;
    last = chunks[k];
    k++;
    if (last !== name) break;
  }
  if (k - i < 2) return 0;
  out.push(PLACEHOLDER.id + trailingPunctuation(last));
  return k - i;
}

/** Length of the letters before the final digits of `name` (letters then digits, nothing else), or 0. */
function numberedStem(name: string): number {
  let i = 0;
  while (i < name.length && isLetter(name.charCodeAt(i))) i++;
  if (i === 0 || i === name.length) return 0;
  for (let j = i; j < name.length; j++) if (!isDigit(name.charCodeAt(j))) return 0;
  return i;
}

/** A unit of data or time may start so: a letter, at most nine of them (`bytes)`, `seconds,`). */
function mayBeUnit(token: string): boolean {
  return token.length <= 9 && isLetter(token.charCodeAt(0));
}

/**
 * A date may start so: a weekday or a month (capitalised, five characters at most), or digits with a date
 * separator where dates have them (`2024-05-12`, `2024/5/12`, `12/May/2024`), after an opening bracket or not.
 */
function mayStartDate(first: string, c: number): boolean {
  if (c >= 0x41 && c <= 0x5a) return first.length <= 5;
  const o = c === 0x5b || c === 0x28 ? 1 : 0;
  if (first.length < 8 + o || !isDigit(first.charCodeAt(o))) return false;
  const c2 = first.charCodeAt(o + 2);
  const c4 = first.charCodeAt(o + 4);
  return c4 === 0x2d || c4 === 0x2f || c2 === 0x2f;
}

/**
 * The first phrase rule that applies at token i, or 0; `previous` is the template of the token before, and
 * the rule appends its template to `out`.
 */
export function phraseAt(chunks: readonly string[], i: number, out: string[], previous: string): number {
  const first = chunks[i];
  const c = first.charCodeAt(0);
  // Most tokens are lower-case words that start no phrase: one look at the first and last letters.
  if (c >= 0x61 && c <= 0x7a && c !== 0x75 && c !== 0x68 && c !== 0x66 && c !== 0x6e && c !== 0x64) {
    const last = first.charCodeAt(first.length - 1);
    if (!isDigit(last) && (i + 1 >= chunks.length || chunks[i + 1].charCodeAt(0) !== 0x28)) {
      return first.length > 2 && first.includes('="') ? quotedValueAt(chunks, i, out) : 0;
    }
  }
  if (c === 0x28 && first.length >= 2) {
    const used = emptyNameAt(chunks, i, out, previous);
    if (used > 0) return used;
  }
  if (isLetter(c) && isDigit(first.charCodeAt(first.length - 1)) && i + 1 < chunks.length) {
    const used = numberedNamesAt(chunks, i, out);
    if (used > 0) return used;
  }
  if ((isDigit(c) || c === 0x28 || c === 0x3c || c === 0x3e) && i + 1 < chunks.length && mayBeUnit(chunks[i + 1])) {
    const used = quantityAt(chunks, i, out);
    if (used > 0) return used;
  }
  if (mayStartDate(first, c)) {
    const used = datetimeAt(chunks, i, out);
    if (used > 0) return used;
  }
  if ((c === 0x22 || (c >= 0x41 && c <= 0x5a)) && first.length <= 8) {
    const used = requestLineAt(chunks, i, out);
    if (used > 0) return used;
  }
  if (c === 0x75 || c === 0x55 || c === 0x68 || c === 0x48 || c === 0x66 || c === 0x6e || c === 0x64) {
    const used = cueAt(chunks, i, out);
    if (used > 0) return used;
  }
  if (i + 1 < chunks.length && chunks[i + 1].charCodeAt(0) === 0x28) {
    const used = repeatAt(chunks, i, out);
    if (used > 0) return used;
  }
  if (first.length > 2 && first.includes('="')) {
    const used = quotedValueAt(chunks, i, out);
    if (used > 0) return used;
  }
  return 0;
}

/**
 * Lists and repeats, on the templated tokens: a run of the same identifier or hex placeholder (a list of
 * block ids, of addresses) becomes one (`chunk_1 chunk_2 chunk_3` → `<id>`); a value repeated in parentheses
 * becomes one (`10.0.0.1 (10.0.0.1):` → `<host>:`).
 */
export function collapseRepeats(out: string[]): void {
  let w = 0;
  let r = 0;
  while (r < out.length) {
    const token = out[r];
    const next = r + 1 < out.length ? out[r + 1] : '';
    // A call stack on one line (`com.example.Foo.bar:<number> com.example.Baz.run:<number>`): one value.
    if (isFrame(token) && isFrame(next)) {
      let k = r + 2;
      while (k < out.length && isFrame(out[k])) k++;
      out[w++] = FRAME;
      r = k;
      continue;
    }
    const kind = next === token || (next.length > token.length && next.length <= token.length + 3 && next.startsWith(token)) ? listItemKind(token) : null;
    if (kind === null) {
      out[w++] = token;
      r++;
      continue;
    }
    // The run of this item (the last one may carry closing punctuation).
    let k = r + 1;
    while (k < out.length && out[k] === token) k++;
    if (k < out.length && out[k].startsWith(token) && isClosingRun(out[k], token.length)) k++;
    // Identifiers in a row are a list (`chunk_1 chunk_2`, a stack of `Class.method:line`); hex numbers from five
    // in a row (an address stack, a dump), fewer being as often a fixed set of fields.
    if (k - r >= 2 && (kind === PLACEHOLDER.id || k - r >= 5)) {
      out[w++] = out[k - 1];
    } else {
      for (let m = r; m < k; m++) out[w++] = out[m];
    }
    r = k;
  }
  out.length = w;
  for (let m = 0; m < out.length; m++) {
    if (out[m].includes(',<')) out[m] = out[m].replace(COMMA_LIST, '$1');
  }
}

const FRAME = PLACEHOLDER.id + ':' + PLACEHOLDER.number;

/** `Class.method:<number>` or `<id>:<number>`: a frame of a call stack, after templating. */
function isFrame(token: string): boolean {
  if (!token.endsWith(':' + PLACEHOLDER.number)) return false;
  const end = token.length - PLACEHOLDER.number.length - 1;
  if (end === PLACEHOLDER.id.length && token.startsWith(PLACEHOLDER.id)) return true;
  let dots = 0;
  for (let i = 0; i < end; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2e) dots++;
    else if (!(isLetter(c) || isDigit(c) || c === 0x5f || c === 0x24)) return false;
  }
  return dots >= 2;
}

/** `<host>,<host>`: a comma-separated list of addresses or ids in one token. */
const COMMA_LIST = /(<(?:host|id|uuid|hex|path|url|email)>)(?:,\1)+/g;

/**
 * What kind of list item `token` can be (brackets and quotes around it aside): `<hex>` for a hex number
 * alone or after `@`/`#`; `<id>` for a token holding an identifier, an address, a path, a URL or an e-mail
 * address (`<id>`, `<id>:<number>`, `@<id>`, `[<host>]`); else null — numbers, sizes, times and literals are
 * fields as often as items (`IRQs 3 4 5`, `true true`).
 */
function listItemKind(token: string): string | null {
  let start = leadingOpeners(token);
  if (token.charCodeAt(start) === 0x40 || token.charCodeAt(start) === 0x23) start++;
  let end = token.length;
  while (end > start && isClosingPunctuation(token.charCodeAt(end - 1))) end--;
  if (end - start === PLACEHOLDER.hex.length && token.startsWith(PLACEHOLDER.hex, start)) return PLACEHOLDER.hex;
  for (const item of LIST_ITEMS) if (token.includes(item)) return PLACEHOLDER.id;
  return null;
}

const LIST_ITEMS = [PLACEHOLDER.id, PLACEHOLDER.uuid, PLACEHOLDER.host, PLACEHOLDER.path, PLACEHOLDER.url, PLACEHOLDER.email];

function isClosingRun(token: string, from: number): boolean {
  if (from === token.length) return false;
  for (let i = from; i < token.length; i++) if (!isClosingPunctuation(token.charCodeAt(i))) return false;
  return true;
}
