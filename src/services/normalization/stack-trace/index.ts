/**
 * Which parser reads a trace: Python's `Traceback (most recent call last):` with a frame or an exception
 * line; then `at …` frame lines (Java, .NET, Node.js; the first frame's shape tells which); then PHP's
 * `Stack trace:`/`[stacktrace]` with `#0 …` frames; then Ruby's `path:12:in 'label'` locations; then
 * Go's `goroutine N [state]:`, `panic: …` or `fatal error: …` lines. Go comes after the formats with
 * frame lines of their own, so a message line starting with `panic: ` does not turn them into Go.
 * Anything else (empty, trace context such as a trace id, free text) gives nulls.
 */
import { parseAtFrame } from './at-frame.js';
import { parseDotnet } from './dotnet.js';
import { parseGo } from './go.js';
import { parseJava } from './java.js';
import { splitLines, type StackTraceSummary } from './model.js';
import { parseNode } from './node.js';
import { parsePhp } from './php.js';
import { parsePython } from './python.js';
import { parseRuby } from './ruby.js';

export type { StackTraceSummary } from './model.js';
export { LIBRARY_FRAMES } from './in-app.js';

export function parseStackTrace(trace: string | null | undefined): StackTraceSummary {
  if (typeof trace !== 'string' || trace === '') return unrecognised();
  const lines = splitLines(trace);
  return (
    parsePython(trace, lines) ??
    parseAtFrames(lines) ??
    parsePhp(trace, lines) ??
    parseRuby(trace, lines) ??
    parseGo(trace, lines) ??
    unrecognised()
  );
}

function unrecognised(): StackTraceSummary {
  return { exceptionType: null, firstStackFrame: null };
}

function parseAtFrames(lines: readonly string[]): StackTraceSummary | null {
  for (let i = 0; i < lines.length; i++) {
    const first = parseAtFrame(lines[i]);
    if (first === null) continue;
    if (first.language === 'java') return parseJava(lines, i);
    if (first.language === 'dotnet') return parseDotnet(lines, i);
    return parseNode(lines, i);
  }
  return null;
}
