import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStackTrace, type StackTraceSummary } from '../../../src/services/normalization/stack-trace.js';
import { seededRandom } from '../../support/seeded-random.js';

// Real-world traces, as each runtime prints them. Line numbers and offsets are templated where a test
// needs another build of "the same" failure.

const javaSpringTimeout = (line = 88) => `org.springframework.web.client.ResourceAccessException: I/O error on POST request for "https://gateway.acme.io/v1/charges": Connect timed out
	at org.springframework.web.client.RestTemplate.createResourceAccessException(RestTemplate.java:${line + 827})
	at org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:895)
	at org.springframework.web.client.RestTemplate.execute(RestTemplate.java:790)
	at org.springframework.web.client.RestTemplate.postForEntity(RestTemplate.java:541)
	at com.acme.payment.GatewayClient.charge(GatewayClient.java:${line})
	at com.acme.payment.PaymentService.pay(PaymentService.java:42)
	at com.acme.payment.PaymentController.pay(PaymentController.java:31)
	at java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)
	at java.base/java.lang.reflect.Method.invoke(Method.java:580)
	at org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)
	... 48 common frames omitted
Caused by: java.net.SocketTimeoutException: Connect timed out
	at java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:546)
	at java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)
	at java.base/java.net.SocksSocketImpl.connect(SocksSocketImpl.java:327)
	at java.base/java.net.Socket.connect(Socket.java:751)
	at java.base/sun.net.NetworkClient.doConnect(NetworkClient.java:178)
	at java.base/sun.net.www.http.HttpClient.openServer(HttpClient.java:531)
	at org.springframework.http.client.SimpleClientHttpRequest.executeInternal(SimpleClientHttpRequest.java:79)
	at org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:889)
	... 55 common frames omitted`;

const javaMainThread = `Exception in thread "main" java.lang.IllegalStateException: Failed to load ledger for account 4711
	at com.acme.ledger.LedgerLoader.load(LedgerLoader.java:64)
	at com.acme.ledger.LedgerLoader.lambda$loadAll$0(LedgerLoader.java:41)
	at java.base/java.util.stream.ReferencePipeline$3$1.accept(ReferencePipeline.java:197)
	at java.base/java.util.ArrayList$ArrayListSpliterator.forEachRemaining(ArrayList.java:1708)
	at com.acme.ledger.Main.main(Main.java:19)
Caused by: java.lang.NullPointerException: Cannot invoke "String.length()" because "line" is null
	at com.acme.ledger.CsvParser.parse(CsvParser.java:27)
	at com.acme.ledger.LedgerLoader.load(LedgerLoader.java:60)
	... 4 more`;

/** logback with packaging data; the top frame is a lambda in a hidden class, whose address changes per run. */
const javaLogbackLambda = (address: string) => `2026-11-23 10:15:30.000 ERROR 1 --- [nio-8080-exec-3] c.a.o.OrderController : Order lookup failed
org.springframework.dao.EmptyResultDataAccessException: Incorrect result size: expected 1, actual 0
	at com.acme.orders.OrderRepository$$Lambda/${address}.apply(Unknown Source) ~[na:na]
	at com.acme.orders.OrderRepository.findOne(OrderRepository.java:77) ~[orders-3.4.1.jar:3.4.1]
	at app//com.acme.orders.OrderController.get(OrderController.java:35) ~[orders-3.4.1.jar:3.4.1]
	at java.base@21.0.2/java.lang.Thread.run(Thread.java:1583) [na:na]`;

const pythonChained = (line = 88) => `Traceback (most recent call last):
  File "/srv/app/payments/gateway.py", line ${line}, in charge
    response = self._session.post(url, json=payload, timeout=self._timeout)
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  File "/usr/local/lib/python3.12/site-packages/requests/sessions.py", line 637, in post
    return self.request("POST", url, data=data, json=json, **kwargs)
  File "/usr/local/lib/python3.12/site-packages/requests/adapters.py", line 532, in send
    raise ConnectTimeout(e, request=request)
requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='gateway.acme.io', port=443): Max retries exceeded with url: /v1/charges (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3b2c1d9e50>, 'Connection to gateway.acme.io timed out. (connect timeout=30)'))

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/srv/app/payments/service.py", line 42, in pay
    self.gateway.charge(order.total)
  File "/srv/app/payments/gateway.py", line 91, in charge
    raise PaymentGatewayError(f"gateway unreachable after {self._timeout}s")
payments.errors.PaymentGatewayError: gateway unreachable after 30s`;

const pythonDirectCause = `Traceback (most recent call last):
  File "/app/worker/jobs.py", line 9, in process
    return job["payload"]["amount"] / job["payload"]["quantity"]
           ~~~~~~~~~~~~~~~~~~~~~~~~~~^~~~~~~~~~~~~~~~~~~~~~~~~~~
ZeroDivisionError: division by zero

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "/app/worker/main.py", line 17, in <module>
    main()
  File "/app/worker/main.py", line 13, in main
    run(queue)
  File "/app/worker/jobs.py", line 31, in run
    raise JobFailed(job["id"]) from exc
worker.errors.JobFailed: 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70`;

const pythonKeyError = `Traceback (most recent call last):
  File "/usr/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request
    rv = self.dispatch_request()
  File "/srv/api/views.py", line 23, in get_user
    return users[request.args["id"]]
KeyError: 'id'`;

const nodeTypeError = `TypeError: Cannot read properties of undefined (reading 'amount')
    at calculateTotal (/app/src/orders/pricing.js:27:31)
    at Array.reduce (<anonymous>)
    at OrderService.checkout (/app/src/orders/service.js:58:24)
    at async CheckoutController.post (/app/src/http/checkout.js:19:20)
    at async /app/node_modules/express-async-handler/index.js:3:12`;

const nodeAsyncFirst = (line = 12, column = 18) => `Error: connect ECONNREFUSED 10.0.3.17:5432
    at async PgPool.connect (/app/node_modules/pg-pool/index.js:45:11)
    at async Repository.findUser (file:///app/dist/users/repository.mjs:${line}:${column})
    at async Promise.all (index 2)
    at async handler (file:///app/dist/http/users.mjs:30:7)`;

const nodeCodedError = `TypeError [ERR_INVALID_ARG_TYPE]: The "path" argument must be of type string. Received undefined
    at new NodeError (node:internal/errors:405:5)
    at validateString (node:internal/validators:162:11)
    at Object.join (node:path:1172:7)
    at loadConfig (file:///srv/api/dist/config.mjs:14:22)
    at async main (file:///srv/api/dist/index.mjs:8:18) {
  code: 'ERR_INVALID_ARG_TYPE'
}`;

const nodeUncaught = `/app/server.js:42
    throw new Error(\`listen EADDRINUSE: address already in use :::\${port}\`);
    ^

Error: listen EADDRINUSE: address already in use :::8080
    at Server.setupListenHandle [as _listen2] (node:net:1872:16)
    at listenInCluster (node:net:1920:12)
    at Server.listen (node:net:2008:7)
    at Object.<anonymous> (/app/server.js:40:8)
    at Module._compile (node:internal/modules/cjs/loader:1256:14)`;

const goNilPointer = (line = 88, offset = '0x3a') => `panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6d1c3a]

goroutine 42 [running]:
github.com/acme/payments/internal/gateway.(*Client).Charge(0x0, {0x8a5e40, 0xc0001a2000}, 0xc00012e0f0)
	/build/internal/gateway/client.go:${line} +${offset}
github.com/acme/payments/internal/service.(*PaymentService).Pay(0xc000118080, {0x8a5e40, 0xc0001a2000}, 0xc00012e0f0)
	/build/internal/service/payment.go:42 +0x1c5
net/http.HandlerFunc.ServeHTTP(0xc000120000, {0x8a9a30, 0xc0001c4000}, 0xc0001b8000)
	/usr/local/go/src/net/http/server.go:2166 +0x29
net/http.serverHandler.ServeHTTP({0xc0001a0f00}, {0x8a9a30, 0xc0001c4000}, 0xc0001b8000)
	/usr/local/go/src/net/http/server.go:3137 +0x8e
net/http.(*conn).serve(0xc0001e2000, {0x8aa1b8, 0xc00019e1e0})
	/usr/local/go/src/net/http/server.go:2039 +0x5e8
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3285 +0x4b4
exit status 2`;

const goExplicitPanic = `panic: payment gateway returned an unexpected status [recovered]
	panic: payment gateway returned an unexpected status

goroutine 1 [running]:
panic({0x4a3b20?, 0xc000014250?})
	/usr/local/go/src/runtime/panic.go:770 +0x132
main.mustCharge(...)
	/src/cmd/charger/main.go:31
main.main()
	/src/cmd/charger/main.go:18 +0x65
exit status 2`;

const goFatalError = `fatal error: concurrent map writes

goroutine 7 [running]:
runtime.throw({0x4f4b0c?, 0x0?})
	/usr/local/go/src/runtime/panic.go:1077 +0x5c fp=0xc000051f40 sp=0xc000051f10 pc=0x4373fc
runtime.mapassign_faststr(0x4d9a40, 0xc000076180, {0x4f1b0a, 0x3})
	/usr/local/go/src/runtime/map_faststr.go:223 +0x3c5 fp=0xc000051fa8 sp=0xc000051f40 pc=0x412b45
main.(*SessionCache).Put(...)
	/srv/session/cache.go:22
main.worker(0x0?)
	/srv/session/main.go:40 +0x4c fp=0xc000051fe0 sp=0xc000051fa8 pc=0x4ad66c
runtime.goexit()
	/usr/local/go/src/runtime/asm_amd64.s:1650 +0x1 fp=0xc000051fe8 sp=0xc000051fe0 pc=0x468f61
created by main.main in goroutine 1
	/srv/session/main.go:55 +0x47

goroutine 1 [sleep]:
time.Sleep(0x3b9aca00)
	/usr/local/go/src/runtime/time.go:195 +0x125
main.main()
	/srv/session/main.go:58 +0x6a`;

const goIndexOutOfRange = `panic: runtime error: index out of range [5] with length 3

goroutine 1 [running]:
main.pickWinner(...)
	/tmp/sandbox1234/prog.go:8
main.main()
	/tmp/sandbox1234/prog.go:13 +0x1d`;

/** .NET (Core) ToString(): inner exceptions' frames first (the innermost's first), each closed by an end-of-inner marker. */
const dotnetNested = (line = 57) => `System.InvalidOperationException: Charging the payment gateway failed.
 ---> System.Net.Http.HttpRequestException: Connection refused (gateway.acme.io:443)
 ---> System.Net.Sockets.SocketException (111): Connection refused
   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.ThrowException(SocketError error, CancellationToken cancellationToken)
   at System.Net.Sockets.Socket.AwaitableSocketAsyncEventArgs.System.Threading.Tasks.Sources.IValueTaskSource.GetResult(Int16 token)
   at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync(String host, Int32 port, HttpRequestMessage initialRequest, Boolean async, CancellationToken cancellationToken)
   --- End of inner exception stack trace ---
   at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync(String host, Int32 port, HttpRequestMessage initialRequest, Boolean async, CancellationToken cancellationToken)
   at System.Net.Http.HttpClient.<SendAsync>g__Core|83_0(HttpRequestMessage request, HttpCompletionOption completionOption, CancellationTokenSource cts, Boolean disposeCts, CancellationTokenSource pendingRequestsCts, CancellationToken originalCancellationToken)
   at Acme.Payments.Gateway.GatewayClient.ChargeAsync(ChargeRequest request, CancellationToken ct) in /src/Acme.Payments/Gateway/GatewayClient.cs:line ${line}
   --- End of inner exception stack trace ---
   at Acme.Payments.Gateway.GatewayClient.ChargeAsync(ChargeRequest request, CancellationToken ct) in /src/Acme.Payments/Gateway/GatewayClient.cs:line 64
   at Acme.Payments.PaymentService.PayAsync(Order order, CancellationToken ct) in /src/Acme.Payments/PaymentService.cs:line 31
   at Acme.Api.Controllers.CheckoutController.Post(CheckoutRequest request) in /src/Acme.Api/Controllers/CheckoutController.cs:line 24
   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.TaskOfIActionResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)`;

/** .NET Framework on a build agent: Windows paths whose agent folder changes per build. */
const dotnetFramework = (agentFolder: number) => `System.NullReferenceException: Object reference not set to an instance of an object.
   at Acme.Orders.OrderValidator.Validate(Order order) in C:\\agent\\_work\\${agentFolder}\\s\\src\\Acme.Orders\\OrderValidator.cs:line 42
   at Acme.Orders.OrderService.Submit(Order order) in C:\\agent\\_work\\${agentFolder}\\s\\src\\Acme.Orders\\OrderService.cs:line 88
   at Acme.Web.Controllers.OrdersController.Create(OrderModel model) in C:\\agent\\_work\\${agentFolder}\\s\\src\\Acme.Web\\Controllers\\OrdersController.cs:line 35`;

const dotnetUnhandledNoPdb = `Unhandled exception. System.Collections.Generic.KeyNotFoundException: The given key 'tenant-eu' was not present in the dictionary.
   at System.Collections.Generic.Dictionary\`2.get_Item(TKey key)
   at Acme.Tenancy.TenantRegistry.Resolve(String key)
   at Program.<Main>$(String[] args)`;

function expect(trace: string, expected: StackTraceSummary): void {
  assert.deepEqual(parseStackTrace(trace), expected);
}

describe('parseStackTrace: Java', () => {
  test('root cause of a Caused-by chain; its frames are all library code, so the wrapper\'s first in-app frame', () => {
    expect(javaSpringTimeout(), {
      exceptionType: 'java.net.SocketTimeoutException',
      firstStackFrame: 'com.acme.payment.GatewayClient.charge(GatewayClient.java)',
    });
  });

  test('"Exception in thread" prefix; the Caused-by type wins, with its own first frame', () => {
    expect(javaMainThread, {
      exceptionType: 'java.lang.NullPointerException',
      firstStackFrame: 'com.acme.ledger.CsvParser.parse(CsvParser.java)',
    });
  });

  test('the contract example (four-space indent)', () => {
    const trace = `java.net.SocketTimeoutException: Connect timed out
    at com.acme.payment.GatewayClient.charge(GatewayClient.java:88)
    at com.acme.payment.PaymentService.pay(PaymentService.java:42)`;
    expect(trace, {
      exceptionType: 'java.net.SocketTimeoutException',
      firstStackFrame: 'com.acme.payment.GatewayClient.charge(GatewayClient.java)',
    });
  });

  test('log line before the header; the hidden lambda class is skipped, jar versions and module prefixes dropped', () => {
    const first = parseStackTrace(javaLogbackLambda('0x000071c0f8c4b2a8'));
    assert.deepEqual(first, {
      exceptionType: 'org.springframework.dao.EmptyResultDataAccessException',
      firstStackFrame: 'com.acme.orders.OrderRepository.findOne(OrderRepository.java)',
    });
    assert.deepEqual(parseStackTrace(javaLogbackLambda('0x00007f0e4c0a9e10')), first);
  });

  test('module and class-loader prefixes are dropped from any frame', () => {
    const trace = 'java.lang.InterruptedException\n\tat java.base@21.0.2/java.lang.Thread.sleep0(Native Method)\n\tat app//com.acme.Poller.run(Poller.kt:12)';
    expect(trace, { exceptionType: 'java.lang.InterruptedException', firstStackFrame: 'com.acme.Poller.run(Poller.kt)' });
    const jdkOnly = 'java.lang.InterruptedException\n\tat java.base@21.0.2/java.lang.Thread.sleep0(Native Method)\n\tat java.base@21.0.2/java.lang.Thread.sleep(Thread.java:509)';
    expect(jdkOnly, { exceptionType: 'java.lang.InterruptedException', firstStackFrame: 'java.lang.Thread.sleep0(Native Method)' });
  });
});

describe('parseStackTrace: Python', () => {
  test('chained ("During handling…"): the first traceback, its innermost in-app frame, the file without directory', () => {
    expect(pythonChained(), {
      exceptionType: 'requests.exceptions.ConnectTimeout',
      firstStackFrame: 'charge(gateway.py)',
    });
  });

  test('"direct cause" chain: the cause; carets ignored', () => {
    expect(pythonDirectCause, { exceptionType: 'ZeroDivisionError', firstStackFrame: 'process(jobs.py)' });
  });

  test('builtin exception with a message', () => {
    expect(pythonKeyError, { exceptionType: 'KeyError', firstStackFrame: 'get_user(views.py)' });
  });

  test('a whole traceback indented by the logger, and an exception without message', () => {
    const trace = ['  Traceback (most recent call last):', '    File "/app/a.py", line 3, in main', '      stop()', '  StopIteration'].join('\n');
    expect(trace, { exceptionType: 'StopIteration', firstStackFrame: 'main(a.py)' });
  });
});

describe('parseStackTrace: Node.js', () => {
  test('first frame, "at async" frames after it', () => {
    expect(nodeTypeError, { exceptionType: 'TypeError', firstStackFrame: 'calculateTotal(pricing.js)' });
  });

  test('node_modules frames skipped; an "at async" frame loses the async marker, line and column', () => {
    expect(nodeAsyncFirst(), { exceptionType: 'Error', firstStackFrame: 'Repository.findUser(repository.mjs)' });
  });

  test('error code kept with the name; node: internal frames skipped', () => {
    expect(nodeCodedError, { exceptionType: 'TypeError [ERR_INVALID_ARG_TYPE]', firstStackFrame: 'loadConfig(config.mjs)' });
  });

  test('uncaught error printed with its source line and caret first', () => {
    expect(nodeUncaught, { exceptionType: 'Error', firstStackFrame: 'Object.<anonymous>(server.js)' });
  });

  test('anonymous function frame (bare location) and file: URLs', () => {
    const trace = 'RangeError: Invalid array length\n    at file:///srv/app/dist/buffer.mjs:10:3\n    at main (file:///srv/app/dist/index.mjs:4:1)';
    expect(trace, { exceptionType: 'RangeError', firstStackFrame: '<anonymous>(buffer.mjs)' });
  });
});

describe('parseStackTrace: Go', () => {
  test('runtime error panic: runtime.Error, first frame without arguments, line or offset', () => {
    expect(goNilPointer(), {
      exceptionType: 'runtime.Error',
      firstStackFrame: 'github.com/acme/payments/internal/gateway.(*Client).Charge(client.go)',
    });
  });

  test('explicit panic: the panic(...) runtime frame is skipped, inlined frames kept', () => {
    expect(goExplicitPanic, { exceptionType: 'panic', firstStackFrame: 'main.mustCharge(main.go)' });
  });

  test('fatal error: runtime frames skipped; other goroutines ignored', () => {
    expect(goFatalError, { exceptionType: 'fatal error', firstStackFrame: 'main.(*SessionCache).Put(cache.go)' });
  });

  test('index out of range', () => {
    expect(goIndexOutOfRange, { exceptionType: 'runtime.Error', firstStackFrame: 'main.pickWinner(prog.go)' });
  });

  test('interface conversion panics are runtime errors too', () => {
    const trace = 'panic: interface conversion: interface {} is string, not int\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x3b';
    expect(trace, { exceptionType: 'runtime.Error', firstStackFrame: 'main.main(main.go)' });
  });

  test('only runtime frames: the first of them', () => {
    const trace = 'fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [semacquire]:\nruntime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n\t/usr/local/go/src/runtime/proc.go:398 +0xce';
    expect(trace, { exceptionType: 'fatal error', firstStackFrame: 'runtime.gopark(proc.go)' });
  });

  test('GOTRACEBACK=system goroutine header (gp=, m=, mp=)', () => {
    const trace = [
      'panic: runtime error: slice bounds out of range [:12] with capacity 8',
      '',
      'goroutine 1 gp=0xc0000061c0 m=0 mp=0x5d6f40 [running]:',
      'panic({0x4a8ba0?, 0xc000016138?})',
      '\t/usr/local/go/src/runtime/panic.go:785 +0x132 fp=0xc00006ae90 sp=0xc00006ade0 pc=0x46a232',
      'runtime.goPanicSliceAcap(0xc, 0x8)',
      '\t/usr/local/go/src/runtime/panic.go:141 +0x8b fp=0xc00006aed8 sp=0xc00006ae90 pc=0x432c4b',
      'main.readHeader(...)',
      '\t/src/wire/header.go:31',
      'main.main()',
      '\t/src/wire/main.go:12 +0x4f fp=0xc00006af50 sp=0xc00006aed8 pc=0x4a1b0f',
    ].join('\n');
    expect(trace, { exceptionType: 'runtime.Error', firstStackFrame: 'main.readHeader(header.go)' });
  });

  test('a panic line without a goroutine dump', () => {
    expect('panic: boom', { exceptionType: 'panic', firstStackFrame: null });
  });
});

describe('parseStackTrace: .NET', () => {
  test('nested inner exceptions: the innermost type; its frames are the runtime\'s, so the next one out\'s in-app frame', () => {
    expect(dotnetNested(), {
      exceptionType: 'System.Net.Sockets.SocketException',
      firstStackFrame: 'Acme.Payments.Gateway.GatewayClient.ChargeAsync(GatewayClient.cs)',
    });
  });

  test('.NET Framework with Windows paths: the file name only', () => {
    expect(dotnetFramework(12), {
      exceptionType: 'System.NullReferenceException',
      firstStackFrame: 'Acme.Orders.OrderValidator.Validate(OrderValidator.cs)',
    });
  });

  test('no source info (no pdb): parameters dropped, empty file; System frames skipped', () => {
    expect(dotnetUnhandledNoPdb, {
      exceptionType: 'System.Collections.Generic.KeyNotFoundException',
      firstStackFrame: 'Acme.Tenancy.TenantRegistry.Resolve()',
    });
  });

  test('inner exception on the header line (.NET Framework style)', () => {
    const trace = `System.ApplicationException: Import failed ---> System.FormatException: Input string was not in a correct format.
   at System.Number.ParseInt32(String s, NumberStyles style, NumberFormatInfo info)
   at Acme.Import.RowReader.ReadQuantity(String cell) in D:\\src\\Import\\RowReader.cs:line 19
   --- End of inner exception stack trace ---
   at Acme.Import.Importer.Run(String path) in D:\\src\\Import\\Importer.cs:line 44`;
    expect(trace, { exceptionType: 'System.FormatException', firstStackFrame: 'Acme.Import.RowReader.ReadQuantity(RowReader.cs)' });
  });
});

describe('parseStackTrace: the frame does not depend on the build', () => {
  const variants: Array<[string, string, string]> = [
    ['Java line numbers', javaSpringTimeout(88), javaSpringTimeout(97)],
    ['Python line numbers', pythonChained(88), pythonChained(104)],
    ['Node.js line and column', nodeAsyncFirst(12, 18), nodeAsyncFirst(51, 3)],
    ['Go line and offset', goNilPointer(88, '0x3a'), goNilPointer(93, '0x5f')],
    ['.NET line numbers', dotnetNested(57), dotnetNested(71)],
    ['.NET build agent folder', dotnetFramework(12), dotnetFramework(31)],
  ];
  for (const [what, one, other] of variants) {
    test(what, () => {
      assert.notEqual(one, other);
      const parsed = parseStackTrace(one);
      assert.notEqual(parsed.firstStackFrame, null);
      assert.deepEqual(parseStackTrace(other), parsed);
      assert.doesNotMatch(parsed.firstStackFrame!, /\d{2,}|0x/, 'no line numbers or offsets');
    });
  }
});

describe('parseStackTrace: formats do not capture each other', () => {
  test('a Java message line starting with "panic: " keeps the trace Java', () => {
    const trace = 'java.lang.IllegalStateException: worker crashed\npanic: runtime error: index out of range\n\tat com.acme.Worker.run(Worker.java:12)';
    expect(trace, { exceptionType: 'java.lang.IllegalStateException', firstStackFrame: 'com.acme.Worker.run(Worker.java)' });
  });

  test('a Node.js error quoting a Python traceback header stays Node.js', () => {
    const trace = 'Error: child failed: Traceback (most recent call last):\n    at ChildProcess.exithandler (node:child_process:422:12)';
    expect(trace, { exceptionType: 'Error', firstStackFrame: 'ChildProcess.exithandler(node:child_process)' });
  });
});

describe('parseStackTrace: unrecognised input', () => {
  for (const input of [null, undefined, '', '   \n\t', 'java.lang.IllegalStateException: no frames', 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'the job ran at 10:15 and failed', 'Traceback (most recent\ncall last):']) {
    test(JSON.stringify(input), () => {
      expect(input as string, { exceptionType: null, firstStackFrame: null });
    });
  }

  test('a non-string (untyped callers) gives nulls', () => {
    expect(42 as unknown as string, { exceptionType: null, firstStackFrame: null });
  });
});

describe('parseStackTrace: hostile input', () => {
  const random = seededRandom;

  // Pieces of every format, so random strings get deep into every parser, plus noise and odd Unicode.
  const PIECES = [
    'at ', '\tat ', '    at async ', '(', ')', ' (', ') in ', ':line ', ':', '::', '.', '/', '\\', '\n', '\r\n', '\r', '\t', ' ',
    'Traceback (most recent call last):', '  File "', '", line ', ', in ', 'panic: ', 'runtime error: ', 'fatal error: ',
    'goroutine 1 [running]:', 'created by ', ' +0x1d', '--- End of inner exception stack trace ---', ' ---> ',
    'Caused by: ', 'Exception in thread "main" ', 'Unhandled exception. ', 'java.lang.Error', 'Foo.java', 'Native Method',
    '<anonymous>', 'index 3', 'eval at ', ' ~[a.jar:1]', ']', '[', '"', '42', '0x7f', 'Error', 'a', 'Z', '_', '$', '`',
    'é', '💥', '\ud800', '\udfff', '\u0000', '\u2028',
  ];

  test('random traces never throw and give strings or nulls', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const next = random(seed);
      const length = Math.floor(next() * 80);
      let trace = '';
      for (let i = 0; i < length; i++) trace += PIECES[Math.floor(next() * PIECES.length)];
      let result: StackTraceSummary;
      try {
        result = parseStackTrace(trace);
      } catch (err) {
        assert.fail(`seed ${seed} threw ${String(err)} on ${JSON.stringify(trace)}`);
      }
      for (const value of [result.exceptionType, result.firstStackFrame]) {
        assert.ok(value === null || typeof value === 'string', `seed ${seed}: ${JSON.stringify(result)}`);
      }
    }
  });

  test('truncated and spliced real traces never throw', () => {
    const traces = [javaSpringTimeout(), pythonChained(), nodeCodedError, goFatalError, dotnetNested()];
    const next = random(7);
    for (let i = 0; i < 2000; i++) {
      const a = traces[Math.floor(next() * traces.length)];
      const b = traces[Math.floor(next() * traces.length)];
      const spliced = a.slice(0, Math.floor(next() * a.length)) + b.slice(Math.floor(next() * b.length));
      assert.doesNotThrow(() => parseStackTrace(spliced), JSON.stringify(spliced));
    }
  });

  test('100,000-character adversarial traces are parsed in linear time', () => {
    const size = 100_000;
    const adversarial = [
      'at ' + '('.repeat(size),
      'at a' + ' ('.repeat(size / 2) + ')',
      'at ' + ':1'.repeat(size / 2),
      '\tat ' + 'a.'.repeat(size / 2) + '(' + 'b.'.repeat(size / 4) + ')',
      'at x(' + ') in '.repeat(size / 5),
      'at x ' + '[ '.repeat(size / 2) + ']',
      'Traceback (most recent call last):\n' + '  File "'.repeat(size / 8),
      'goroutine 1 [running]:\n' + 'f('.repeat(size / 2) + ')\n\t' + ':1'.repeat(size / 2),
      'java.lang.Error\n' + '\tat a.b(C.java:1)\n'.repeat(size / 18),
      'x'.repeat(size),
      '\n'.repeat(size),
    ];
    for (const trace of adversarial) {
      const started = performance.now();
      parseStackTrace(trace);
      const elapsed = performance.now() - started;
      // Linear parsing takes a few milliseconds; a quadratic one takes seconds.
      assert.ok(elapsed < 500, `${elapsed.toFixed(0)} ms on ${JSON.stringify(trace.slice(0, 40))}…`);
    }
  });
});
