/**
 * One `at …` line of a Java, .NET or Node.js trace; its shape tells the language. Raw names: each
 * language's module normalizes them further. Parsed by hand: regexes for nested, optional parentheses
 * backtrack badly on hostile input.
 */
import { baseName, isDigits, stripLineNumbers } from './model.js';

export type AtLanguage = 'java' | 'dotnet' | 'node';

export interface AtFrame {
  readonly language: AtLanguage;
  readonly functionName: string;
  /** The file as published: no directory, no line numbers; or what is printed instead (`Native Method`). */
  readonly file: string;
  /** The location with its directory, without line numbers: for the in-app rules. */
  readonly path: string;
}

/**
 *   Java    `at com.acme.GatewayClient.charge(GatewayClient.java:88)`, optionally ` ~[app.jar:1.2]`
 *   .NET    `at Acme.GatewayClient.Charge(Decimal amount) in C:\src\GatewayClient.cs:line 42`, or without ` in …`
 *   Node.js `at async GatewayClient.charge (/app/gateway.js:88:17)`, `at /app/gateway.js:88:17`, and the
 *           last frame before an error's properties, `at main (/app/x.js:1:2) {`
 */
export function parseAtFrame(line: string): AtFrame | null {
  let body = line.trim();
  if (!body.startsWith('at ')) return null;
  body = stripJarSuffix(body.slice(3).trim());
  if (body.endsWith(' {')) body = body.slice(0, -2).trimEnd();

  if (body.endsWith(')')) {
    const open = openingParenthesis(body, body.length - 1);
    if (open <= 0) return null;
    const name = body.slice(0, open);
    const inside = body.slice(open + 1, -1);
    if (name.endsWith(' ')) return nodeFrame(withoutAsync(name.trim()), inside);
    if (isJavaLocation(inside)) {
      const file = stripLineNumbers(inside);
      return { language: 'java', functionName: javaFunctionName(name), file, path: file };
    }
    return { language: 'dotnet', functionName: name, file: '', path: '' };
  }

  const sourceInfo = body.lastIndexOf(') in ');
  if (sourceInfo > 0) {
    const open = openingParenthesis(body, sourceInfo);
    if (open <= 0) return null;
    const source = body.slice(sourceInfo + ') in '.length);
    const lineInfo = source.lastIndexOf(':line ');
    const path = lineInfo >= 0 ? source.slice(0, lineInfo) : source;
    return { language: 'dotnet', functionName: body.slice(0, open), file: baseName(path), path };
  }

  // Node.js prints an anonymous function's frame as its bare location.
  const location = withoutAsync(body);
  if (!isNodeLocation(location)) return null;
  return nodeFrame('<anonymous>', location);
}

function nodeFrame(functionName: string, location: string): AtFrame {
  // `Promise.all (index 3)`: which promise, not which code.
  if (/^index \d+$/.test(location)) return { language: 'node', functionName, file: '', path: location };
  // `eval at fn (/app/x.js:3:5), <anonymous>:1:1`
  if (location.startsWith('eval at ')) return { language: 'node', functionName, file: 'eval', path: 'eval' };
  const path = stripLineNumbers(location);
  return { language: 'node', functionName, file: baseName(path), path };
}

/** Index of the `(` that the `)` at `close` closes, or -1. */
function openingParenthesis(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x29) depth++;
    else if (c === 0x28 && --depth === 0) return i;
  }
  return -1;
}

/** logback's packaging data, ` ~[spring-web-6.1.2.jar:6.1.2]` or ` [na:na]`: versions, not code. */
function stripJarSuffix(body: string): string {
  if (!body.endsWith(']')) return body;
  const open = body.lastIndexOf('[');
  if (open <= 0) return body;
  const start = body[open - 1] === '~' ? open - 1 : open;
  return start > 0 && body[start - 1] === ' ' ? body.slice(0, start).trimEnd() : body;
}

function withoutAsync(text: string): string {
  return text.startsWith('async ') ? text.slice('async '.length).trimStart() : text;
}

/** `SourceFile` is what ProGuard and R8 leave of the file name; `<generated>`, Spring 6's CGLIB proxies. */
const JAVA_SPECIAL_LOCATIONS = new Set(['Native Method', 'Unknown Source', 'Compiled Code', 'SourceFile', '<generated>']);
const JAVA_SOURCE_FILE = /^[^\s:()]+\.[A-Za-z]\w*(?::\d+)?$/;

function isJavaLocation(inside: string): boolean {
  return JAVA_SPECIAL_LOCATIONS.has(stripLineNumbers(inside)) || JAVA_SOURCE_FILE.test(inside);
}

/** `java.base@21.0.2/java.lang.Thread.run` → `java.lang.Thread.run`; a lambda's `/0x…` address goes too. */
function javaFunctionName(name: string): string {
  const withoutAddress = name.replace(/\/0x[0-9a-fA-F]+/g, '');
  return withoutAddress.slice(withoutAddress.lastIndexOf('/') + 1);
}

/**
 * `/app/gateway.js:88:17`, `file:///app/x.mjs:1:2`, `node:internal/errors:405:5`, `<anonymous>`, `native`.
 * No whitespace: that keeps prose ("at 10:15 the job…") and Mono's `at M () [0x0001c] in <…>:0` out.
 */
function isNodeLocation(location: string): boolean {
  if (location === '<anonymous>' || location === 'native') return true;
  if (/\s/.test(location)) return false;
  const colon = location.lastIndexOf(':');
  return colon >= 0 && isDigits(location, colon + 1, location.length);
}
