/**
 * Hostile input against the chain and in-app parsing (Ruby, PHP, Node.js causes, .NET inner
 * exceptions, Python exception groups, Java suppressed blocks): never throws, always strings or nulls,
 * the same answer every time, and linear time on 100,000 characters (the contract's maximum).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStackTrace, type StackTraceSummary } from '../../../src/services/normalization/stack-trace.js';
import { seededRandom } from '../../support/seeded-random.js';

const PIECES = [
  '\n', '\r\n', '\t', ' ', '  ', ':', '(', ')', '[', ']', '{', '}', "'", '`', '"', '#', '\\', '\\\\', '/', '.', ',',
  '0', '42', 'a', 'Z', 'é', '💥', '\ud800',
  // Ruby
  ':in ', "'", 'from ', '.rb:12:in `x\'', "/app/x.rb:3:in 'A#b': boom (RuntimeError)", ' (NoMethodError)', 'Information for cause: ',
  'Foo::Bar (msg):', 'gems/', '<internal:kernel>',
  // PHP
  'Stack trace:', '[stacktrace]', '#0 ', '#1 {main}', '/app/x.php(10): ', '[internal function]: ', 'Next ', 'Uncaught ',
  '[object] (', '(code: 0): ', '[previous exception] ', ' in /app/a.php:5', ' at /app/a.php:5)', '{closure:', 'vendor/',
  // Node.js
  '    at ', ' {', '[cause]: ', 'cause: ', '[errors]: [', 'Error: x', '... 3 lines matching cause stack trace ...', '^',
  // .NET, Java, Python, Go
  ' ---> ', '--- End of inner exception stack trace ---', '(Inner Exception #1) ', '<X>d__5.MoveNext', '<>c__DisplayClass1_0',
  'Caused by: ', 'Suppressed: ', 'Wrapped by: ', '\tat a.B.c(B.java:1)', '$$Lambda$12', 'lambda$x$0', '... 5 more',
  'Traceback (most recent call last):', '  File "/a.py", line 1, in f', '  + Exception Group Traceback (most recent call last):',
  '  | ', '  +-+---- 1 ----', 'panic: ', 'goroutine 1 [running]:', 'http: panic serving ', 'created by ',
];

describe('parseStackTrace: hostile input, all formats', () => {
  test('random traces never throw, give strings or nulls, and the same answer twice', () => {
    for (let seed = 1; seed <= 4000; seed++) {
      const next = seededRandom(seed);
      let trace = '';
      for (let i = Math.floor(next() * 100); i > 0; i--) trace += PIECES[Math.floor(next() * PIECES.length)];
      let result: StackTraceSummary;
      try {
        result = parseStackTrace(trace);
      } catch (err) {
        assert.fail(`seed ${seed} threw ${String(err)} on ${JSON.stringify(trace)}`);
      }
      for (const value of [result.exceptionType, result.firstStackFrame]) {
        assert.ok(value === null || typeof value === 'string', `seed ${seed}: ${JSON.stringify(result)}`);
      }
      assert.deepEqual(parseStackTrace(trace), result, `seed ${seed}`);
    }
  });

  test('100,000-character adversarial traces are parsed in linear time', () => {
    const size = 100_000;
    const adversarial: Record<string, string> = {
      'php: ( and ): on one frame line': 'Stack trace:\n#0 ' + '(1'.repeat(size / 4) + '): '.repeat(size / 6),
      'php: digits then ): many times': 'Stack trace:\n#0 (' + '1'.repeat(size / 2) + 'x' + '): '.repeat(size / 6),
      'php: many blocks': ('x in /a.php:1\nStack trace:\n#0 /a.php(1): f()\n').repeat(size / 40),
      'php: closure names': 'Stack trace:\n#0 /a.php(1): ' + '{closure:'.repeat(size / 9),
      'php: monolog header': '[object] (' + 'A'.repeat(size) + '\n[stacktrace]\n#0 {main}',
      'ruby: :in markers': "/a.rb:1:in '" + ":in '".repeat(size / 5),
      'ruby: from lines': "x (RuntimeError)\n" + "\tfrom /a.rb:1:in `b'\n".repeat(size / 22),
      'ruby: class-like line': 'A' + '::A'.repeat(size / 3) + ' (\n/a.rb:1:in `b\'',
      'ruby: errinfo chain': "/a.rb:1:in 'b': c (D)\n".repeat(size / 20),
      'node: nested causes': 'Error: x\n    at f (/a.js:1:1) {\n' + '  [cause]: Error: y\n      at g (/b.js:1:1) {\n'.repeat(size / 45),
      'node: errors section never closed': 'Error: x\n    at f (/a.js:1:1) {\n  [errors]: [\n' + '    [cause]: Error: y\n'.repeat(size / 22),
      'node: causes without frames': 'Error: x\n    at f (/a.js:1:1) {\n' + '[cause]: Error: y\n'.repeat(size / 18),
      '.NET: arrows on one line': 'System.Exception: x' + ' ---> System.A'.repeat(size / 14) + '\n   at A.B() in /a.cs:line 1',
      '.NET: end markers': 'System.Exception: x\n   at A.B()\n' + '--- End of inner exception stack trace ---\n'.repeat(size / 43),
      '.NET: state machine name': 'System.Exception: x\n   at A.' + '<'.repeat(size / 2) + '>d__1.MoveNext()',
      'java: causes': 'java.lang.Error: x\n\tat a.B.c(B.java:1)\n' + 'Caused by: java.lang.Error: y\n\t... 1 more\n'.repeat(size / 45),
      'java: suppressed': 'java.lang.Error: x\n\tat a.B.c(B.java:1)\n' + '\tSuppressed: a.B: c\n\t\tat a.B.c(B.java:1)\n'.repeat(size / 40),
      'java: generated names': 'java.lang.Error: x\n\tat a.B' + '$$Lambda$1'.repeat(size / 10) + '.c(Unknown Source)',
      'java: CGLIB names': 'java.lang.Error: x\n\tat a.B' + '$$A'.repeat(size / 3) + '.c(B.java:1)',
      'python: groups': '  + Exception Group Traceback (most recent call last):\n' + '  | \n'.repeat(size / 5),
      'python: tracebacks': 'Traceback (most recent call last):\n'.repeat(size / 35),
      'go: http panic line': 'http: panic serving ' + ':'.repeat(size),
    };
    for (const [what, trace] of Object.entries(adversarial)) {
      const started = performance.now();
      assert.doesNotThrow(() => parseStackTrace(trace), what);
      const elapsed = performance.now() - started;
      // Linear parsing takes a few milliseconds; a quadratic one takes seconds.
      assert.ok(elapsed < 500, `${what}: ${elapsed.toFixed(0)} ms`);
    }
  });
});
