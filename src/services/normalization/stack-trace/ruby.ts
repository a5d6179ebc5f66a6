/**
 * Ruby backtraces: `path:12:in 'label'` locations (backtick-quoted before Ruby 3.4, class-qualified
 * from 3.4: `'Order#total'`), under any of these headers:
 *  - the interpreter's own (uncaught, Exception#full_message): `path:12:in 'label': message (Class)`,
 *    the location being the first frame, the rest `\tfrom path:…`; Ruby ≥ 3.1 then prints the cause
 *    the same way, and its cause, …: the root cause is the last one printed;
 *  - Rails' exception log: `Class (message):`, the frames, then (Rails ≥ 7.1) an
 *    `Information for cause: Class (message):` block per cause, the root cause last;
 *  - Logger (`message (Class)`) or `Class: message`, then the backtrace.
 * Only the interpreter's header and Rails' `Information for cause:` start another exception after frames.
 * Ruby 2.5–2.7 on a terminal printed it all the other way round (`Traceback (most recent call last):`,
 * numbered `\t2: from …` frames outermost first, the header last, causes before what they caused):
 * read back into the same chain.
 */
import { summarizeChain } from './chain.js';
import { baseName, frame, frameList, isDigits, type ExceptionBlock, type Frame, type StackTraceSummary } from './model.js';

const CAUSE_HEADER = 'Information for cause: ';

interface Location {
  readonly frame: Frame;
  /** What follows the label: '' for a frame, `: message (Class)` for the interpreter's header. */
  readonly rest: string;
}

export function parseRuby(trace: string, lines: readonly string[]): StackTraceSummary | null {
  if (!trace.includes(':in ')) return null;
  const blocks: Array<{ type: string | null; frames: Frame[] }> = [];
  const start = (type: string | null) => {
    blocks.push({ type, frames: [] });
    return blocks[blocks.length - 1];
  };
  let current: { type: string | null; frames: Frame[] } | null = null;
  // Before the first frame, the header is the nearest line above it that names a class: log lines
  // (Rails' `Parameters: {…}`) may come first.
  let pendingType: string | null = null;
  let numbered: Frame[] = []; // Ruby 2.5–2.7's reversed frames, waiting for their header
  let reversedOutput = false;

  for (const line of lines) {
    const trimmed = line.trim();
    const numberedFrom = isDigits(trimmed, 0, 1) ? /^\d+: from /.exec(trimmed) : null;
    let text = trimmed.startsWith('from ') ? trimmed.slice('from '.length) : trimmed;
    if (numberedFrom) text = trimmed.slice(numberedFrom[0].length);
    const location = parseLocation(text);
    if (numberedFrom && location !== null && location.rest === '') {
      numbered.push(location.frame);
      reversedOutput = true;
    } else if (location !== null && location.rest === '') {
      current ??= start(pendingType);
      current.frames.push(location.frame);
    } else if (location !== null && location.rest.startsWith(': ')) {
      // The interpreter's header, its location being the first frame; after frames, the next exception.
      if (current === null || current.frames.length > 0) current = start(classSuffix(location.rest));
      current.frames.push(location.frame, ...numbered.reverse());
      numbered = [];
    } else if (trimmed.startsWith(CAUSE_HEADER)) {
      current = start(classPrefix(trimmed.slice(CAUSE_HEADER.length)));
    } else if (current === null) {
      pendingType = classSuffix(trimmed) ?? classPrefix(trimmed) ?? pendingType; // Ruby's own formats put the class last
    }
  }
  if (!blocks.some((block) => block.frames.length > 0)) return null;
  const rootFirst = reversedOutput ? blocks : blocks.reverse();
  const chain: ExceptionBlock[] = rootFirst.map(({ type, frames }) => ({ type, frames: frameList(frames) }));
  return summarizeChain('ruby', chain);
}

/**
 * `app/models/order.rb:12:in 'Order#total'`, with `` `total' `` before 3.4, possibly followed by
 * `: message (Class)`; Rails' cleaned gem frames read `actionpack (7.1.2) lib/…/metal.rb:6:in …`.
 */
function parseLocation(text: string): Location | null {
  const marker = text.indexOf(':in ');
  if (marker <= 0) return null;
  const quote = text[marker + 4];
  if (quote !== '`' && quote !== "'") return null;
  const close = text.indexOf("'", marker + 5);
  if (close < 0) return null;
  const lineColon = text.lastIndexOf(':', marker - 1);
  if (lineColon <= 0 || !isDigits(text, lineColon + 1, marker)) return null;
  const path = text.slice(0, lineColon);
  const label = text.slice(marker + 5, close);
  return { frame: frame(label, baseName(path), path), rest: text.slice(close + 1) };
}

/**
 * `ActiveRecord::RecordNotFound (Couldn't find …):` (Rails; the message may span lines, the `):`
 * closing it on the last) and `PG::Error: …` → the class.
 */
function classPrefix(text: string): string | null {
  const end = /^[A-Z]\w*(?:::[A-Z]\w*)*(?= \(|: )/.exec(text);
  return end && isClassName(end[0]) ? end[0] : null;
}

/** `…: undefined method 'price' for nil (NoMethodError)` → the class. */
function classSuffix(text: string): string | null {
  if (!text.endsWith(')')) return null;
  const name = text.slice(text.lastIndexOf('(') + 1, -1);
  return /^[A-Z]\w*(?:::[A-Z]\w*)*$/.test(name) && isClassName(name) ? name : null;
}

/** `ERROR: …` or `(WARN)` are log levels, not classes: a class name has a lowercase letter. */
function isClassName(name: string): boolean {
  return /[a-z]/.test(name);
}
