/**
 * Java (and Kotlin, Scala, Groovy: any JVM trace), as Throwable.printStackTrace, logback and log4j2
 * print it. The chain: the header, then each top-level `Caused by:`, the last being the root cause;
 * `Suppressed:` blocks (indented one level deeper, with their own causes) are not part of it. Root-cause
 * -first output (logback's and log4j2's `%rEx`: the root, then `Wrapped by:`) gives the same chain.
 */
import { parseAtFrame } from './at-frame.js';
import { summarizeChain } from './chain.js';
import { frame, indentOf, lazyFrames, type ExceptionBlock, type Frame, type StackTraceSummary } from './model.js';

/** A qualified class name; `Exception in thread "main" ` may come first. */
const JAVA_HEADER = /^(?:Exception in thread "[^"]*" )?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+)(?::|$)/;

export function parseJava(lines: readonly string[], firstFrame: number): StackTraceSummary {
  let header = -1;
  let headerType: string | null = null;
  for (let i = 0; i < firstFrame && header < 0; i++) {
    const match = JAVA_HEADER.exec(lines[i].trim());
    if (match) [header, headerType] = [i, match[1]];
  }
  // Top-level causes are indented like the header, a suppressed exception's causes one level deeper.
  // Without a header: not indented, or less than the frames.
  const frameIndent = indentOf(lines[firstFrame]);
  const isTopLevel = (indent: number) => (header >= 0 ? indent <= indentOf(lines[header]) : indent === 0 || indent < frameIndent);

  const blocks: Array<{ type: string | null; frameLines: string[] }> = [{ type: headerType, frameLines: [] }];
  let rootFirst = false;
  let inSuppressed = false;
  for (let i = header + 1; i < lines.length; i++) {
    const line = lines[i];
    const trimmed = line.trimStart();
    const prefix = trimmed.startsWith('Caused by: ') ? 'Caused by: ' : trimmed.startsWith('Wrapped by: ') ? 'Wrapped by: ' : undefined;
    if (prefix !== undefined) {
      if (!isTopLevel(indentOf(line))) continue; // a cause of a suppressed exception
      const match = JAVA_HEADER.exec(trimmed.slice(prefix.length).trim());
      blocks.push({ type: match ? match[1] : null, frameLines: [] });
      rootFirst ||= prefix === 'Wrapped by: ';
      inSuppressed = false;
    } else if (trimmed.startsWith('Suppressed: ')) {
      inSuppressed = true; // printed after the frames of the exception it is attached to
    } else if (!inSuppressed && trimmed.startsWith('at ')) {
      blocks[blocks.length - 1].frameLines.push(line);
    }
  }
  const chain: ExceptionBlock[] = blocks
    .filter((block, i) => i === 0 || block.type !== null)
    .map((block) => ({ type: block.type, frames: lazyFrames(block.frameLines, javaFrame) }));
  return summarizeChain('java', rootFirst ? chain : chain.reverse());
}

function javaFrame(line: string): Frame | null {
  const at = parseAtFrame(line);
  return at?.language === 'java' ? frame(normalizeName(at.functionName), at.file) : null;
}

/**
 * Names the JVM or a library generates at run time, numbered per run or per build: the numbers go
 * (`Foo$$Lambda$14` → `Foo$$Lambda`, `$Proxy123`, `GeneratedMethodAccessor42`, CGLIB's `$$…CGLIB$$5f3a`,
 * `$HibernateProxy$Ab12Cd`), and so does a lambda method's ordinal (`lambda$load$0` → `lambda$load`),
 * which shifts when another lambda is added to the method.
 */
const GENERATED_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\$\$Lambda\$\d+/g, '$$$$Lambda'],
  [/\$Proxy\d+/g, '$$Proxy'],
  [/(Generated(?:Serialization)?(?:Method|Constructor)Accessor)\d+/g, '$1'],
  [/(\$\$[A-Za-z]{0,40}CGLIB\$\$)[0-9A-Za-z]+/g, '$1'],
  [/(\$HibernateProxy)\$[0-9A-Za-z]+/g, '$1'],
];

function normalizeName(name: string): string {
  if (!name.includes('$') && !name.includes('Generated')) return name;
  let result = name;
  for (const [pattern, replacement] of GENERATED_NAMES) result = result.replace(pattern, replacement);
  const method = result.lastIndexOf('.') + 1;
  const ordinal = result.lastIndexOf('$');
  if (result.startsWith('lambda$', method) && ordinal > method + 'lambda'.length && /^\d+$/.test(result.slice(ordinal + 1))) {
    result = result.slice(0, ordinal);
  }
  return result;
}
