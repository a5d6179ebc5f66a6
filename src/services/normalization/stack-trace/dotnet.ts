/**
 * .NET, as Exception.ToString() prints it (Core and Framework). The chain is in the header: the outer
 * exception, then each inner one after ` ---> ` (on its own line, or on the same line in .NET
 * Framework); the root cause is the innermost, the last ` ---> `. Frames come innermost exception
 * first, each inner exception's closed by `--- End of inner exception stack trace ---`.
 * AggregateException's further inner exceptions (`---> (Inner Exception #1) …`), printed after the
 * outer frames, are siblings of the first one and are not followed.
 */
import { parseAtFrame } from './at-frame.js';
import { summarizeChain } from './chain.js';
import { frame, lazyFrames, type ExceptionBlock, type Frame, type StackTraceSummary } from './model.js';

const DOTNET_HEADER = /^(?:Unhandled [eE]xception(?:\. |: ))?([A-Za-z_][\w`]*(?:\.[A-Za-z_][\w`]*)+)(?::| \(| --->|$)/;
/** Sticky: read at the position after an arrow, without copying the rest of the line. */
const DOTNET_INNER = /(?:\(Inner Exception #\d+\) )?([A-Za-z_][\w`]*(?:\.[A-Za-z_][\w`]*)+)(?::| \(| --->|$)/y;
const ARROW = '---> ';
const END_OF_INNER = '--- End of inner exception stack trace ---';

export function parseDotnet(lines: readonly string[], firstFrame: number): StackTraceSummary {
  const types = headerTypes(lines, firstFrame); // outermost first
  const blocks: string[][] = [[]]; // frame lines, innermost exception first
  for (let i = firstFrame; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === END_OF_INNER) blocks.push([]);
    else if (trimmed.startsWith(ARROW)) break; // AggregateException's other inner exceptions
    else if (trimmed.startsWith('at ')) blocks[blocks.length - 1].push(trimmed);
  }
  const chain: ExceptionBlock[] = blocks.map((frameLines, i) => ({
    type: types[types.length - 1 - i] ?? null,
    frames: lazyFrames(frameLines, dotnetFrame),
  }));
  return summarizeChain('dotnet', chain);
}

/** The outer type (the first line that reads as one), then the type after each ` ---> ` up to the first frame. */
function headerTypes(lines: readonly string[], firstFrame: number): string[] {
  let start = 0;
  while (start < firstFrame && !DOTNET_HEADER.test(lines[start].trim())) start++;
  if (start === firstFrame) return [];
  const types = [DOTNET_HEADER.exec(lines[start].trim())![1]];
  for (let i = start; i < firstFrame; i++) {
    const line = lines[i];
    for (let arrow = line.indexOf(ARROW); arrow >= 0; arrow = line.indexOf(ARROW, arrow + ARROW.length)) {
      DOTNET_INNER.lastIndex = arrow + ARROW.length;
      const inner = DOTNET_INNER.exec(line);
      if (inner) types.push(inner[1]);
    }
  }
  return types;
}

function dotnetFrame(line: string): Frame | null {
  const at = parseAtFrame(line);
  return at?.language === 'dotnet' ? frame(normalizeName(at.functionName), at.file, at.path) : null;
}

/**
 * Compiler-generated names carry ordinals that shift when the class changes: async and iterator state
 * machines become the method they implement (`<ChargeAsync>d__5.MoveNext` → `ChargeAsync`, as .NET
 * Core prints it anyway); lambdas, closures and local functions lose their numbers
 * (`<>c__DisplayClass5_0.<Run>b__0` → `<>c__DisplayClass.<Run>b__`, `<Main>g__Local|0_0` → `<Main>g__Local`).
 */
function normalizeName(name: string): string {
  if (!name.includes('__') && !name.includes('|')) return name;
  const withoutOrdinals = name.replace(/\|\d+_\d+/g, '').replace(/(__DisplayClass|>b__|>d__)\d+(?:_\d+)?/g, '$1');
  const stateMachine = /\.<([^<>]+)>d__\.MoveNext$/.exec(withoutOrdinals);
  return stateMachine ? `${withoutOrdinals.slice(0, stateMachine.index)}.${stateMachine[1]}` : withoutOrdinals;
}
