/**
 * Message templates: a log message with its variable values masked, so that logs differing only in ids,
 * addresses and quantities share one template, and therefore one fingerprint and one incident.
 *
 * Masking is deterministic and applied in this order; each rule's placeholder contains no digit, so a
 * later rule never re-reads an earlier rule's output, and the hex digits of a UUID or an IPv6 address are
 * gone before numbers are looked for.
 *
 * 1. UUID → `<uuid>`: 8-4-4-4-12 hex digits, any version, any case, when not glued to a letter or digit
 *    (`order-<uuid>`, `req_<uuid>` are masked; a first group of 9 hex digits is not a UUID).
 * 2. IPv6 → `<ip>`: full and compressed forms (`2001:db8::8a2e:370:7334`, `::1`), IPv4-mapped
 *    (`::ffff:10.0.0.1`) and zone ids (`fe80::1%eth0`), as node:net's isIPv6 accepts them. The candidate
 *    must contain a decimal digit: that spares identifiers made of hex letters (`Cache::add`, `::face`) and
 *    the bare `::` separator, at the price of all-letter addresses such as `fe::a`, which are rare and, as
 *    constants, split nothing. Sentence punctuation after an address stays (`on ::1.` → `on <ip>.`).
 *    Bracketed with a port: `[2001:db8::1]:8080` → `[<ip>]:<number>`.
 * 3. IPv4 → `<ip>`: dotted quads of octets 0–255, not part of a longer dotted number. The port is not part
 *    of the address and is masked by rule 4: `10.0.0.1:5432` → `<ip>:<number>`, so the template still
 *    says a port was there. A four-part version `1.2.3.4` is indistinguishable and reads as `<ip>`.
 * 4. Number → `<number>`: integers, decimals, dotted numbers (`1.2.3`), an exponent (`1e-9`), and a minus
 *    that is a sign (`-5`, `delta=-5`; but `user-123` → `user-<number>`, a hyphen). A number must start a
 *    token: digits after a letter (any script), digit, `_` or `.` belong to a word and are kept (`log4j`,
 *    `sha256`, `utf8`, `x86_64`, `v1.2.3`, `s3`): they name things rather than count them. Letters right
 *    after a number are its unit and are kept: `30000ms` → `<number>ms`, `12.5s` → `<number>s`,
 *    `512MB` → `<number>MB`.
 *
 * Not masked yet (a later, richer templating issue): hex ids (`0x1d` → `<number>x1d`), dates and times as
 * such (`2026-11-23T10:15:30Z` → `<number>-<number>-<number>T10:<number>:<number>Z`: the hour, glued to
 * `T`, is kept), paths, URLs, quoted strings, e-mail addresses.
 *
 * This is on the hot path of every log: the patterns are compiled once, and each rule is skipped when
 * the message lacks the one character its matches cannot do without.
 */
import { isIPv6 } from 'node:net';

export const UUID_PLACEHOLDER = '<uuid>';
export const IP_PLACEHOLDER = '<ip>';
export const NUMBER_PLACEHOLDER = '<number>';

const UUID = /(?<![0-9A-Za-z])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z])/g;

/**
 * A run of hex digits, dots and at least two colons (every IPv6 form has two), with an optional zone id,
 * standing alone as a token; isIPv6 then decides. Each character class excludes the next literal, so
 * the pattern cannot backtrack badly, and a run can only start where no other run character precedes it.
 */
const IPV6_CANDIDATE =
  /(?<![\w:.%])[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z]+(?:[._-][0-9A-Za-z]+)*)?(?![\w%])/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, 'g');

// A letter or digit of any script counts as part of a word (`версия2` is kept); `\d` itself stays ASCII.
const NUMBER = /(?:(?<![\p{L}\p{N}_.])-)?(?<![\p{L}\p{N}_.])\d+(?:\.\d+)*(?:[eE][+-]?\d+)?/gu;

const HAS_DIGIT = /\d/;
const COLON = 0x3a;
const DOT = 0x2e;

export function messageTemplate(message: string): string {
  let template = message;
  if (template.includes('-')) template = template.replace(UUID, UUID_PLACEHOLDER);
  if (template.includes(':')) template = template.replace(IPV6_CANDIDATE, maskIpv6Candidate);
  if (template.includes('.')) template = template.replace(IPV4, IP_PLACEHOLDER);
  return template.replace(NUMBER, NUMBER_PLACEHOLDER);
}

/** Sentence punctuation a run may swallow after an address: `on ::1.`, `to ::1: refused`. */
const MAX_TRAILING_PUNCTUATION = 2;

/** `<ip>` followed by the punctuation the run took past the address, or the candidate unchanged. */
function maskIpv6Candidate(candidate: string): string {
  if (!HAS_DIGIT.test(candidate)) return candidate;
  for (let cut = 0; cut <= MAX_TRAILING_PUNCTUATION && cut < candidate.length; cut++) {
    const end = candidate.length - cut;
    if (cut > 0 && !isColonOrDot(candidate.charCodeAt(end))) break;
    if (isIPv6(candidate.slice(0, end))) return IP_PLACEHOLDER + candidate.slice(end);
  }
  return candidate;
}

function isColonOrDot(charCode: number): boolean {
  return charCode === COLON || charCode === DOT;
}
