/**
 * Names: which words and identifiers name things (kept in the template) and which are values. Words with
 * digits (`eth0`, `sha256`, `log4j`), identifiers, qualified names (Java classes, application ids,
 * component names), file names, and the literals `true`/`false`/`null`.
 */
import { charClass, isDigit, isLetter, WORDISH } from './chars.js';
import { REVERSE_DNS_ROOTS } from './network.js';
import { PLACEHOLDER } from './placeholders.js';

/**
 * Names that contain digits but are not values: algorithms, encodings, types, architectures, protocols.
 * Compared lower-cased.
 */
const NAMES_WITH_DIGITS = new Set([
  'md4', 'md5', 'sha1', 'sha2', 'sha3', 'sha224', 'sha256', 'sha384', 'sha512', 'crc32', 'crc32c', 'adler32',
  'base32', 'base58', 'base64', 'utf8', 'utf16', 'utf32', 'ucs2', 'latin1', 'ascii7', 'int8', 'int16', 'int32',
  'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32', 'float64', 'bfloat16', 'fp16', 'fp32',
  'fp64', 'x86', 'x64', 'x86_64', 'i386', 'i486', 'i586', 'i686', 'amd64', 'arm64', 'aarch64', 'armv6', 'armv7',
  'armv8', 'win32', 'win64', 'ipv4', 'ipv6', 'nat64', 'dns64', 'http2', 'http3', 'h2', 'h2c', 'h3', 'oauth2',
  'tls1', 'sslv3', 'tlsv1', 'x509', 'pkcs1', 'pkcs7', 'pkcs8', 'pkcs12', 'ec2', 's3', 'k8s', 'i18n', 'l10n',
  'a11y', 'log4j', 'log4j2', 'slf4j', 'ext2', 'ext3', 'ext4', 'mp3', 'mp4', 'h264', 'h265', 'p2p', 'b2b', 'e2e',
  '2fa', 'mfa2', 'ed25519', 'p256', 'p384', 'secp256k1', 'gzip2', 'bzip2', 'lz4', 'zstd1', 'web3', 'ssh2',
  'aes128', 'aes192', 'aes256', 'chacha20', 'poly1305', 'rsa2048', 'rsa4096', 'curve25519', 'x25519', 'des3',
  'utf-8', 'utf-16', 'utf-32', 'iso-8859-1', 'iso-8859-15', 'cp1252', 'ucs-2', 'ipv4-only', 'ipv6-only',
]);

/**
 * Whether an identifier with digits names something rather than identifies an instance: a known name
 * (`sha256`, `x86_64`), a word with a one-digit suffix (`eth0`, `ssh2`, `tty1`, `metrics2`), a letter and a
 * digit (`L2`, `C1`, `v2`), or a camelCase word with one digit inside (`log4j`, `Log4jLoggerAdapter`,
 * `HttpServer2$Filter`). Two digits or more in a row, a leading digit or an underscore-joined code
 * (`node_A8`) make an identifier.
 */
export function isNameWithDigits(text: string, start: number, end: number): boolean {
  if (isKnownName(text, start, end)) return true;
  if (!isLetter(text.charCodeAt(start))) return false;
  // Underscore-joined parts (`ssl3_read_bytes`) are each a word or a name with digits of two letters or more.
  let partStart = start;
  let compound = false;
  for (let i = start; i <= end; i++) {
    if (i === end || text.charCodeAt(i) === 0x5f) {
      if (i === end && !compound) return isNamePart(text, partStart, i, 1);
      compound = true;
      if (i > partStart && !isNamePart(text, partStart, i, 2)) return false;
      partStart = i + 1;
    }
  }
  return true;
}

/** One of NAMES_WITH_DIGITS, in any case. */
export function isKnownName(text: string, start = 0, end = text.length): boolean {
  return end - start <= 12 && NAMES_WITH_DIGITS.has(text.slice(start, end).toLowerCase());
}

/** Parts joined by `-`, each a word or a name with digits (`aes256-gcm`, `debian-sa1`, `x86_64-unknown`). */
export function isHyphenatedName(text: string): boolean {
  let partStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 0x2d) {
      if (i === partStart) return false;
      if (!isWord(text, partStart, i) && !isNameWithDigits(text, partStart, i)) return false;
      partStart = i + 1;
    }
  }
  return true;
}

/**
 * Letters with at most one digit, not leading, and at least `minLetters` letters before it: `eth0`, `log4j`,
 * `Log4jLoggerAdapter`, `HttpServer2$Filter`; with minLetters 1 also `L2`, `v2`.
 */
function isNamePart(text: string, start: number, end: number, minLetters: number): boolean {
  let letters = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      if (digits > 0 || letters < minLetters) return false;
      digits++;
    } else if (isLetter(c) || c === 0x24) {
      letters++;
    } else {
      return false;
    }
  }
  return letters > 0;
}

/** Whether text[start, end) is letters only (any script). */
export function isWord(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (!isLetter(text.charCodeAt(i))) return false;
  return true;
}

/** Letters, digits, `_` and `$`, starting with a letter or `_`: an identifier as programs name things. */
export function isIdentifier(text: string, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  const first = text.charCodeAt(start);
  if (!isLetter(first) && first !== 0x5f) return false;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || isDigit(c) || (c < 128 && (charClass(c) & WORDISH) !== 0))) return false;
  }
  return true;
}

/** `true`/`false` → `<bool>`, `null`/`nil`/`None` → `<null>`, else null. */
export function literalValue(text: string): string | null {
  switch (text.length) {
    case 3:
      return text === 'nil' ? PLACEHOLDER.null : null;
    case 4:
      if (text === 'true' || text === 'True' || text === 'TRUE') return PLACEHOLDER.bool;
      return text === 'null' || text === 'Null' || text === 'NULL' || text === 'None' ? PLACEHOLDER.null : null;
    case 5:
      return text === 'false' || text === 'False' || text === 'FALSE' ? PLACEHOLDER.bool : null;
    default:
      return null;
  }
}

/**
 * A component name, `package/class` or `package/.Class` (`com.example.app/.MainActivity`), as mobile
 * platforms name the app a record is about: a value.
 */
export function isComponentName(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0 || text.indexOf('/', slash + 1) >= 0) return false;
  const left = text.slice(0, slash);
  if (!isDottedIdentifier(left)) return false;
  const right = text.charCodeAt(slash + 1) === 0x2e ? text.slice(slash + 2) : text.slice(slash + 1);
  return isDottedIdentifier(right);
}

function isDottedIdentifier(text: string): boolean {
  let labelStart = 0;
  let labels = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 0x2e) {
      if (!isIdentifier(text, labelStart, i)) return false;
      labels++;
      labelStart = i + 1;
    }
  }
  return labels >= 1;
}

/** A qualified name: three dotted identifiers or more (`java.util.HashMap`, `com.example.app`). */
export function isQualifiedName(text: string): boolean {
  let dots = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x2e) dots++;
  return dots >= 2 && isDottedIdentifier(text);
}

/** `com.example.app`, `org.example.kafka`: a qualified name under a reverse-DNS root, a package or an app. */
function isReverseDomainName(text: string): boolean {
  const dot = text.indexOf('.');
  return dot > 0 && REVERSE_DNS_ROOTS.has(text.slice(0, dot)) && isQualifiedName(text);
}

/** A URL scheme in reverse-DNS form (`com.example.app` in `com.example.app://item/7`): an app's own. */
export function isAppScheme(text: string, start: number, end: number): boolean {
  const dot = text.indexOf('.', start);
  if (dot < 0 || dot >= end || !REVERSE_DNS_ROOTS.has(text.slice(start, dot))) return false;
  return text.indexOf('.', dot + 1) > 0 && text.indexOf('.', dot + 1) < end;
}

/**
 * A reverse-DNS name that identifies an application, a job or a bundle (`com.example.mobile`,
 * `com.example.Sync.daily`): a value. Not a Java class name (lower-case packages, then one capitalised name:
 * `org.example.kafka.clients.NetworkClient`) nor a constant (`com.example.intent.ACTION_SYNC`), which name
 * code.
 */
export function isApplicationId(text: string): boolean {
  if (!isReverseDomainName(text)) return false;
  const last = text.lastIndexOf('.');
  const first = text.charCodeAt(last + 1);
  let lowerPackages = true;
  for (let i = 0; i < last; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) lowerPackages = false;
  }
  if (first >= 0x41 && first <= 0x5a) {
    if (lowerPackages) return false; // a class
    let upper = true;
    for (let i = last + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x61 && c <= 0x7a) upper = false;
    }
    if (upper) return false; // a constant
  }
  return true;
}

/** Ends with `.` and an extension of one to eight letters: `report-002.xml`, `app_v1r1.rts`, `dump-3.pcapng`. */
export function hasFileExtension(text: string): boolean {
  const dot = text.lastIndexOf('.');
  if (dot <= 0 || text.length - dot - 1 < 1 || text.length - dot - 1 > 8) return false;
  return isWord(text, dot + 1, text.length);
}

/** End of the leading letter-only parts joined by `separator` (with the separator), when more follows. */
export function afterLeadingWords(text: string, separator: number): number {
  let partStart = 0;
  let kept = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === separator) {
      if (i === partStart || !isWord(text, partStart, i)) break;
      kept = i + 1;
      partStart = i + 1;
    } else if (!isLetter(c)) {
      break;
    }
  }
  return kept;
}

/**
 * End of the leading dotted names that are words or names with digits (`core.`, `org.example.v2.`), when
 * more follows; the whole length when every label is a name.
 */
export function afterLeadingNames(text: string): number {
  let labelStart = 0;
  let kept = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text.charCodeAt(i) === 0x2e) {
      if (i === labelStart) return kept;
      if (!isIdentifier(text, labelStart, i)) return kept;
      let digit = false;
      for (let j = labelStart; j < i; j++) if (isDigit(text.charCodeAt(j))) digit = true;
      if (digit && !isNameWithDigits(text, labelStart, i)) return kept;
      if (i === text.length) return text.length;
      kept = i + 1;
      labelStart = i + 1;
    }
  }
  return kept;
}
