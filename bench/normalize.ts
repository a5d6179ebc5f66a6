/**
 * Throughput of normalizeLog on one core, on a realistic mix: 80–200 character messages carrying ids,
 * addresses and quantities, 30% of them with a multi-frame stack trace (Java, Python, Node.js, Go, .NET).
 * Also reports messageTemplate alone on the same messages, the hot path's target being ≥ 300,000/s.
 *
 *   npx tsc -p . && node dist/bench/normalize.js [events=200000] [rounds=5]
 */
import { randomUUID } from 'node:crypto';
import type { RawLogEvent } from '../src/contracts/types.js';
import { normalizeLog } from '../src/services/normalization/normalize.js';
import { messageTemplate } from '../src/services/normalization/template.js';
import { seededRandom } from '../test/support/seeded-random.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const TRACE_SHARE = 0.3;

const random = seededRandom(42);
const int = (max: number) => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const ipv4 = () => `10.${int(256)}.${int(256)}.${int(256)}`;

const MESSAGES: ReadonlyArray<() => string> = [
  () => `Connection timeout to payment-gateway after ${pick([5000, 10000, 30000])}ms while charging order ${randomUUID()}`,
  () => `GET /api/v1/orders/${randomUUID()} completed with status ${pick([200, 201, 404, 500])} in ${int(900)}ms from ${ipv4()}`,
  () => `User ${int(1e6)} logged in successfully from ${ipv4()}:${1024 + int(60000)} using session ${randomUUID()}`,
  () => `cache refreshed: ${int(5000)} entries loaded, ${int(100)} evicted, hit ratio ${random().toFixed(4)}, took ${(random() * 20).toFixed(1)}s`,
  () => `Failed to process message from partition ${int(12)} at offset ${int(1e7)}: deserialization error in field amount`,
  () => `Retrying request to inventory-service (attempt ${1 + int(5)} of 5) after backoff of ${int(2000)}ms; last error: ECONNRESET`,
  () => `Slow query detected: SELECT * FROM orders WHERE customer_id = $1 took ${1000 + int(5000)}ms (threshold 1000ms)`,
  () => `Health check passed for all upstream dependencies: postgres, redis, kafka-broker-1, kafka-broker-2 in ${int(50)}ms`,
  () => `JVM heap usage at ${(50 + random() * 50).toFixed(1)}% (${int(4096)}MB of 4096MB), GC pause ${int(300)}ms, young collections ${int(1e5)}`,
  () => `Upstream [2001:db8::${int(0xffff).toString(16)}]:8443 returned 503 Service Unavailable for tenant ${randomUUID()}`,
];

const TRACES: ReadonlyArray<() => string> = [
  () => `java.net.SocketTimeoutException: Connect timed out
	at java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:${500 + int(99)})
	at java.base/java.net.Socket.connect(Socket.java:751)
	at com.acme.payment.gateway.GatewayClient.charge(GatewayClient.java:${80 + int(20)})
	at com.acme.payment.PaymentService.pay(PaymentService.java:42)
	at com.acme.payment.PaymentController.pay(PaymentController.java:31)
	at org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)
	at jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658)
	at org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)
	... 42 common frames omitted
Caused by: java.io.IOException: Connection reset by peer
	at java.base/sun.nio.ch.SocketDispatcher.read0(Native Method)
	at java.base/sun.nio.ch.NioSocketImpl.read(NioSocketImpl.java:${300 + int(50)})
	... 12 more`,
  () => `Traceback (most recent call last):
  File "/srv/app/payments/service.py", line ${30 + int(20)}, in pay
    self.gateway.charge(order.total)
  File "/srv/app/payments/gateway.py", line ${80 + int(20)}, in charge
    response = self._session.post(url, json=payload, timeout=self._timeout)
  File "/usr/local/lib/python3.12/site-packages/requests/sessions.py", line 637, in post
    return self.request("POST", url, data=data, json=json, **kwargs)
  File "/usr/local/lib/python3.12/site-packages/requests/adapters.py", line 532, in send
    raise ConnectTimeout(e, request=request)
requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='gateway.acme.io', port=443): Max retries exceeded`,
  () => `TypeError: Cannot read properties of undefined (reading 'amount')
    at calculateTotal (/app/src/orders/pricing.js:${20 + int(10)}:${1 + int(40)})
    at Array.reduce (<anonymous>)
    at OrderService.checkout (/app/src/orders/service.js:58:24)
    at async CheckoutController.post (/app/src/http/checkout.js:19:20)
    at async /app/node_modules/express-async-handler/index.js:3:12`,
  () => `panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x6d1c3a]

goroutine ${1 + int(500)} [running]:
github.com/acme/payments/internal/gateway.(*Client).Charge(0x0, {0x8a5e40, 0xc0001a2000}, 0xc00012e0f0)
	/build/internal/gateway/client.go:${80 + int(20)} +0x${int(0xfff).toString(16)}
github.com/acme/payments/internal/service.(*PaymentService).Pay(0xc000118080, {0x8a5e40, 0xc0001a2000}, 0xc00012e0f0)
	/build/internal/service/payment.go:42 +0x1c5
net/http.HandlerFunc.ServeHTTP(0xc000120000, {0x8a9a30, 0xc0001c4000}, 0xc0001b8000)
	/usr/local/go/src/net/http/server.go:2166 +0x29
created by net/http.(*Server).Serve in goroutine 1
	/usr/local/go/src/net/http/server.go:3285 +0x4b4`,
  () => `System.InvalidOperationException: Charging the payment gateway failed.
 ---> System.Net.Http.HttpRequestException: Connection refused (gateway.acme.io:443)
   at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync(String host, Int32 port, HttpRequestMessage initialRequest, Boolean async, CancellationToken cancellationToken)
   at Acme.Payments.Gateway.GatewayClient.ChargeAsync(ChargeRequest request, CancellationToken ct) in /src/Acme.Payments/Gateway/GatewayClient.cs:line ${50 + int(10)}
   --- End of inner exception stack trace ---
   at Acme.Payments.Gateway.GatewayClient.ChargeAsync(ChargeRequest request, CancellationToken ct) in /src/Acme.Payments/Gateway/GatewayClient.cs:line ${60 + int(10)}
   at Acme.Payments.PaymentService.PayAsync(Order order, CancellationToken ct) in /src/Acme.Payments/PaymentService.cs:line 31
   at Acme.Api.Controllers.CheckoutController.Post(CheckoutRequest request) in /src/Acme.Api/Controllers/CheckoutController.cs:line 24`,
];

const SERVICES = ['payment-service', 'checkout', 'inventory', 'auth', 'search'];
const LEVELS = ['ERROR', 'error', 'WARN', 'info', 'INFO', 'debug', ''];
const TENANT = randomUUID();

function rawEvent(withTrace: boolean): RawLogEvent {
  const receivedAt = new Date(Date.UTC(2026, 10, 23, 10, 15, 30) + int(3_600_000)).toISOString();
  const event: RawLogEvent = {
    eventId: randomUUID(),
    tenantId: TENANT,
    serviceName: pick(SERVICES),
    environment: 'production',
    receivedAt,
    logTimestamp: random() < 0.8 ? receivedAt : null,
    level: withTrace ? 'ERROR' : pick(LEVELS),
    message: pick(MESSAGES)(),
  };
  if (withTrace) event.trace = pick(TRACES)();
  return event;
}

function measure(label: string, count: number, run: () => number): void {
  run(); // warm-up: let V8 optimize before timing
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const checksum = run();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (checksum === 0) throw new Error('nothing computed');
    rates.push(count / seconds);
  }
  rates.sort((a, b) => a - b);
  const format = (rate: number) => Math.round(rate).toLocaleString('en-US');
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`${label.padEnd(16)} ${format(median).padStart(11)} messages/s (median of ${ROUNDS} rounds; min ${format(rates[0])}, max ${format(rates[rates.length - 1])})`);
}

const events = Array.from({ length: EVENTS }, (_, i) => rawEvent(i % 10 < TRACE_SHARE * 10));
const messages = events.map((e) => e.message);
const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
const traces = events.flatMap((e) => (e.trace ? [e.trace.length] : []));

console.log(
  `${EVENTS.toLocaleString('en-US')} events, ${Math.round((traces.length / EVENTS) * 100)}% with stack traces; ` +
    `mean message ${mean(messages.map((m) => m.length))} chars, mean trace ${mean(traces)} chars; node ${process.version}`,
);
measure('normalizeLog', EVENTS, () => {
  let checksum = 0;
  for (const event of events) checksum += normalizeLog(event).fingerprint.length;
  return checksum;
});
measure('messageTemplate', EVENTS, () => {
  let checksum = 0;
  for (const message of messages) checksum += messageTemplate(message).length;
  return checksum;
});
