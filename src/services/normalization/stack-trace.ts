/**
 * Stack traces → the exception type and the frame that raised it. Both go into the fingerprint, so one
 * failure groups into one incident however its message is worded, and two failures sharing a message
 * (a generic "request failed") do not.
 *
 * Which exception: the top-level one, i.e. the one that finally propagated and was logged:
 *  - Java: the first header, not a `Caused by:` (nor `Suppressed:`);
 *  - .NET: the outermost, before the first ` ---> `;
 *  - Python: the exception of the last traceback, after "During handling of the above exception…" or
 *    "The above exception was the direct cause…";
 *  - Node.js: the header of the stack;
 *  - Go: the panic (or fatal error).
 * Root-cause selection (Java's last `Caused by:`, .NET's innermost ` ---> `, Python's first traceback) is
 * planned; it will need its own stability rules, since wrappers come and go between library versions.
 *
 * Which frame is "first": the frame where that exception was raised, i.e. the innermost of its frames:
 *  - Java, .NET, Node.js print innermost first: the first frame under the exception. .NET prints the
 *    inner exceptions' frames first; the outer exception's frames follow the last
 *    `--- End of inner exception stack trace ---` (when there are none there, the first frame of the trace).
 *  - Python prints innermost last: the last `File "…", line N, in func` of the last traceback.
 *  - Go: the first frame of the first goroutine (the one that panicked), skipping the runtime's own
 *    frames (`panic(…)`, `runtime.*`, `runtime/…`), which tell how Go panics rather than where; when
 *    every frame is the runtime's, its first frame.
 *
 * Frame format, every language: `function(file)`, e.g. `com.acme.payment.GatewayClient.charge(GatewayClient.java)`,
 * `charge(gateway.py)`, `main.(*Client).Charge(client.go)`. Dropped, because they change between builds,
 * deploys and hosts and must not split incidents: line and column numbers, memory offsets and addresses
 * (`+0x3a`, `fp=0x…`, a lambda's `/0x…`), argument values (Go) and parameter lists (.NET), Java module
 * and class-loader prefixes (`java.base@21/`), async markers, and the file's directory (`/build/17/`,
 * `site-packages` of `python3.11` vs `python3.12`). The function name qualifies the code (Java, .NET, Go)
 * or, with the file name, identifies it well enough (Python, Node.js). Kept as printed when there is no
 * file: `(Native Method)`, `(Unknown Source)`, `(<anonymous>)`, `()`.
 *
 * exceptionType:
 *  - Java: the header's qualified class name (`Exception in thread "main" ` allowed before it);
 *  - .NET: the header's qualified type name (`Unhandled exception. ` allowed before it);
 *  - Python: the name before the colon of the exception line, as printed (`KeyError`, `requests.exceptions.ConnectTimeout`);
 *  - Node.js: the error's name, with the code when Node prints one (`TypeError [ERR_INVALID_ARG_TYPE]`);
 *  - Go: `runtime.Error` for `panic: runtime error: …` and `panic: interface conversion: …` (runtime panics,
 *    all implementing the runtime.Error interface), `fatal error` for the runtime's unrecoverable
 *    `fatal error: …`, otherwise `panic` (Go does not print the type of a panic's value).
 *
 * Recognised, in this order: Python's `Traceback (most recent call last):` followed by a frame or an
 * exception line; `at …` frame lines (Java, .NET, Node.js; the first frame tells which); Go's
 * `goroutine N [state]:`, `panic: …` or `fatal error: …` lines. Anything else (empty, trace context such
 * as a trace id, free text) gives nulls; a recognised trace without a header or without frames gives a
 * null for what is missing. Never throws; every scan is linear in the trace's length (traces reach
 * 100,000 characters).
 */

export interface StackTraceSummary {
  exceptionType: string | null;
  firstStackFrame: string | null;
}

export function parseStackTrace(trace: string | null | undefined): StackTraceSummary {
  if (typeof trace !== 'string' || trace === '') return unrecognised();
  const lines = trace.split(LINE_BREAK);
  // Go dumps have no `at …` lines, so `at` frames go first: a Java or Node.js message line that happens
  // to start with `panic: ` must not turn the trace into a Go one.
  return parsePython(trace, lines) ?? parseAtFrames(lines) ?? parseGo(trace, lines) ?? unrecognised();
}

const LINE_BREAK = /\r\n|\r|\n/;

function unrecognised(): StackTraceSummary {
  return { exceptionType: null, firstStackFrame: null };
}

function formatFrame(functionName: string, file: string): string {
  return `${functionName}(${file})`;
}

/** `C:\src\App\File.cs` and `/srv/app/file.py` → the file name. */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

// ---------------------------------------------------------------------------------------------------
// Python

const PYTHON_TRACEBACK = 'Traceback (most recent call last):';
const PYTHON_FRAME = /^\s*File "([^"]*)", line \d+, in (.+)$/;
const PYTHON_EXCEPTION = /^([A-Za-z_][\w.]*)(?::|$)/;

function parsePython(trace: string, lines: string[]): StackTraceSummary | null {
  if (!trace.includes(PYTHON_TRACEBACK)) return null;
  let header = lines.length - 1;
  while (header >= 0 && !lines[header].includes(PYTHON_TRACEBACK)) header--;
  if (header < 0) return null;

  // Frames and their source lines are indented under the header; the exception line is not.
  const headerIndent = indentOf(lines[header]);
  let firstStackFrame: string | null = null;
  for (let i = header + 1; i < lines.length; i++) {
    const line = lines[i];
    const frame = PYTHON_FRAME.exec(line);
    if (frame) {
      firstStackFrame = formatFrame(frame[2].trim(), baseName(frame[1])); // the last one wins: innermost
    } else if (line.trim() !== '' && indentOf(line) <= headerIndent) {
      const exception = PYTHON_EXCEPTION.exec(line.trim());
      return pythonResult(exception ? exception[1] : null, firstStackFrame);
    }
  }
  return pythonResult(null, firstStackFrame);
}

/** A header followed by nothing Python-like was only quoted (say, in a Node.js error): let the others try. */
function pythonResult(exceptionType: string | null, firstStackFrame: string | null): StackTraceSummary | null {
  return exceptionType === null && firstStackFrame === null ? null : { exceptionType, firstStackFrame };
}

// ---------------------------------------------------------------------------------------------------
// Go

/** `goroutine 1 [running]:`; with GOTRACEBACK=system, Go ≥ 1.23 adds `gp=0x… m=0 mp=0x…` before the state. */
const GO_GOROUTINE = /^goroutine \d+ [^[]*\[[^\]]*\]:/;
/** Runtime panics (`panic: runtime error: …`, `panic: interface conversion: …`) implement runtime.Error. */
const GO_RUNTIME_PANIC_PREFIXES = ['runtime error: ', 'interface conversion: '];
/** `\t/build/internal/gateway/client.go:88 +0x3a fp=0x… sp=0x… pc=0x…` → the path. */
const GO_FILE_LINE = /^\s+(.+?):\d+(?:\s|$)/;

function parseGo(trace: string, lines: string[]): StackTraceSummary | null {
  if (!trace.includes('goroutine ') && !trace.includes('panic: ') && !trace.includes('fatal error: ')) return null;
  let exceptionType: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (exceptionType === null) exceptionType = goPanicType(line);
    if (GO_GOROUTINE.test(line)) return { exceptionType, firstStackFrame: firstGoFrame(lines, i + 1) };
  }
  return exceptionType === null ? null : { exceptionType, firstStackFrame: null };
}

function goPanicType(line: string): string | null {
  if (line.startsWith('fatal error: ')) return 'fatal error';
  if (!line.startsWith('panic: ')) return null;
  const value = line.slice('panic: '.length);
  return GO_RUNTIME_PANIC_PREFIXES.some((prefix) => value.startsWith(prefix)) ? 'runtime.Error' : 'panic';
}

/** Each frame is a function line (`pkg.(*T).M(0xc000…, {0x1, 0x2})`) then its indented file line. */
function firstGoFrame(lines: string[], start: number): string | null {
  let firstRuntimeFrame: string | null = null;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') break; // end of the goroutine
    if (line.startsWith('created by ')) break; // what started the goroutine, not a frame of it
    if (indentOf(line) > 0) continue; // a file line
    const functionName = goFunctionName(line);
    if (functionName === null) continue; // "...additional frames elided..."
    const fileLine = i + 1 < lines.length ? GO_FILE_LINE.exec(lines[i + 1]) : null;
    const frame = formatFrame(functionName, fileLine ? baseName(fileLine[1]) : '');
    if (!isGoRuntimeFunction(functionName)) return frame;
    firstRuntimeFrame ??= frame;
  }
  return firstRuntimeFrame;
}

/** The function name before the argument list; Go prints no parentheses inside arguments. */
function goFunctionName(line: string): string | null {
  const trimmed = line.trimEnd();
  if (!trimmed.endsWith(')')) return null;
  const name = trimmed.slice(0, trimmed.lastIndexOf('('));
  return name === '' || /\s/.test(name) ? null : name;
}

function isGoRuntimeFunction(name: string): boolean {
  return name === 'panic' || name.startsWith('runtime.') || name.startsWith('runtime/');
}

// ---------------------------------------------------------------------------------------------------
// Java, .NET and Node.js: frames are `at …` lines

type Language = 'java' | 'dotnet' | 'node';

interface AtFrame {
  language: Language;
  functionName: string;
  file: string;
}

const JAVA_HEADER = /^(?:Exception in thread "[^"]*" )?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+)(?::|$)/;
const DOTNET_HEADER = /^(?:Unhandled exception\. )?([A-Za-z_][\w`]*(?:\.[A-Za-z_][\w`]*)+)(?::| \(| --->|$)/;
const NODE_HEADER = /^(?:Uncaught )?([A-Za-z_$][\w$]*(?: \[[A-Za-z0-9_]+\])?)(?::|$)/;
const HEADERS: Record<Language, RegExp> = { java: JAVA_HEADER, dotnet: DOTNET_HEADER, node: NODE_HEADER };

const DOTNET_END_OF_INNER = '--- End of inner exception stack trace ---';

function parseAtFrames(lines: string[]): StackTraceSummary | null {
  let firstIndex = -1;
  let first: AtFrame | null = null;
  for (let i = 0; i < lines.length && first === null; i++) {
    first = parseAtFrame(lines[i]);
    firstIndex = i;
  }
  if (first === null) return null;

  let raisingFrame = first;
  if (first.language === 'dotnet') raisingFrame = outerDotnetFrame(lines, firstIndex) ?? first;
  return {
    exceptionType: headerType(lines, firstIndex, HEADERS[first.language]),
    firstStackFrame: formatFrame(raisingFrame.functionName, raisingFrame.file),
  };
}

/** The header is the first line that looks like one: a multi-line message follows it, log text may precede it. */
function headerType(lines: string[], end: number, header: RegExp): string | null {
  for (let i = 0; i < end; i++) {
    const match = header.exec(lines[i].trim());
    if (match) return match[1];
  }
  return null;
}

/** The first frame after the last end-of-inner-exception marker: where the outermost exception was raised. */
function outerDotnetFrame(lines: string[], firstFrameIndex: number): AtFrame | null {
  let marker = lines.length - 1;
  while (marker > firstFrameIndex && lines[marker].trim() !== DOTNET_END_OF_INNER) marker--;
  if (marker === firstFrameIndex) return null;
  for (let i = marker + 1; i < lines.length; i++) {
    const frame = parseAtFrame(lines[i]);
    if (frame) return frame;
  }
  return null;
}

/**
 * One `at …` line, any of:
 *   Java    `at com.acme.GatewayClient.charge(GatewayClient.java:88)`, optionally ` ~[app.jar:1.2]`
 *   .NET    `at Acme.GatewayClient.Charge(Decimal amount) in C:\src\GatewayClient.cs:line 42`, or without ` in …`
 *   Node.js `at async GatewayClient.charge (/app/gateway.js:88:17)`, `at /app/gateway.js:88:17`
 * Parsed by hand: regexes for nested, optional parentheses backtrack badly on hostile input.
 */
function parseAtFrame(line: string): AtFrame | null {
  let body = line.trim();
  if (!body.startsWith('at ')) return null;
  body = stripJarSuffix(body.slice(3).trim());

  if (body.endsWith(')')) {
    const open = openingParenthesis(body, body.length - 1);
    if (open <= 0) return null;
    const name = body.slice(0, open);
    const inside = body.slice(open + 1, -1);
    if (name.endsWith(' ')) return { language: 'node', functionName: withoutAsync(name.trim()), file: nodeFile(inside) };
    if (isJavaLocation(inside)) return { language: 'java', functionName: javaFunctionName(name), file: stripLineNumbers(inside) };
    return { language: 'dotnet', functionName: name, file: '' };
  }

  const sourceInfo = body.lastIndexOf(') in ');
  if (sourceInfo > 0) {
    const open = openingParenthesis(body, sourceInfo);
    if (open <= 0) return null;
    return { language: 'dotnet', functionName: body.slice(0, open), file: dotnetFile(body.slice(sourceInfo + ') in '.length)) };
  }

  // Node.js prints an anonymous function's frame as its bare location.
  const location = withoutAsync(body);
  if (!isNodeLocation(location)) return null;
  return { language: 'node', functionName: '<anonymous>', file: nodeFile(location) };
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

const JAVA_SPECIAL_LOCATIONS = new Set(['Native Method', 'Unknown Source', 'Compiled Code']);
const JAVA_SOURCE_FILE = /^[^\s:()]+\.[A-Za-z]\w*(?::\d+)?$/;

function isJavaLocation(inside: string): boolean {
  return JAVA_SPECIAL_LOCATIONS.has(stripLineNumbers(inside)) || JAVA_SOURCE_FILE.test(inside);
}

/** `java.base@21.0.2/java.lang.Thread.run` → `java.lang.Thread.run`; a lambda's `/0x…` address goes too. */
function javaFunctionName(name: string): string {
  const withoutAddress = name.replace(/\/0x[0-9a-fA-F]+/g, '');
  return withoutAddress.slice(withoutAddress.lastIndexOf('/') + 1);
}

/** `C:\src\Acme\GatewayClient.cs:line 42` → `GatewayClient.cs`. */
function dotnetFile(source: string): string {
  const lineInfo = source.lastIndexOf(':line ');
  return baseName(lineInfo >= 0 ? source.slice(0, lineInfo) : source);
}

/**
 * `/app/gateway.js:88:17`, `file:///app/x.mjs:1:2`, `node:internal/errors:405:5`, `<anonymous>`, `native`.
 * No whitespace: that keeps prose ("at 10:15 the job…") and Mono's `at M () [0x0001c] in <…>:0` out.
 */
function isNodeLocation(location: string): boolean {
  if (location === '<anonymous>' || location === 'native') return true;
  return !/\s/.test(location) && stripLineNumbers(location) !== location;
}

function nodeFile(location: string): string {
  if (/^index \d+$/.test(location)) return ''; // `Promise.all (index 3)`: which promise, not which code
  if (location.startsWith('eval at ')) return 'eval'; // `eval at fn (/app/x.js:3:5), <anonymous>:1:1`
  return baseName(stripLineNumbers(location));
}

/** Drops a trailing `:line` and `:line:column`; at most two, so hostile `:1:1:1…` stays linear. */
function stripLineNumbers(location: string): string {
  let result = location;
  for (let n = 0; n < 2; n++) {
    const colon = result.lastIndexOf(':');
    if (colon < 0 || colon === result.length - 1 || !isDigits(result, colon + 1)) break;
    result = result.slice(0, colon);
  }
  return result;
}

function isDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
