/**
 * PHP, as Throwable::__toString prints it (uncaught: `PHP Fatal error:  Uncaught X: msg in /f.php:12`,
 * `Stack trace:`, `#0 /g.php(10): Foo->bar()`, …, `#N {main}`) and as Monolog's LineFormatter does
 * (Laravel, Symfony: `[object] (X(code: 0): msg at /f.php:12)`, `[stacktrace]`, the same frames).
 * The chain: __toString prints the earliest (innermost) exception first, then each wrapping one as
 * `Next X: …`, so the root cause is the first; Monolog prints the logged exception first, then each
 * `[previous exception] [object] (…)`, so the root cause is the last.
 *
 * A PHP frame `#1 /g.php(10): Foo->bar()` says where Foo->bar was called; Foo->bar's own code is in
 * the file of the frame before it (for #0, the file the exception was raised in). The frames are
 * re-paired that way, as Sentry does, so a frame is `Foo->bar(Foo.php)`, like other languages.
 */
import { summarizeChain } from './chain.js';
import {
  baseName,
  frame,
  frameList,
  isDigits,
  stripLineNumbers,
  type ExceptionBlock,
  type Frame,
  type StackTraceSummary,
} from './model.js';

const MARKERS = new Set(['Stack trace:', '[stacktrace]']);
const CLASS = String.raw`([A-Za-z_\\][\w\\]*)`;
const MONOLOG_HEADER = new RegExp(String.raw`\[object\] \(${CLASS}\(code: `);
const NEXT_HEADER = new RegExp(String.raw`^Next ${CLASS}(?::| in |$)`);
const UNCAUGHT_HEADER = new RegExp(String.raw`Uncaught ${CLASS}(?::| in |$)`);
const PLAIN_HEADER = new RegExp(String.raw`^${CLASS}(?:: | in )`);
const INTERNAL = '[internal function]';

export function parsePhp(trace: string, lines: readonly string[]): StackTraceSummary | null {
  if (!trace.includes('Stack trace:') && !trace.includes('[stacktrace]')) return null;
  const blocks: Array<{ type: string | null; frames: Frame[] }> = [];
  let outermostFirst = false;
  let regionStart = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!MARKERS.has(lines[i].trim())) continue;
    const header = findHeader(lines, regionStart, i);
    const raisedIn = i > 0 ? raiseLocation(lines[i - 1]) : '';
    const { frames, end } = readFrames(lines, i + 1, raisedIn);
    blocks.push({ type: header.type, frames });
    outermostFirst ||= header.previous;
    regionStart = end + 1;
    i = end;
  }
  if (!blocks.some((block) => block.frames.length > 0)) return null;
  const ordered = outermostFirst ? blocks.reverse() : blocks;
  const chain: ExceptionBlock[] = ordered.map(({ type, frames }) => ({ type, frames: frameList(frames) }));
  return summarizeChain('php', chain);
}

/** The first header in the lines since the previous block; a plain `X: msg in …` only if nothing more specific. */
function findHeader(lines: readonly string[], from: number, to: number): { type: string | null; previous: boolean } {
  let plain: string | null = null;
  for (let i = from; i < to; i++) {
    const line = lines[i].trim();
    const specific = MONOLOG_HEADER.exec(line) ?? NEXT_HEADER.exec(line) ?? UNCAUGHT_HEADER.exec(line);
    if (specific) return { type: unescape(specific[1]), previous: line.includes('[previous exception]') };
    plain ??= PLAIN_HEADER.exec(line)?.[1] ?? null;
  }
  return { type: plain === null ? null : unescape(plain), previous: false };
}

/** The end of the header: `… in /app/src/Foo.php:12` (__toString) or `… at /app/src/Foo.php:12)` (Monolog). */
function raiseLocation(line: string): string {
  let text = line.trimEnd();
  const monolog = text.endsWith(')');
  if (monolog) text = text.slice(0, -1);
  const separator = text.lastIndexOf(monolog ? ' at ' : ' in ');
  if (separator < 0) return '';
  const location = text.slice(separator + 4);
  const path = stripLineNumbers(location);
  return path === location ? '' : unescape(path);
}

/** `#0 /app/src/Bar.php(10): App\Foo->bar('x')`, `#1 [internal function]: …`, up to `#N {main}`. */
function readFrames(lines: readonly string[], start: number, raisedIn: string): { frames: Frame[]; end: number } {
  const frames: Frame[] = [];
  let codeIn = raisedIn; // the file the next frame's function runs in
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    const space = line.indexOf(' ');
    if (!line.startsWith('#') || space < 2 || !isDigits(line, 1, space)) break;
    const body = line.slice(space + 1);
    if (body === '{main}') {
      frames.push(frame('{main}', baseName(codeIn), codeIn));
      return { frames, end: i };
    }
    const call = callSite(body);
    if (call === null) break;
    const functionName = unescape(normalizeFunction(call.callee));
    frames.push(frame(functionName, baseName(codeIn), codeIn));
    codeIn = call.file;
  }
  return { frames, end: i - 1 };
}

/**
 * `/app/a (1).php(10): Foo->bar()` → the file and the call: at the first `(digits): `, the file may
 * itself hold parentheses. One pass: hostile lines of `(` and `): ` stay linear.
 */
function callSite(body: string): { file: string; callee: string } | null {
  if (body.startsWith(`${INTERNAL}: `)) return { file: INTERNAL, callee: body.slice(INTERNAL.length + 2) };
  let open = -1;
  let digitsOnly = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x28 /* ( */) {
      open = i;
      digitsOnly = true;
    } else if (c === 0x29 /* ) */ && open > 0 && digitsOnly && i > open + 1 && body.startsWith(': ', i + 1)) {
      return { file: unescape(body.slice(0, open)), callee: body.slice(i + 3) };
    } else if (c < 0x30 || c > 0x39) digitsOnly = false;
  }
  return null;
}

/**
 * `App\Foo->bar('x', Object(Closure))` → `App\Foo->bar`. Closures lose what PHP 8.4 adds to their
 * name (`{closure:App\Foo::bar():12}`, `{closure:/app/x.php:3}`: a line number) and are `{closure}`.
 */
function normalizeFunction(call: string): string {
  let name = call;
  const closure = name.indexOf('{closure:');
  if (closure >= 0) {
    const end = name.indexOf('}', closure);
    if (end > 0) name = `${name.slice(0, closure)}{closure}${name.slice(end + 1)}`;
  }
  const args = name.indexOf('(');
  return args > 0 ? name.slice(0, args) : name;
}

/** Monolog JSON-escapes the context it prints: `App\\Foo` is `App\Foo`. */
function unescape(text: string): string {
  return text.includes('\\\\') ? text.replaceAll('\\\\', '\\') : text;
}
