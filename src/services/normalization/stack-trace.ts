/**
 * Stack traces → the exception type and the frame that raised it. Both go into the fingerprint, so one
 * failure groups into one incident however its message is worded, and two failures sharing a message
 * (a generic "request failed") do not. Both are a pure function of the trace's text: the same trace
 * gives the same pair in any process, in any order, after any restart. The rules below are part of the
 * fingerprint; changing one regroups the incidents it touches.
 *
 * Which exception: the ROOT CAUSE of a wrapped/caused-by chain, i.e. what actually failed, not the
 * wrapper that a framework or the app put around it (the wrapper's type says which layer logged it):
 *  - Java: the last top-level `Caused by:` (a `Suppressed:` block and its own causes are not the
 *    chain); with root-cause-first output (`%rEx`: the root, then `Wrapped by:`), the header;
 *  - .NET: the innermost, after the last ` ---> ` of the header (AggregateException: its first inner
 *    exception, the one printed with ` ---> `; the `(Inner Exception #N)` siblings are not followed);
 *  - Python: the first traceback's exception: a chain ("The above exception was the direct cause…",
 *    "During handling of the above exception…") is printed oldest first; an exception group is the
 *    exception, its sub-exceptions are not followed;
 *  - Node.js: the deepest `[cause]:` (or `cause:`) that is an error, as util.inspect prints it;
 *    AggregateError is the exception, its `[errors]` (siblings, in an order that can vary) are not followed;
 *  - Go: the first panic (a re-panic prints `panic: A [recovered]` before `panic: B`); no chains;
 *  - Ruby: the last exception printed: the interpreter (Ruby ≥ 3.1) prints an exception's cause after
 *    it, then the cause's cause; Rails ≥ 7.1 logs an `Information for cause:` block per cause, deepest last;
 *  - PHP: the first exception of a `Next …` chain (Throwable::__toString prints the innermost first);
 *    in Monolog's format, the last `[previous exception]`.
 *
 * Which frame: the first IN-APP frame of the root cause, i.e. where it was raised in the application's
 * code, skipping the frames of the runtime, the standard library, well-known libraries and code generated
 * at run time (Sentry's in-app rule). The library list is one table, LIBRARY_FRAMES (stack-trace/in-app.ts):
 * Java and .NET by qualified name (`java.`, `org.springframework.`, `io.netty.`, `$$Lambda`, `CGLIB$$`…;
 * `System.`, `Microsoft.`, `Npgsql.`…), Go by package (the standard library) and file (module cache,
 * vendor), Node.js, Python, Ruby and PHP by file (`node_modules/`, `node:`…; `site-packages`, the
 * stdlib, `<frozen …>`; `/gems/`, `lib/ruby/3.x.0/`, `<internal:`, core methods by owner; `vendor/`,
 * `[internal function]`). Then:
 *  - frames are taken innermost first (Python prints them the other way round: its innermost in-app frame);
 *  - when the root cause has no in-app frame (a driver's exception, all driver frames), the first
 *    in-app frame of the exception wrapping it, then of the one wrapping that…: the root cause's frames
 *    stop where it was caught, or Java leaves the shared ones out (`... N more`), and the app's call into
 *    the failing library is printed with the wrapper;
 *  - when no frame of the chain is in-app, the root cause's first frame (as before in-app rules), or the
 *    first frame of the nearest wrapper with frames when the root cause has none. Go: the first frame
 *    that is not the runtime's panic machinery (`panic(…)`, `runtime.*`), else the first.
 *  - .NET prints each inner exception's frames before `--- End of inner exception stack trace ---`, the
 *    innermost's first; Go's frames are the first goroutine's (the one that panicked), up to `created by`.
 *
 * Frame format, every language: `function(file)`: `com.acme.payment.GatewayClient.charge(GatewayClient.java)`,
 * `Acme.Payments.GatewayClient.ChargeAsync(GatewayClient.cs)`, `charge(gateway.py)`,
 * `OrderService.checkout(service.js)`, `main.(*Client).Charge(client.go)`, `Order#total(order.rb)` (the
 * label as Ruby prints it: `total` before 3.4, `block in Order#total`…), `App\Payment\Gateway->charge(Gateway.php)`
 * (`Class::method`, `function`, `{closure}`, `{main}`; paired with the file its code is in, not the one
 * calling it). Dropped, because they change between builds, deploys, hosts and runs and must not split
 * incidents: line and column numbers, memory offsets and addresses (`+0x3a`, `fp=0x…`, a lambda's
 * `/0x…`), argument values (Go, PHP) and parameter lists (.NET), Java module and class-loader prefixes
 * (`java.base@21/`), logback's jar versions, async markers, the file's directory (`/build/17/`,
 * `python3.11` vs `python3.12`, `/gems/rack-3.0.8/`), the numbers of generated names (`$$Lambda$14`,
 * `$Proxy123`, `GeneratedMethodAccessor42`, CGLIB/Hibernate proxy suffixes, Java lambda ordinals,
 * .NET's `<M>d__5`/`<>c__DisplayClass3_0`/`b__0` ordinals, the async state machine becoming its method)
 * and PHP 8.4's closure locations. The function name qualifies the code (Java, .NET, Go, PHP, Ruby ≥ 3.4)
 * or, with the file name, identifies it well enough (Python, Node.js, older Ruby). Kept as printed
 * when there is no file: `(Native Method)`, `(Unknown Source)`, `(<anonymous>)`, `([internal function])`, `()`.
 *
 * exceptionType, the root cause's:
 *  - Java: the qualified class name (`Exception in thread "main" ` allowed before the header);
 *  - .NET: the qualified type name (`Unhandled exception. ` allowed before the header);
 *  - Python: the name before the colon of the exception line, as printed (`KeyError`, `requests.exceptions.ConnectTimeout`);
 *  - Node.js: the error's name, with the code when Node prints one (`TypeError [ERR_INVALID_ARG_TYPE]`);
 *  - Go: `runtime.Error` for `panic: runtime error: …` and `panic: interface conversion: …` (runtime panics,
 *    all implementing the runtime.Error interface), `fatal error` for the runtime's unrecoverable
 *    `fatal error: …`, otherwise `panic` (Go does not print the type of a panic's value);
 *  - Ruby: the class (`NoMethodError`, `ActiveRecord::RecordNotFound`);
 *  - PHP: the class with its namespace (`Illuminate\Database\QueryException`), Monolog's JSON escaping undone.
 *
 * A recognised trace without a header or without frames gives a null for what is missing; anything that
 * is not a trace (empty, trace context such as a trace id, free text) gives nulls. Never throws; every
 * scan is linear in the trace's length (traces reach 100,000 characters).
 */
export { LIBRARY_FRAMES, parseStackTrace, type StackTraceSummary } from './stack-trace/index.js';
