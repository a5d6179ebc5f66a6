/**
 * What every language parser produces: a chain of exceptions, root cause first, each with its frames
 * innermost first. Plus the few text helpers the parsers share. No parsing decisions here.
 */

export type Language = 'java' | 'dotnet' | 'node' | 'python' | 'go' | 'ruby' | 'php';

export interface StackTraceSummary {
  exceptionType: string | null;
  firstStackFrame: string | null;
}

/** One frame, already normalized: nothing in it depends on the build, the host or the run. */
export interface Frame {
  /** The function or method, qualified as the runtime prints it; what library rules on names look at. */
  readonly functionName: string;
  /** The file as published: no directory, no line numbers (or what is printed instead: `Native Method`). */
  readonly file: string;
  /** The location as printed, directory included, line numbers dropped; what library rules on paths look at. */
  readonly path: string;
}

/** One exception of a chain. */
export interface ExceptionBlock {
  readonly type: string | null;
  /** Innermost (where it was raised) first, whatever order the runtime prints them in. */
  readonly frames: FrameList;
}

/**
 * The frames of one exception, parsed on demand (lazyFrames): the summary usually needs the first few
 * of a hundred. Indexed rather than iterated, which allocates nothing per frame on this hot path.
 */
export interface FrameList {
  readonly length: number;
  /** The frame at `index`, or null when its line turns out not to be one. */
  frameAt(index: number): Frame | null;
}

export function frame(functionName: string, file: string, path: string = file): Frame {
  return { functionName, file, path };
}

/** As published: `function(file)`. */
export function frameText(f: Frame): string {
  return `${f.functionName}(${f.file})`;
}

export function frameList(frames: readonly Frame[]): FrameList {
  return { length: frames.length, frameAt: (index) => frames[index] ?? null };
}

/** The frames of these lines, each parsed when asked for. */
export function lazyFrames(lines: readonly string[], parse: (line: string) => Frame | null): FrameList {
  return { length: lines.length, frameAt: (index) => parse(lines[index]) };
}

/** Lines, whichever break ends them (`\r\n`, `\n`, `\r`); a plain split when there is no `\r`. */
export function splitLines(text: string): string[] {
  return text.includes('\r') ? text.split(/\r\n|\r|\n/) : text.split('\n');
}

/** `C:\src\App\File.cs` and `/srv/app/file.py` → the file name. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Drops a trailing `:line` and `:line:column`; at most two, so hostile `:1:1:1…` stays linear. */
export function stripLineNumbers(location: string): string {
  let result = location;
  for (let n = 0; n < 2; n++) {
    const colon = result.lastIndexOf(':');
    if (colon < 0 || colon === result.length - 1 || !isDigits(result, colon + 1, result.length)) break;
    result = result.slice(0, colon);
  }
  return result;
}

export function isDigits(text: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
