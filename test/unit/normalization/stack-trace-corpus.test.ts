/**
 * The corpus: real-world traces as each runtime, framework or logger prints them, one per file under
 * test/fixtures/stack-traces/<language>/<name>.txt, with the expected summary (and why) in <name>.json.
 * Besides the expected values, every trace must give the same summary with other line numbers, columns
 * and offsets, with Windows line breaks, and in any order of parsing (no state carried between calls).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../../src/runtime/package-root.js';
import { parseStackTrace, type StackTraceSummary } from '../../../src/services/normalization/stack-trace.js';
import { seededRandom } from '../../support/seeded-random.js';

const CORPUS = join(packageRoot(), 'test', 'fixtures', 'stack-traces');
const LANGUAGES = ['java', 'dotnet', 'node', 'python', 'go', 'ruby', 'php'];

interface Case extends StackTraceSummary {
  name: string;
  trace: string;
  why: string;
}

function load(language: string): Case[] {
  const dir = join(CORPUS, language);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.txt'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.txt'.length);
      const expected = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as StackTraceSummary & { why: string };
      return { name, trace: readFileSync(join(dir, file), 'utf8'), ...expected };
    });
}

/** Another build of the same code: every line number, column and hex offset shifted. */
function rebuilt(trace: string): string {
  return trace
    .replace(/(\.(?:java|kt|scala|js|mjs|cjs|ts|go|rb|php|cs)):(\d+)/g, (_m, ext: string, line: string) => `${ext}:${Number(line) + 7}`)
    .replace(/(node:[\w/]+):(\d+)/g, (_m, module: string, line: string) => `${module}:${Number(line) + 7}`)
    .replace(/:line (\d+)/g, (_m, line: string) => `:line ${Number(line) + 7}`)
    .replace(/", line (\d+),/g, (_m, line: string) => `", line ${Number(line) + 7},`)
    .replace(/\.php\((\d+)\)/g, (_m, line: string) => `.php(${Number(line) + 7})`)
    .replace(/\+0x[0-9a-f]+/g, '+0x1f');
}

const corpus = LANGUAGES.map((language) => [language, load(language)] as const);

test('the corpus holds at least 5 traces per language, 40 in all', () => {
  for (const [language, cases] of corpus) assert.ok(cases.length >= 5, `${language}: ${cases.length} traces`);
  assert.ok(corpus.reduce((n, [, cases]) => n + cases.length, 0) >= 40);
});

for (const [language, cases] of corpus) {
  describe(`stack-trace corpus: ${language}`, () => {
    for (const c of cases) {
      test(c.name, () => {
        const expected = { exceptionType: c.exceptionType, firstStackFrame: c.firstStackFrame };
        assert.deepEqual(parseStackTrace(c.trace), expected, c.why);
        const moved = rebuilt(c.trace);
        assert.notEqual(moved, c.trace, 'the fixture has line numbers to move');
        assert.deepEqual(parseStackTrace(moved), expected, 'another build (line numbers, offsets)');
        assert.deepEqual(parseStackTrace(c.trace.replace(/\n/g, '\r\n')), expected, 'CRLF line breaks');
        assert.deepEqual(parseStackTrace(c.trace), expected, 'parsed again');
      });
    }
  });
}

test('the corpus parsed in shuffled orders gives the same summaries', () => {
  const traces = corpus.flatMap(([, cases]) => cases.map((c) => c.trace));
  const inOrder = new Map(traces.map((trace) => [trace, parseStackTrace(trace)]));
  for (let seed = 1; seed <= 5; seed++) {
    const next = seededRandom(seed);
    const shuffled = [...traces];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (const trace of shuffled) assert.deepEqual(parseStackTrace(trace), inOrder.get(trace));
  }
});
