/**
 * From a chain of exceptions (root cause first) to the summary: the root cause's type, and the first
 * in-app frame of the root cause, looked for outwards through the exceptions wrapping it when the root
 * cause's own frames are all library code (a driver's exception, wrapped by the app's ORM call).
 * The same rule for every language, so only the parsers differ.
 */
import { isInApp } from './in-app.js';
import { frameText, type ExceptionBlock, type Frame, type FrameList, type Language, type StackTraceSummary } from './model.js';

/**
 * The root is the first block with a type (a block whose header could not be read is skipped, not
 * guessed). The frame:
 *  1. the first in-app frame of the root cause;
 *  2. else the first in-app frame of the exception wrapping it, then of the one wrapping that, …: the
 *     root cause's own frames stop where it was caught, and the app's call into the library that failed
 *     is printed with the wrapper (Java prints it once, under the wrapper, with `... N more` under the
 *     cause; Python prints the cause's traceback only down from the catching frame);
 *  3. else `fallback` of the root's frames (by default its first frame), else the first frame of the
 *     nearest wrapper that has frames.
 */
export function summarizeChain(
  language: Language,
  chain: readonly ExceptionBlock[],
  fallback: (frames: FrameList) => Frame | null = first,
): StackTraceSummary {
  if (chain.length === 0) return { exceptionType: null, firstStackFrame: null };
  let root = chain.findIndex((block) => block.type !== null);
  if (root < 0) root = 0;
  const exceptionType = chain[root].type;
  for (let i = root; i < chain.length; i++) {
    const frames = chain[i].frames;
    for (let j = 0; j < frames.length; j++) {
      const frame = frames.frameAt(j);
      if (frame !== null && isInApp(language, frame)) return { exceptionType, firstStackFrame: frameText(frame) };
    }
  }
  let chosen = fallback(chain[root].frames);
  for (let i = root + 1; chosen === null && i < chain.length; i++) chosen = first(chain[i].frames);
  return { exceptionType, firstStackFrame: chosen === null ? null : frameText(chosen) };
}

function first(frames: FrameList): Frame | null {
  for (let j = 0; j < frames.length; j++) {
    const frame = frames.frameAt(j);
    if (frame !== null) return frame;
  }
  return null;
}
