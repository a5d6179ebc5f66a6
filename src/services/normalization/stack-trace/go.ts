/**
 * Go panics and fatal errors (also as net/http logs a handler's recovered panic). No chain: a re-panic
 * prints `panic: A [recovered]` then `panic: B`, and the first panic, the one that started it, gives
 * the type. The frames are those of the first goroutine (the one that panicked), up to `created by`.
 * When none is in-app, the first frame that is not the runtime's panic machinery (`panic(…)`,
 * `runtime.*`: how Go panics, not where), else the first.
 */
import { summarizeChain } from './chain.js';
import { baseName, frame, frameList, indentOf, type Frame, type FrameList, type StackTraceSummary } from './model.js';

/** `goroutine 1 [running]:`; with GOTRACEBACK=system, Go ≥ 1.23 adds `gp=0x… m=0 mp=0x…` before the state. */
const GO_GOROUTINE = /^goroutine \d+ [^[]*\[[^\]]*\]:/;
/** Runtime panics (`panic: runtime error: …`, `panic: interface conversion: …`) implement runtime.Error. */
const GO_RUNTIME_PANIC_PREFIXES = ['runtime error: ', 'interface conversion: '];
/** `\t/build/internal/gateway/client.go:88 +0x3a fp=0x… sp=0x… pc=0x…` → the path. */
const GO_FILE_LINE = /^\s+(.+?):\d+(?:\s|$)/;

export function parseGo(trace: string, lines: readonly string[]): StackTraceSummary | null {
  const mentionsGo = ['goroutine ', 'panic: ', 'fatal error: ', HTTP_RECOVERED].some((marker) => trace.includes(marker));
  if (!mentionsGo) return null;
  let exceptionType: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    exceptionType ??= panicType(line);
    if (GO_GOROUTINE.test(line)) {
      return summarizeChain('go', [{ type: exceptionType, frames: frameList(goroutineFrames(lines, i + 1)) }], firstOutsideRuntime);
    }
  }
  return exceptionType === null ? null : { exceptionType, firstStackFrame: null };
}

/** net/http recovers a handler's panic and logs `http: panic serving 10.0.0.7:51234: <value>`, then the goroutine. */
const HTTP_RECOVERED = 'http: panic serving ';

/**
 * `runtime.Error` for runtime panics, `fatal error` for the runtime's unrecoverable `fatal error: …`,
 * otherwise `panic` (Go does not print the type of a panic's value).
 */
function panicType(line: string): string | null {
  if (line.startsWith('fatal error: ')) return 'fatal error';
  let value: string;
  if (line.startsWith('panic: ')) value = line.slice('panic: '.length);
  else {
    const recovered = line.indexOf(HTTP_RECOVERED);
    const separator = recovered < 0 ? -1 : line.indexOf(': ', recovered + HTTP_RECOVERED.length);
    if (separator < 0) return null;
    value = line.slice(separator + 2); // the address has no space; IPv6 ones have colons
  }
  return GO_RUNTIME_PANIC_PREFIXES.some((prefix) => value.startsWith(prefix)) ? 'runtime.Error' : 'panic';
}

/** Each frame is a function line (`pkg.(*T).M(0xc000…, {0x1, 0x2})`) then its indented file line. */
function goroutineFrames(lines: readonly string[], start: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') break; // end of the goroutine
    if (line.startsWith('created by ')) break; // what started the goroutine, not a frame of it
    if (indentOf(line) > 0) continue; // a file line
    const functionName = goFunctionName(line);
    if (functionName === null) continue; // "...additional frames elided..."
    const fileLine = i + 1 < lines.length ? GO_FILE_LINE.exec(lines[i + 1]) : null;
    const path = fileLine ? fileLine[1] : '';
    frames.push(frame(functionName, baseName(path), path));
  }
  return frames;
}

/** The function name before the argument list; Go prints no parentheses inside arguments. */
function goFunctionName(line: string): string | null {
  const trimmed = line.trimEnd();
  if (!trimmed.endsWith(')')) return null;
  const name = trimmed.slice(0, trimmed.lastIndexOf('('));
  return name === '' || /\s/.test(name) ? null : name;
}

function firstOutsideRuntime(frames: FrameList): Frame | null {
  for (let i = 0; i < frames.length; i++) {
    const f = frames.frameAt(i)!;
    if (!isRuntimeFunction(f.functionName)) return f;
  }
  return frames.length > 0 ? frames.frameAt(0) : null;
}

function isRuntimeFunction(name: string): boolean {
  return name === 'panic' || name.startsWith('runtime.') || name.startsWith('runtime/');
}
