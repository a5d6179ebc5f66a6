/**
 * Node.js: an error's stack, or util.inspect's rendering of it (console.error, an uncaught error),
 * which adds the error's properties after the last frame (`… {`), among them `[cause]: …` (Node.js ≥
 * 16.9; `cause: …` when a library set it as a plain property), nested and indented two more spaces per
 * level. The root cause is the deepest cause that is an error. AggregateError's `[errors]` are siblings,
 * in an order that can vary (a happy-eyeballs connect lists addresses as DNS returns them): they are
 * not followed, the AggregateError is the exception.
 */
import { parseAtFrame } from './at-frame.js';
import { summarizeChain } from './chain.js';
import {
  frame,
  frameList,
  indentOf,
  lazyFrames,
  type ExceptionBlock,
  type Frame,
  type FrameList,
  type StackTraceSummary,
} from './model.js';

/** `TypeError: …`, `Error [ERR_X]: …`, `AggregateError [ECONNREFUSED]: `, `Uncaught Error: …`. */
const NODE_HEADER = /^(?:Uncaught )?([A-Za-z_$][\w$]*(?: \[[A-Za-z0-9_]+\])?)(?::|$)/;
/** An error inspected without frames: `[Error: boom]`, `[AbortError: This operation was aborted]`. */
const NODE_BRACKETED = /^\[([A-Za-z_$][\w$]*(?: \[[A-Za-z0-9_]+\])?)(?::|\])/;

interface NodeBlock extends ExceptionBlock {
  readonly indent: number;
}

/** Values that read like a bare error name but are not errors. */
const NOT_ERRORS = new Set(['undefined', 'null', 'true', 'false', 'NaN', 'Infinity']);

export function parseNode(lines: readonly string[], firstFrame: number): StackTraceSummary {
  let type: string | null = null;
  for (let i = headerSearchStart(lines, firstFrame); i < firstFrame && type === null; i++) {
    type = NODE_HEADER.exec(lines[i].trim())?.[1] ?? null;
  }
  const blocks: NodeBlock[] = [{ type, frames: collectFrames(lines, firstFrame), indent: -1 }];

  let errorsEnd: string | null = null; // inside `[errors]: [`, the line that closes it
  for (let i = firstFrame + 1; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (errorsEnd !== null) {
      if (line.startsWith(errorsEnd)) errorsEnd = null;
      continue;
    }
    if (trimmed.startsWith('[errors]: [') && !trimmed.endsWith(']')) {
      errorsEnd = `${' '.repeat(indentOf(line))}]`;
      continue;
    }
    const prefix = causePrefix(trimmed);
    if (prefix === undefined) continue;
    const value = trimmed.slice(prefix.length);
    const header = NODE_HEADER.exec(value);
    if (header && !NOT_ERRORS.has(header[1])) {
      const frames = collectFrames(lines, i + 1);
      // A bare name is an error only with frames (`Error` without a message); `cause: Foo` is a value.
      if (frames.length > 0 || value.length > header[1].length) blocks.push({ type: header[1], frames, indent: indentOf(line) });
    } else {
      const bracketed = NODE_BRACKETED.exec(value); // no frames: `[AbortError: This operation was aborted]`
      if (bracketed) blocks.push({ type: bracketed[1], frames: frameList([]), indent: indentOf(line) });
    }
  }
  if (blocks.length === 1) return summarizeChain('node', blocks);
  // Deepest first; a stable sort keeps the printed order among equals.
  const chain = blocks.map((block, order) => ({ block, order })).sort((a, b) => b.block.indent - a.block.indent || a.order - b.order);
  return summarizeChain('node', chain.map(({ block }) => block));
}

/**
 * An uncaught error is printed after the line that threw: `/app/x.js:42` (or `node:internal/…:40`, which
 * reads like a header), the source line, a caret line, a blank line. The header comes after the caret.
 */
function headerSearchStart(lines: readonly string[], firstFrame: number): number {
  for (let i = 0; i < firstFrame; i++) {
    const trimmed = lines[i].trim();
    if (trimmed !== '' && /^\^+$/.test(trimmed)) return i + 1;
  }
  return 0;
}

/**
 * The frames from `start`: message lines may come first (a multi-line message, `Require stack:`), then
 * `at` lines and `... N lines matching cause stack trace ...`, up to the first frame ending in ` {`
 * (properties follow) or the first other line. Parsed when iterated.
 */
function collectFrames(lines: readonly string[], start: number): FrameList {
  const frameLines: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed.startsWith('at ')) {
      frameLines.push(trimmed);
      if (trimmed.endsWith('{')) break;
      continue;
    }
    if (trimmed.startsWith('... ')) continue;
    if (frameLines.length > 0 || trimmed.startsWith('}') || trimmed.startsWith(']') || trimmed.startsWith('[errors]')) break;
    if (causePrefix(trimmed) !== undefined) break;
  }
  return lazyFrames(frameLines, nodeFrame);
}

/** `[cause]: …`, or `cause: …` when a library set it as a plain property. */
function causePrefix(trimmed: string): string | undefined {
  if (trimmed.startsWith('[cause]: ')) return '[cause]: ';
  return trimmed.startsWith('cause: ') ? 'cause: ' : undefined;
}

function nodeFrame(line: string): Frame | null {
  const at = parseAtFrame(line);
  return at?.language === 'node' ? frame(at.functionName, at.file, at.path) : null;
}
