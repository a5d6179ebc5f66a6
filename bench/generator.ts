/**
 * Realistic multi-tenant log traffic for benchmarks: 1,000 message templates across services,
 * variable parts (ids, numbers, IPs, UUIDs), 30 % of templates errors carrying stack traces of
 * five runtimes. Template popularity follows a Zipf law (exponent 1.1), as measured log template
 * frequencies do: a few templates carry most lines, a long tail is rare. Every template occurs.
 */
import { randomUUID } from 'node:crypto';
import { seededRandom } from '../test/support/seeded-random.js';

const SERVICES = ['payment', 'checkout', 'inventory', 'auth', 'search', 'shipping', 'catalog', 'billing', 'gateway', 'notifier'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging'];
const ACTIONS = ['fetch', 'update', 'create', 'delete', 'sync', 'validate', 'render', 'publish', 'refresh', 'merge'];
const OBJECTS = ['order', 'cart', 'user', 'session', 'invoice', 'shipment', 'token', 'product', 'price', 'coupon'];
const OUTCOMES = ['completed', 'timed out', 'was retried', 'failed validation', 'hit the cache', 'was throttled', 'took the slow path', 'was skipped', 'succeeded', 'was queued'];

const TRACES: Array<(v: number) => string> = [
  (v) =>
    `java.lang.IllegalStateException: pool exhausted\n\tat com.acme.db.Pool.acquire(Pool.java:${100 + v})\n\tat com.acme.repo.OrderRepository.find(OrderRepository.java:${40 + v})\n\tat com.acme.api.OrderController.get(OrderController.java:77)`,
  (v) =>
    `Traceback (most recent call last):\n  File "/srv/app/handlers.py", line ${20 + v}, in handle\n    result = service.charge(order)\n  File "/srv/app/service.py", line ${88 + v}, in charge\n    raise PaymentDeclined(order.id)\napp.errors.PaymentDeclined: order declined`,
  (v) =>
    `TypeError: Cannot read properties of undefined (reading 'id')\n    at renderCart (/app/src/cart.js:${12 + v}:19)\n    at async handler (/app/src/routes.js:44:5)`,
  (v) =>
    `panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.lookup(...)\n\t/app/lookup.go:${30 + v} +0x1d\nmain.main()\n\t/app/main.go:12 +0x25`,
  (v) =>
    `System.NullReferenceException: Object reference not set to an instance of an object.\n   at Acme.Billing.InvoiceService.Total() in /src/InvoiceService.cs:line ${50 + v}\n   at Acme.Billing.Api.Get() in /src/Api.cs:line 21`,
];

/** 1,000 templates: service × action × object × outcome combinations, fixed per index. */
export const TEMPLATE_COUNT = 1000;

function template(index: number): { service: string; text: (n: number) => string; trace?: (v: number) => string } {
  const service = SERVICES[index % SERVICES.length];
  const action = ACTIONS[Math.floor(index / 10) % 10];
  const object = OBJECTS[Math.floor(index / 100) % 10];
  const outcome = OUTCOMES[(index * 7) % 10];
  return {
    service,
    text: (n) => `${action} ${object} ${n} for client 10.${n % 256}.${(n >> 8) % 256}.7 ${outcome} after ${n % 5000}ms (request ${randomUUID()})`,
    trace: index % 10 < 3 ? TRACES[index % TRACES.length] : undefined,
  };
}

const TEMPLATES = Array.from({ length: TEMPLATE_COUNT }, (_, i) => template(i));

/** Cumulative Zipf(1.1) weights over template ranks; ranks are shuffled over templates. */
const ZIPF_EXPONENT = 1.1;
const CUMULATIVE: number[] = (() => {
  const weights = Array.from({ length: TEMPLATE_COUNT }, (_, rank) => 1 / (rank + 1) ** ZIPF_EXPONENT);
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();


function rankOf(u: number): number {
  let lo = 0;
  let hi = TEMPLATE_COUNT - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (CUMULATIVE[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface GeneratedLog {
  serviceName: string;
  environment: string;
  level: string;
  message: string;
  trace?: string;
  timestamp: string;
}

export class LogGenerator {
  readonly tenants: string[];
  private n = 0;
  private readonly uniform = seededRandom(42);

  constructor(tenantCount = 20) {
    this.tenants = Array.from({ length: tenantCount }, () => randomUUID());
  }

  /** The next log; 30 % of templates are errors with a trace. */
  next(): GeneratedLog {
    const i = this.n++;
    // Ranks map to templates through a fixed permutation, so hot templates span services.
    const t = TEMPLATES[(rankOf(this.uniform()) * 7919) % TEMPLATE_COUNT];
    const log: GeneratedLog = {
      serviceName: t.service,
      environment: ENVIRONMENTS[i % ENVIRONMENTS.length],
      level: t.trace ? 'ERROR' : ['INFO', 'DEBUG', 'WARN', 'info'][i % 4],
      message: t.text(i),
      timestamp: new Date().toISOString(),
    };
    if (t.trace) log.trace = t.trace(i % 3);
    return log;
  }

  tenant(i: number): string {
    return this.tenants[i % this.tenants.length];
  }
}
