/**
 * Wrapped and caused-by chains: which exception is the root cause, and where the frame comes from
 * when the root cause has none of the app's. Small traces, one rule each; the corpus has full ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStackTrace, type StackTraceSummary } from '../../../src/services/normalization/stack-trace.js';

function expect(trace: string, expected: StackTraceSummary): void {
  assert.deepEqual(parseStackTrace(trace), expected);
}

describe('chains: Java', () => {
  test('a Suppressed block without a top-level cause: the header is the root cause', () => {
    const trace = [
      'java.io.IOException: upload failed',
      '\tat com.acme.Exporter.upload(Exporter.java:10)',
      '\tSuppressed: java.io.IOException: close failed',
      '\t\tat com.acme.Exporter.close(Exporter.java:20)',
      '\tCaused by: java.net.SocketException: Broken pipe',
      '\t\tat com.acme.Exporter.flush(Exporter.java:30)',
    ].join('\n');
    expect(trace, { exceptionType: 'java.io.IOException', firstStackFrame: 'com.acme.Exporter.upload(Exporter.java)' });
  });

  test('a header without frames, then its cause: the cause and its frame', () => {
    const trace = 'java.lang.RuntimeException: wrapped\nCaused by: java.lang.ArithmeticException: / by zero\n\tat com.acme.Calc.div(Calc.java:5)';
    expect(trace, { exceptionType: 'java.lang.ArithmeticException', firstStackFrame: 'com.acme.Calc.div(Calc.java)' });
  });

  test('the whole trace indented by a logger: causes are still top-level', () => {
    const trace = '    java.lang.IllegalStateException: x\n        at com.acme.A.a(A.java:1)\n    Caused by: java.lang.NumberFormatException: For input string: "x"\n        at java.lang.Integer.parseInt(Integer.java:652)\n        at com.acme.A.parse(A.java:9)';
    expect(trace, { exceptionType: 'java.lang.NumberFormatException', firstStackFrame: 'com.acme.A.parse(A.java)' });
  });

  test('generated names lose their run-time numbers, lambda methods their ordinal', () => {
    const jdk17 = 'java.lang.IllegalStateException: x\n\tat com.acme.Repo$$Lambda$1432/0x0000000801a3c5e8.apply(Unknown Source)\n\tat com.acme.Repo.lambda$find$3(Repo.java:40)';
    expect(jdk17, { exceptionType: 'java.lang.IllegalStateException', firstStackFrame: 'com.acme.Repo.lambda$find(Repo.java)' });
    const proxiesOnly = 'java.lang.IllegalStateException: x\n\tat jdk.proxy3/jdk.proxy3.$Proxy187.find(Unknown Source)\n\tat jdk.internal.reflect.GeneratedMethodAccessor42.invoke(Unknown Source)';
    expect(proxiesOnly, { exceptionType: 'java.lang.IllegalStateException', firstStackFrame: 'jdk.proxy3.$Proxy.find(Unknown Source)' });
  });
});

describe('chains: .NET', () => {
  test('an inner exception that was never thrown has no frames: the next one out\'s in-app frame', () => {
    const trace = [
      'Acme.Orders.OrderRejectedException: Order 42 rejected',
      ' ---> Acme.Orders.StockException: SKU-1 out of stock',
      '   --- End of inner exception stack trace ---',
      '   at Acme.Orders.OrderService.Place(Order order) in /src/OrderService.cs:line 30',
    ].join('\n');
    expect(trace, { exceptionType: 'Acme.Orders.StockException', firstStackFrame: 'Acme.Orders.OrderService.Place(OrderService.cs)' });
  });

  test('local functions lose their ordinals', () => {
    const trace = 'System.InvalidOperationException: x\n   at Acme.Worker.<Run>g__Step|3_1(Int32 i) in /src/Worker.cs:line 12';
    expect(trace, { exceptionType: 'System.InvalidOperationException', firstStackFrame: 'Acme.Worker.<Run>g__Step(Worker.cs)' });
  });
});

describe('chains: Node.js', () => {
  test('causes that are not errors are not the root cause', () => {
    for (const cause of ["'socket hang up'", "{ code: 'ETIMEDOUT' }", 'undefined', 'null', 'ConnectionPool']) {
      const trace = `Error: request failed\n    at send (/app/client.js:10:11) {\n  [cause]: ${cause}\n}`;
      expect(trace, { exceptionType: 'Error', firstStackFrame: 'send(client.js)' });
    }
  });

  test('an error cause printed without frames ([Error: …]): its type, the wrapper\'s frame', () => {
    const trace = 'Error: request failed\n    at send (/app/client.js:10:11) {\n  [cause]: [AbortError: This operation was aborted]\n}';
    expect(trace, { exceptionType: 'AbortError', firstStackFrame: 'send(client.js)' });
  });

  test('a cause set as a plain property (cause: …) counts too', () => {
    const trace = 'VError: upload failed\n    at upload (/app/upload.js:3:9) {\n  cause: Error: EACCES: permission denied\n      at open (/app/fs-util.js:8:2)\n}';
    expect(trace, { exceptionType: 'Error', firstStackFrame: 'open(fs-util.js)' });
  });

  test('causes inside an AggregateError\'s [errors] are not followed', () => {
    const trace = [
      'AggregateError: All promises were rejected',
      '    at pickMirror (/app/mirrors.js:4:9) {',
      '  [errors]: [',
      '    Error: mirror a down',
      '        at probe (/app/mirrors.js:9:11) {',
      '      [cause]: Error: connect ETIMEDOUT',
      '          at connect (/app/net.js:2:3)',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    expect(trace, { exceptionType: 'AggregateError', firstStackFrame: 'pickMirror(mirrors.js)' });
  });
});

describe('chains: Python', () => {
  test('"During handling": the first exception is the root cause, even when the handler\'s bug follows', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "/app/cache.py", line 8, in get',
      '    return self._data[key]',
      "KeyError: 'user:42'",
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      'Traceback (most recent call last):',
      '  File "/app/cache.py", line 10, in get',
      '    log.warn("miss %s", keey)',
      "NameError: name 'keey' is not defined",
    ].join('\n');
    expect(trace, { exceptionType: 'KeyError', firstStackFrame: 'get(cache.py)' });
  });

  test('an exception group after a plain traceback: the plain one is the root cause', () => {
    const trace = [
      'Traceback (most recent call last):',
      '  File "/app/a.py", line 3, in f',
      'ValueError: bad',
      '',
      'During handling of the above exception, another exception occurred:',
      '',
      '  + Exception Group Traceback (most recent call last):',
      '  |   File "/app/a.py", line 9, in main',
      '  | ExceptionGroup: many (1 sub-exception)',
      '  +-+---------------- 1 ----------------',
      '    | Traceback (most recent call last):',
      '    |   File "/app/b.py", line 1, in g',
      '    | TypeError: worse',
      '    +------------------------------------',
    ].join('\n');
    expect(trace, { exceptionType: 'ValueError', firstStackFrame: 'f(a.py)' });
  });
});

describe('chains: Go', () => {
  test('a re-panic: the first panic gives the type', () => {
    const trace = 'panic: boom [recovered]\n\tpanic: runtime error: invalid memory address or nil pointer dereference\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d';
    expect(trace, { exceptionType: 'panic', firstStackFrame: 'main.main(main.go)' });
  });

  test('net/http\'s recovered panic with an IPv6 peer', () => {
    const trace = '2024/05/02 10:11:12 http: panic serving [::1]:51234: runtime error: slice bounds out of range\ngoroutine 9 [running]:\nmain.handler(...)\n\t/app/main.go:14';
    expect(trace, { exceptionType: 'runtime.Error', firstStackFrame: 'main.handler(main.go)' });
  });
});

describe('chains: Ruby', () => {
  test('a multi-line message: the class ends the first line; the other lines start no exception', () => {
    const trace = [
      "/app/lib/db.rb:12:in 'DB.query': PG::UndefinedTable: ERROR:  relation \"users\" does not exist (ActiveRecord::StatementInvalid)",
      'LINE 1: SELECT "users".* FROM "users"',
      '                              ^',
      "\tfrom /app/lib/db.rb:5:in 'DB.all'",
      "\tfrom /app/bin/report:3:in '<main>'",
    ].join('\n');
    expect(trace, { exceptionType: 'ActiveRecord::StatementInvalid', firstStackFrame: 'DB.query(db.rb)' });
  });

  test('Ruby 2.5–2.7 on a terminal: reversed frames, the header last; the innermost in-app frame', () => {
    const trace = [
      'Traceback (most recent call last):',
      "\t2: from /app/bin/sync:4:in `<main>'",
      "\t1: from /app/lib/sync.rb:12:in `run'",
      "/usr/local/bundle/gems/faraday-1.10.3/lib/faraday/response/raise_error.rb:38:in `on_complete': the server responded with status 502 (Faraday::ServerError)",
    ].join('\n');
    expect(trace, { exceptionType: 'Faraday::ServerError', firstStackFrame: 'run(sync.rb)' });
  });

  test('Ruby 2.5–2.7 on a terminal: causes come first, so the first exception is the root cause', () => {
    const trace = [
      'Traceback (most recent call last):',
      "\t1: from app.rb:3:in `<main>'",
      "/app/lib/client.rb:8:in `connect': Connection refused - connect(2) for 10.0.0.5:5432 (Errno::ECONNREFUSED)",
      "\t1: from app.rb:3:in `<main>'",
      "/app/lib/client.rb:10:in `rescue in connect': database unreachable (Client::Unreachable)",
    ].join('\n');
    expect(trace, { exceptionType: 'Errno::ECONNREFUSED', firstStackFrame: 'connect(client.rb)' });
  });

  test('a log level before the backtrace is not a class', () => {
    const trace = "ERROR: import failed\n/app/lib/importer.rb:9:in `run'";
    expect(trace, { exceptionType: null, firstStackFrame: 'run(importer.rb)' });
  });
});

describe('chains: PHP', () => {
  test('the plain __toString format (no "Uncaught"): the first exception of the Next chain', () => {
    const trace = [
      'RuntimeException: inner in /app/src/A.php:5',
      'Stack trace:',
      '#0 /app/src/B.php(10): App\\A->parse()',
      '#1 {main}',
      '',
      'Next LogicException: outer in /app/src/B.php:12',
      'Stack trace:',
      '#0 /app/index.php(3): App\\B->run()',
      '#1 {main}',
    ].join('\n');
    expect(trace, { exceptionType: 'RuntimeException', firstStackFrame: 'App\\A->parse(A.php)' });
  });

  test('an exception raised at the top level of a script: {main} is where', () => {
    const trace = 'PHP Fatal error:  Uncaught Exception: no config in /app/bin/sync.php:7\nStack trace:\n#0 {main}\n  thrown in /app/bin/sync.php on line 7';
    expect(trace, { exceptionType: 'Exception', firstStackFrame: '{main}(sync.php)' });
  });

  test('a path with parentheses', () => {
    const trace = 'Exception: x in /srv/site (copy)/src/A.php:5\nStack trace:\n#0 /srv/site (copy)/public/index.php(3): App\\A->run()\n#1 {main}';
    expect(trace, { exceptionType: 'Exception', firstStackFrame: 'App\\A->run(A.php)' });
  });
});
