/**
 * Text PostgreSQL can store. Its text and jsonb types cannot hold U+0000, and jsonb refuses an
 * unpaired surrogate; a JavaScript string (a log line) can carry both. Written as they are, they
 * fail the whole statement, so a log accepted with 202 would never become an incident. Both
 * become U+FFFD, the replacement character, as a UTF-8 decoder does with invalid bytes.
 */

/** U+0000, a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;

export function storableText(text: string): string {
  return MAYBE_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\ufffd') : text;
}

/**
 * In JSON.stringify's output, U+0000 and unpaired surrogates (only those: paired ones are written
 * as they are) appear as \u escapes. An escape is one whose backslash is not itself escaped: it
 * follows an even number of backslashes.
 */
const ESCAPED_UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;
const MAYBE_ESCAPED = /\\u(?:0000|d[89a-f])/i;

/** JSON.stringify of `value` with every string (keys too) made storable: for json/jsonb parameters. */
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  return MAYBE_ESCAPED.test(json) ? json.replace(ESCAPED_UNSTORABLE, '$1\\ufffd') : json;
}
