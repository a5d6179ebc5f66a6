/**
 * Python tracebacks. A chain (`raise … from …`: "The above exception was the direct cause of the
 * following exception:"; an exception in an `except` block: "During handling of the above exception,
 * another exception occurred:") is printed oldest first, so the root cause is the first traceback's
 * exception. Frames are printed outermost first: the innermost in-app frame is the one wanted.
 * An exception group (3.11+, `+ Exception Group Traceback`) is the exception, like Node.js's
 * AggregateError: its own traceback counts, the sub-exceptions in its `|` gutter are not followed.
 */
import { summarizeChain } from './chain.js';
import { baseName, frame, frameList, indentOf, type ExceptionBlock, type Frame, type StackTraceSummary } from './model.js';

const TRACEBACK = 'Traceback (most recent call last):';
const GROUP_HEADER = /^(\s*)\+ Exception Group Traceback \(most recent call last\):/;
const PYTHON_FRAME = /^\s*File "([^"]*)", line \d+, in (.+)$/;
const PYTHON_EXCEPTION = /^([A-Za-z_][\w.]*)(?::|$)/;

export function parsePython(trace: string, lines: readonly string[]): StackTraceSummary | null {
  if (!trace.includes(TRACEBACK)) return null;
  const chain: ExceptionBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(TRACEBACK)) continue;
    const group = GROUP_HEADER.exec(lines[i]);
    const parsed = group ? parseGroup(lines, i, group[1].length) : parseTraceback(lines, i, (at) => lines[at]);
    const { type, frames } = parsed.block;
    if (type !== null || frames.length > 0) chain.push({ type, frames: frameList(frames) });
    i = parsed.end;
  }
  // A header followed by nothing Python-like was only quoted (say, in a Node.js error): let the others try.
  return chain.length === 0 ? null : summarizeChain('python', chain);
}

interface Parsed {
  block: { type: string | null; frames: Frame[] };
  /** The last line that belongs to the traceback. */
  end: number;
}

/** Frames and their source lines are indented under the header; the exception line is not. */
function parseTraceback(lines: readonly string[], header: number, content: (index: number) => string | null): Parsed {
  const headerIndent = indentOf(content(header) ?? '');
  const frames: Frame[] = [];
  for (let i = header + 1; i < lines.length; i++) {
    const line = content(i);
    if (line === null) return { block: { type: null, frames: frames.reverse() }, end: i - 1 };
    const match = PYTHON_FRAME.exec(line);
    if (match) {
      frames.push(frame(match[2].trim(), baseName(match[1]), match[1]));
    } else if (line.trim() !== '' && indentOf(line) <= headerIndent) {
      if (line.includes(TRACEBACK)) return { block: { type: null, frames: frames.reverse() }, end: i - 1 };
      const exception = PYTHON_EXCEPTION.exec(line.trim());
      return { block: { type: exception ? exception[1] : null, frames: frames.reverse() }, end: i };
    }
  }
  return { block: { type: null, frames: frames.reverse() }, end: lines.length - 1 };
}

/**
 * `  + Exception Group Traceback …`, then the group's own traceback behind a `  | ` gutter, up to the
 * first `  +-+---- 1 ----` separator; the sub-exceptions follow, deeper in the gutter, up to the last
 * line of the gutter.
 */
function parseGroup(lines: readonly string[], header: number, gutter: number): Parsed {
  const ownLine = (index: number): string | null => {
    if (index === header) return '';
    const line = lines[index];
    if (line.length <= gutter || line.charCodeAt(gutter) !== 0x7c /* | */) return null;
    return line.slice(gutter + 2);
  };
  const own = parseTraceback(lines, header, ownLine);
  let end = own.end;
  while (end + 1 < lines.length && isGutterLine(lines[end + 1], gutter)) end++;
  return { block: own.block, end };
}

function isGutterLine(line: string, gutter: number): boolean {
  const c = line.charCodeAt(gutter);
  return indentOf(line) >= gutter && (c === 0x7c || c === 0x2b /* + */ || c === 0x20);
}
