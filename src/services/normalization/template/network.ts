/**
 * Network values: IPv4 and IPv6 addresses, host names (by their top-level domain), endpoints with a port,
 * hardware (EUI-48/EUI-64) and PCI addresses, and the local part of an e-mail address. Linear scans of
 * char codes.
 */
import { isIPv6 } from 'node:net';
import { charClass, DIGIT, isDigit, isHexDigit, isLetter, LETTER } from './chars.js';
import { isDigits } from './numbers.js';

/** Length of an IPv4 dotted quad (octets 0–255) starting at `start`, or 0. */
export function ipv4Length(text: string, start: number): number {
  let i = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== 0x2e) return 0;
      i++;
    }
    const from = i;
    let value = 0;
    while (i < text.length && isDigit(text.charCodeAt(i)) && i - from < 4) value = value * 10 + text.charCodeAt(i++) - 0x30;
    const digits = i - from;
    if (digits === 0 || digits > 3 || value > 255) return 0;
  }
  // Not the start of a longer dotted number (`1.2.3.4.5`) nor glued to a word.
  const next = text.charCodeAt(i);
  if (next === 0x2e && isDigit(text.charCodeAt(i + 1))) return 0;
  if (i < text.length && (isLetter(next) || isDigit(next) || next === 0x5f)) return 0;
  return i - start;
}

/** A port: 1–5 digits. */
function isPort(text: string, start: number, end: number): boolean {
  return end - start >= 1 && end - start <= 5 && isDigits(text, start, end);
}

/**
 * Top-level domains that end a host name: the generic ones and the two-letter country codes, except the
 * two-letter names that are more often file extensions (`.py`, `.sh`, `.so`, `.md`, …). Pure-letter dotted
 * names are host names only with one of these last, so `java.io.File`, `app.properties`, `core.dll` and
 * reverse-DNS package names (`com.example.app`) are not.
 */
const GENERIC_TLDS = new Set([
  'com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'info', 'biz', 'io', 'co', 'ai', 'app', 'dev', 'cloud',
  'local', 'localdomain', 'internal', 'lan', 'corp', 'home', 'arpa', 'svc', 'cluster', 'asia', 'mobi', 'name',
  'pro', 'xyz', 'top', 'online', 'site', 'shop', 'store', 'tech', 'space', 'website', 'live', 'news', 'club',
  'email',
]);

/** First labels of reverse-DNS names (`com.example.app`, `org.example.kafka`, `io.netty.channel`). */
export const REVERSE_DNS_ROOTS = new Set(['com', 'org', 'net', 'io', 'edu', 'gov', 'mil', 'co']);

/** Country codes left out: more often file extensions or words than the last label of a host name. */
const NOT_COUNTRY = new Set([
  'py', 'so', 'md', 'pl', 'pm', 'rs', 'cs', 'ps', 'hs', 'ml', 'gz', 'xz', 'bz', 'db', 'js', 'ts', 'rb',
  'go', 'mo', 'am', 'la', 'ms', 'by', 'do', 'as', 'an', 'ec', 'mk', 'mm', 'sc', 'st', 'tk', 'cm', 'cd', 'in',
  'ac', 'tf', 'vb', 'fs', 'sh',
]);

const COUNTRIES = [
  'ad ae af ag ai al ao aq ar at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca cd cf cg ch ci ck cl',
  'cm cn co cr cu cv cw cx cy cz de dj dk dm dz ee eg er es et eu fi fj fk fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr',
  'gt gu gw gy hk hn hr ht hu ie il iq ir je jm jo jp ke kg kh ki km kn kp kr kw ky kz lb lc li lk lr ls lt lu lv ly ma mc',
  'me mg mh mk ml mm mn mp mq mr mt mu mv mw mx mz na nc ne nf ng ni nl np nr nu nz om pa pe pf pg ph pk pr pt pw py qa re',
  'ro ru rw sa sb sc sd se sg si sk sl sm sn sr st su sv sx sy sz tc td tf tg th tj tk tl tm tn tr tt tw tz ua ug uk us uy',
  'uz va vc ve vg vi vn vu wf ws ye yt za zm zw',
].join(' ');

const TLDS = new Set([...GENERIC_TLDS, ...COUNTRIES.split(' ').filter((cc) => !NOT_COUNTRY.has(cc))]);

/**
 * A DNS host name: at least two labels of letters, digits and hyphens, the last a known top-level domain, and
 * not starting with one (`com.example.Service` is a Java package). `localhost` too.
 */
export function isHostName(text: string, start = 0, end = text.length): boolean {
  const length = end - start;
  if (length === 9 && text.startsWith('localhost', start)) return true;
  let labels = 0;
  let labelStart = start;
  let lastLabelStart = start;
  let firstLabelEnd = -1;
  let labelLetters = true;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const labelLength = i - labelStart;
      if (labelLength === 0 || labelLength > 63) return false;
      if (text.charCodeAt(labelStart) === 0x2d || text.charCodeAt(i - 1) === 0x2d) return false;
      if (firstLabelEnd < 0) firstLabelEnd = i;
      labels++;
      lastLabelStart = labelStart;
      labelStart = i + 1;
      if (i < end) labelLetters = true;
    } else if (c < 128 && (charClass(c) & LETTER) !== 0) {
      // a letter
    } else if (isDigit(c) || c === 0x2d) {
      labelLetters = false;
    } else {
      return false;
    }
  }
  // The top-level domain: letters only, 2 to 11 of them.
  const tldLength = end - lastLabelStart;
  if (labels < 2 || !labelLetters || tldLength < 2 || tldLength > 11) return false;
  if (!TLDS.has(text.slice(lastLabelStart, end).toLowerCase())) return false;
  return firstLabelEnd - start > 3 || !REVERSE_DNS_ROOTS.has(text.slice(start, firstLabelEnd).toLowerCase());
}

/**
 * A network endpoint as one value: an IPv4 or IPv6 address or a host name, with an optional `:port`, an
 * optional leading `/` (Java's InetSocketAddress prints `/10.0.0.1:5432`) and an optional `name/address`
 * form (`db-1/10.0.0.7:5432`).
 */
export function isEndpoint(text: string): boolean {
  let start = 0;
  const end = text.length;
  if (text.charCodeAt(0) === 0x2f) start = 1;
  const slash = text.indexOf('/', start);
  if (slash > start) {
    // name/address: the name is a host label sequence, the address an IP.
    if (!isHostLike(text, start, slash)) return false;
    start = slash + 1;
  }
  const ip = ipv4Length(text, start);
  if (ip > 0) {
    const after = start + ip;
    if (after === end) return true;
    return text.charCodeAt(after) === 0x3a && isPort(text, after + 1, end);
  }
  const colon = text.lastIndexOf(':');
  if (colon > start && text.indexOf(':', start) === colon) {
    // host:port with one colon
    if (!isPort(text, colon + 1, end)) return false;
    return isHostName(text, start, colon) || (start === 0 && isHyphenatedHost(text, start, colon));
  }
  if (colon > start) return isIpv6(text, start, end);
  return false;
}

/** Letters, digits, hyphens and dots, starting with a letter or digit: a host name without a known TLD. */
function isHostLike(text: string, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c < 128 && (charClass(c) & (LETTER | DIGIT)) !== 0) && c !== 0x2d && c !== 0x2e) return false;
  }
  return true;
}

/**
 * A short host name before a port (`db-1:5432`, `kafka-broker-2:9092`, `localhost:8080`): labels with a hyphen
 * or a digit, so that `key:1` (`retries:3`, `ScheduledMaps:9`) stays a key and its value.
 */
function isHyphenatedHost(text: string, start: number, end: number): boolean {
  if (!isHostLike(text, start, end)) return false;
  if (text.startsWith('localhost', start) && end - start === 9) return true;
  let hyphen = false;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 0x2d) hyphen = true;
  return hyphen && isLetter(text.charCodeAt(start));
}

function isIpv6(text: string, start: number, end: number): boolean {
  // A zone id after `%` (`fe80::1%eth0`) is letters, digits, `.`, `_` and `-`.
  let addressEnd = end;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) === 0x25) {
      addressEnd = i;
      if (i + 1 === end) return false;
      for (let j = i + 1; j < end; j++) {
        const c = text.charCodeAt(j);
        if (!(isLetter(c) || isDigit(c) || c === 0x2e || c === 0x5f || c === 0x2d)) return false;
      }
      break;
    }
  }
  let colons = 0;
  let digits = false;
  for (let i = start; i < addressEnd; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (isDigit(c)) digits = true;
    else if (!isHexDigit(c) && c !== 0x2e) return false;
  }
  if (colons < 2 || !digits) return false;
  return isIPv6(text.slice(start, end));
}

/** A hardware address: at least four groups of two hex digits joined by `:` (EUI-48, EUI-64, WWN). */
export function isHardwareAddress(text: string): boolean {
  if (text.length < 11 || (text.length + 1) % 3 !== 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2 ? c !== 0x3a : !isHexDigit(c)) return false;
  }
  return true;
}

/** A PCI device address, `0000:00:1f.0` (domain:bus:device.function). */
export function isPciAddress(text: string): boolean {
  if (text.length !== 12) return false;
  for (let i = 0; i < 12; i++) {
    const c = text.charCodeAt(i);
    if (i === 4 || i === 7 ? c !== 0x3a : i === 10 ? c !== 0x2e : !isHexDigit(c)) return false;
  }
  return true;
}

export function isEmailLocal(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c < 128 && ((charClass(c) & LETTER) !== 0 || isDigit(c) || c === 0x2e || c === 0x5f || c === 0x2d || c === 0x2b || c === 0x25))) return false;
  }
  return true;
}
