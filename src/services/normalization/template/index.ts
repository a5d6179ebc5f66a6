/**
 * messageTemplate, the pipeline (the rules are listed in ../template.ts): a JSON object is templated by its
 * keys (structured.ts); any other message is split into tokens on white space, and each token is a plain
 * word (kept), digits (<number>), the start of a phrase over several tokens (phrases.ts) or a token
 * templated on its own (token.ts), the token after `to`, `from` or `via` possibly read as a peer (peers.ts);
 * runs of list items are then collapsed (phrases.ts) and the tokens joined with one space.
 */
import { charClass, isDigit, isLetter, isSpace, LOWER } from './chars.js';
import { literalValue } from './names.js';
import { isDirectional, peerTemplate } from './peers.js';
import { collapseRepeats, phraseAt } from './phrases.js';
import { PLACEHOLDER } from './placeholders.js';
import { templateJson } from './structured.js';
import { templateChunk } from './token.js';

export function messageTemplate(message: string): string {
  const json = jsonObjectText(message);
  if (json !== null) {
    const template = templateJson(json, messageTemplate);
    if (template !== null) return template;
  }
  const chunks = splitChunks(message);
  const n = chunks.length;
  // The template's tokens are written over the message's: w ≤ i, a phrase writing no more tokens than it
  // reads. So chunks[i - 1], which phrase rules may read, holds that token or its own template.
  const out = chunks;
  let w = 0;
  let lists = false; // whether collapseRepeats may have work to do
  let i = 0;
  while (i < n) {
    const chunk = chunks[i];
    const c0 = chunk.charCodeAt(0);
    // Fast path: a plain word that starts no phrase stays as it is (or is a literal such as `true`).
    if (c0 < 128 && ASCII_LETTER[c0] === 1 && isPlainWord(chunk) && (i + 1 === n || chunks[i + 1].charCodeAt(0) !== 0x28)) {
      const literal = chunk.length >= 3 && chunk.length <= 5 ? literalValue(chunk) : null;
      out[w++] = literal ?? chunk;
      i++;
      continue;
    }
    // Fast path: digits, possibly with sentence punctuation, not followed by a unit or a parenthesis.
    if (c0 >= 0x30 && c0 <= 0x39) {
      const digits = digitRun(chunk);
      if (digits > 0 && (i + 1 === n || !mayFollowNumber(chunks[i + 1]))) {
        out[w++] = digits === chunk.length ? PLACEHOLDER.number : PLACEHOLDER.number + chunk.slice(digits);
        i++;
        continue;
      }
    }
    const phrase: string[] = [];
    const used = chunk.length === 1 && c0 < 0x30 ? 0 : phraseAt(chunks, i, phrase, w > 0 ? out[w - 1] : '');
    if (used > 0) {
      for (let k = 0; k < phrase.length; k++) {
        if (!lists) lists = mayList(w > 0 ? out[w - 1] : '', phrase[k]);
        out[w++] = phrase[k];
      }
      i += used;
    } else {
      const next = i + 1 < n ? chunks[i + 1].charCodeAt(0) : 0;
      let template = templateChunk(chunk, next < 128 && (charClass(next) & LOWER) !== 0);
      // The object of `to`, `from`, `via` written as a name with a number or a redaction: a peer (peers.ts).
      if (w > 0 && isDirectional(out[w - 1])) template = peerTemplate(chunk, template, w > 1 ? out[w - 2] : '');
      if (!lists) lists = mayList(w > 0 ? out[w - 1] : '', template);
      out[w++] = template;
      i++;
    }
  }
  if (w < n) out.length = w;
  if (lists) collapseRepeats(out);
  return out.join(' ');
}

/** Whether `token` after `previous` may make a list that collapseRepeats shortens. */
function mayList(previous: string, token: string): boolean {
  if (token.length > 8 && (token.endsWith(':<number>') || token.includes(',<'))) return true;
  return previous.length > 0 && previous.charCodeAt(previous.length - 1) !== 0x20 && token.startsWith(previous) && previous.includes('<');
}

/**
 * (A token starting with a letter) letters only, and not a word that may start a phrase: a cue (`user`,
 * `host`, `for`, `name`, `domain`), or a capitalised word of up to seven letters (a month, a weekday, an HTTP
 * method).
 */
function isPlainWord(chunk: string): boolean {
  const n = chunk.length;
  const c0 = chunk.charCodeAt(0);
  if (c0 <= 0x5a && n <= 7) return false;
  for (let i = 1; i < n; i++) {
    const c = chunk.charCodeAt(i);
    if (c < 128 ? ASCII_LETTER[c] !== 1 : !isLetter(c)) return false;
  }
  switch (n) {
    case 3:
      return chunk !== 'for';
    case 4:
      return chunk !== 'user' && chunk !== 'host' && chunk !== 'name';
    case 6:
      return chunk !== 'domain';
    case 8:
      return chunk !== 'hostname';
    default:
      return true;
  }
}

/** Length of the digits `chunk` is made of before sentence punctuation (`42`, `42,`, `42.`), else 0. */
function digitRun(chunk: string): number {
  const n = chunk.length;
  let i = 0;
  while (i < n && isDigit(chunk.charCodeAt(i))) i++;
  if (i === 0 || i > 15) return 0;
  for (let j = i; j < n; j++) {
    const c = chunk.charCodeAt(j);
    if (c !== 0x2c && c !== 0x2e && c !== 0x3b && c !== 0x3a && c !== 0x29 && c !== 0x5d) return 0;
  }
  return i;
}

/**
 * Whether the token after a number may make a phrase with it: a unit of data (`512 MB`, `4096 bytes`: B, K,
 * M, G, T, P first) or a parenthesis (`10.0.0.1 (10.0.0.1)`).
 */
function mayFollowNumber(next: string): boolean {
  const c = next.charCodeAt(0);
  if (c === 0x28) return true;
  if (next.length > 8) return false;
  const u = c & ~0x20;
  return u === 0x42 || u === 0x4b || u === 0x4d || u === 0x47 || u === 0x54 || u === 0x50;
}

/** The message without surrounding white space when it looks like a JSON object (`{…}`), else null. */
function jsonObjectText(message: string): string | null {
  let start = 0;
  let end = message.length;
  while (start < end && isSpace(message.charCodeAt(start))) start++;
  while (end > start && isSpace(message.charCodeAt(end - 1))) end--;
  if (end - start < 2 || message.charCodeAt(start) !== 0x7b || message.charCodeAt(end - 1) !== 0x7d) return null;
  return start === 0 && end === message.length ? message : message.slice(start, end);
}

/** The message's tokens: runs of characters other than white space (as String.prototype.trim sees it). */
function splitChunks(message: string): string[] {
  const chunks: string[] = [];
  const n = message.length;
  if (!OTHER_SPACE.test(message)) {
    // Only spaces separate tokens (the usual case): the engine's own search finds them.
    let i = 0;
    while (i < n) {
      const space = message.indexOf(' ', i);
      const end = space < 0 ? n : space;
      if (end > i) chunks.push(message.slice(i, end));
      i = end + 1;
    }
    return chunks;
  }
  let i = 0;
  while (i < n) {
    let c = message.charCodeAt(i);
    while (c === 0x20 || isSpace(c)) {
      if (++i === n) return chunks;
      c = message.charCodeAt(i);
    }
    const start = i;
    for (; i < n; i++) {
      c = message.charCodeAt(i);
      if (c <= 0x20 ? c === 0x20 || isSpace(c) : c >= 0xa0 && isSpace(c)) break;
    }
    chunks.push(message.slice(start, i));
  }
  return chunks;
}

/** White space other than U+0020, as String.prototype.trim sees it (one linear scan, no backtracking). */
const OTHER_SPACE = /[\t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

const ASCII_LETTER = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) ASCII_LETTER[c] = ASCII_LETTER[c + 0x20] = 1;
