/**
 * Two rules that give a value its kind from where it stands or from how it was hidden: peers (applied by
 * index.ts to the token after `to`, `from`, `via`) and redaction markers (token.ts, in a token; phrases.ts,
 * after a cue word).
 *
 * Redaction markers. A value that a program or a log anonymiser hid is still a value: `[REDACTED]` (pino's
 * redact, many loggers), `[Filtered]`/`[FILTERED]` (Sentry's scrubber, Rails' filter_parameters),
 * `<redacted>`, `<masked>`, `<hidden>`, `[SCRUBBED]`, and a word or number between `#` signs (`#3#`,
 * `#USER#`: how log anonymisers and message-template engines write a replaced or unfilled value) → `<*>`
 * wherever they stand. A run of three stars or more (`***`, `********`) is a redaction only where a value is
 * expected — the object of a directional preposition (below), the name after a cue word (`user ***`), a
 * key's value (`password=****`) — since elsewhere stars are a banner or a separator
 * (`******* GOODBYE … *******`) and stay.
 *
 * Peers. The single token after a directional preposition — `to`, `from`, `via` — names the other end of
 * what the message reports (`connection from 203.0.113.7`, `synchronized to 192.0.2.1`, `assigned … to
 * node-1`). When it is written
 *  - as a host name without a domain that holds a number: one DNS label, letters, digits and hyphens
 *    (`node-7`, `web01`, `ip-10-0-1-17`, `kafka-broker-2`), which the other rules make `<id>` or
 *    `word-<number>`;
 *  - as a device name with its unit number, `NAME(unit)` (`LOCAL(0)`, `GPS_NMEA(1)`, `SHM(0)`: how ntpd
 *    names a reference clock it synchronises to, where a server would be named by its address);
 *  - or as a redaction marker (`#3#`, `***`, `[REDACTED]`),
 * it is that peer, `<host>`, the placeholder an address in the same place gets, so that one message keeps
 * one template whichever way its peer is written. Not after `due` (`due to ORA-00942` gives a cause).
 * What another rule reads as a value of its own kind stays so (`to v1.2.4` <version>, `to /var/log/x`
 * <path>, `to 512MB`, `to task_42` <id>: an underscore is no host name's; `to core.31337` `core.<number>`: a
 * dotted name without a known domain is as often a file), and so do names with digits that name things
 * (`via eth1`, `to v2`, `to HTTP/2`).
 */
import { charClass, DIGIT, isDigit, isLetter, LETTER } from './chars.js';
import { PLACEHOLDER } from './placeholders.js';

/** Whether a word (as written in the message) is a directional preposition whose object is a peer. */
export function isDirectional(word: string): boolean {
  switch (word.length) {
    case 2:
      return word === 'to';
    case 3:
      return word === 'via';
    case 4:
      return word === 'from';
    default:
      return false;
  }
}

/**
 * The template of `chunk`, the token after a directional preposition (itself after the word `before`) whose
 * ordinary template is `template`, when it names a peer (see above): `<host>` in place of the value, its
 * quotes and trailing punctuation kept. Otherwise `template` itself.
 */
export function peerTemplate(chunk: string, template: string, before: string): string {
  const n = chunk.length;
  let start = 0;
  const q = chunk.charCodeAt(0);
  if (q === 0x22 || q === 0x27) start = 1;
  // Most objects are addresses, numbers or paths, which start with a digit or a `/`: one look rules them out.
  const c0 = chunk.charCodeAt(start);
  if (c0 >= 128 || !((charClass(c0) & LETTER) !== 0 || c0 === 0x23 || c0 === 0x2a || c0 === 0x5b || c0 === 0x3c)) return template;
  let end = n;
  while (end > 1 && isTrailing(chunk.charCodeAt(end - 1))) end--;
  if (start > 0) {
    if (end < 4 || chunk.charCodeAt(end - 1) !== q) return template;
    end--;
  }
  if (end - start < 2) return template;
  // The value's own template: the token's, without the quotes and punctuation around it, which stay as they are.
  const after = n - end;
  const coreEnd = template.length - after;
  if (coreEnd <= start || (start > 0 && template.charCodeAt(0) !== q)) return template;
  for (let k = 0; k < after; k++) if (template.charCodeAt(coreEnd + k) !== chunk.charCodeAt(end + k)) return template;
  if (!isPeer(chunk, start, end, template, coreEnd)) return template;
  // `due to ORA-00942`: a cause, not a peer.
  if (before === 'due' || before === 'Due') return template;
  return chunk.slice(0, start) + PLACEHOLDER.host + chunk.slice(end);
}

/** Sentence punctuation after a value, which stays outside it. */
function isTrailing(c: number): boolean {
  return c === 0x2c || c === 0x2e || c === 0x3b || c === 0x3a || c === 0x21 || c === 0x3f;
}

/**
 * Whether text[start, end), whose ordinary template is template[start, coreEnd), names a peer: a redaction
 * marker, `NAME(unit)`, or a host name without a domain whose template holds a value and is not one value
 * of another kind.
 */
function isPeer(text: string, start: number, end: number, template: string, coreEnd: number): boolean {
  const c0 = text.charCodeAt(start);
  if (c0 >= 128 || (charClass(c0) & LETTER) === 0) return isRedaction(text, start, end);
  const open = text.indexOf('(', start);
  if (open >= 0 && open < end) {
    // NAME(unit): an identifier, then one to five digits in parentheses, ending the value.
    if (text.charCodeAt(end - 1) !== 0x29 || end - open - 2 < 1 || end - open - 2 > 5) return false;
    for (let i = open + 1; i < end - 1; i++) if (!isDigit(text.charCodeAt(i))) return false;
    for (let i = start + 1; i < open; i++) {
      const c = text.charCodeAt(i);
      if (!(c < 128 && (charClass(c) & (LETTER | DIGIT)) !== 0) && c !== 0x5f) return false;
    }
    return true;
  }
  // A host name without a domain: one DNS label (letters, digits, hyphens; no `_`, no `.`: `core.31337` is a
  // file), not ending in `-`, with a digit.
  let digit = false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    const k = c < 128 ? charClass(c) : 0;
    if ((k & DIGIT) !== 0) digit = true;
    else if ((k & LETTER) === 0 && c !== 0x2d) return false;
  }
  if (!digit || text.charCodeAt(end - 1) === 0x2d) return false;
  // Its template must hold a value (`eth1`, `v2` stay: names), and be no whole value of another kind.
  const close = template.indexOf('>', start);
  if (close < 0 || close >= coreEnd) return false;
  if (template.charCodeAt(start) === 0x3c && close === coreEnd - 1) return template.startsWith(PLACEHOLDER.id, start) && coreEnd - start === PLACEHOLDER.id.length;
  const lt = template.indexOf('<', start);
  return lt >= 0 && lt < coreEnd;
}

const REDACTED_WORDS = new Set(['redacted', 'filtered', 'masked', 'hidden', 'scrubbed']);

/**
 * Length of the redaction marker at text[start] (before `end`), or 0: `#word#` (1 to 32 letters, digits
 * or `_`, a letter or digit first, not glued to a letter, digit, `_` or `#` on either side: not `1##2`,
 * `a#1#`), `[REDACTED]`/`<redacted>` and the like, and, when `stars`, a run of three stars or more.
 */
export function redactionLength(text: string, start: number, end: number, stars: boolean): number {
  const c = text.charCodeAt(start);
  if (c === 0x23) {
    if ((start > 0 && isGlued(text.charCodeAt(start - 1))) || !mayStartRedaction(c, text.charCodeAt(start + 1))) return 0;
    const limit = Math.min(end, start + 34);
    let i = start + 1;
    while (i < limit && isWordChar(text.charCodeAt(i))) i++;
    if (i === start + 1 || i >= end || text.charCodeAt(i) !== 0x23) return 0;
    if (i + 1 < end && isGlued(text.charCodeAt(i + 1))) return 0;
    return i + 1 - start;
  }
  if (c === 0x5b || c === 0x3c) {
    const close = c === 0x5b ? 0x5d : 0x3e;
    const limit = Math.min(end, start + 10);
    let i = start + 1;
    while (i < limit && isLetter(text.charCodeAt(i)) && text.charCodeAt(i) < 128) i++;
    if (i >= end || text.charCodeAt(i) !== close || i - start - 1 < 6) return 0;
    return REDACTED_WORDS.has(text.slice(start + 1, i).toLowerCase()) ? i + 1 - start : 0;
  }
  if (c === 0x2a && stars) {
    let i = start;
    while (i < end && text.charCodeAt(i) === 0x2a) i++;
    return i - start >= 3 ? i - start : 0;
  }
  return 0;
}

/**
 * Whether a redaction marker may start with `c` (`#`, `[` or `<`) and `next`: one look, before redactionLength,
 * so that `[main]`, `<init>` and `1234#5678` cost nothing more.
 */
export function mayStartRedaction(c: number, next: number): boolean {
  if (c === 0x23) return next < 128 && (charClass(next) & (LETTER | DIGIT)) !== 0;
  const l = next | 0x20;
  return l === 0x72 || l === 0x66 || l === 0x6d || l === 0x68 || l === 0x73; // r f m h s
}

/** Whether text[start, end) is one redaction marker, stars included (a value is expected there). */
export function isRedaction(text: string, start = 0, end = text.length): boolean {
  return end > start && redactionLength(text, start, end, true) === end - start;
}

function isWordChar(c: number): boolean {
  return c < 128 && ((charClass(c) & (LETTER | DIGIT)) !== 0 || c === 0x5f);
}

function isGlued(c: number): boolean {
  return isWordChar(c) || c === 0x23;
}
