/** Realistic test traffic: the seed's golden-path error, Java traces per pod version, and noise. */
import { randomUUID } from 'node:crypto';
import type { NormalizedLogEvent, RawLogEvent } from '../../src/contracts/types.js';

export const GOLDEN_MESSAGE = 'Connection timeout to payment-gateway after 30000ms';

/** A Java trace as pod `pod` (running build `version`) logs it: line numbers differ per build. */
export function paymentTrace(version: number): string {
  return [
    'java.net.SocketTimeoutException: Connect timed out',
    `\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:${546 + version})`,
    `\tat com.acme.payment.gateway.GatewayClient.charge(GatewayClient.java:${88 + version})`,
    `\tat com.acme.payment.PaymentService.pay(PaymentService.java:${42 + version})`,
    '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
  ].join('\n');
}

export function goldenPathLog(pod: number, at: Date) {
  return {
    serviceName: 'payment-service',
    environment: 'production',
    level: 'ERROR',
    message: GOLDEN_MESSAGE,
    trace: paymentTrace(pod),
    timestamp: at.toISOString(),
  };
}

const SERVICES = ['checkout', 'inventory', 'auth', 'search', 'shipping'];
const VERBS = ['loaded', 'refreshed', 'evicted', 'validated', 'scheduled', 'published'];
const NOUNS = ['cart', 'catalog', 'session', 'token', 'route', 'invoice'];

/**
 * Noise that never crosses the threshold: `templates` distinct templates (differing in words,
 * not numbers), each logged `perTemplate` times with different numbers.
 */
export function noiseLogs(templates: number, perTemplate: number, at: Date) {
  const logs = [];
  for (let t = 0; t < templates; t++) {
    const service = SERVICES[t % SERVICES.length];
    const text = `${NOUNS[t % NOUNS.length]} ${VERBS[Math.floor(t / NOUNS.length) % VERBS.length]} by worker-pool ${'abcdefghijklmnopqrstuvwxyz'[t % 26]}${'abcdefghijklmnopqrstuvwxyz'[Math.floor(t / 26) % 26]}`;
    for (let i = 0; i < perTemplate; i++) {
      logs.push({
        serviceName: service,
        environment: 'production',
        level: ['INFO', 'DEBUG', 'WARN', 'info'][i % 4],
        message: `${text} in ${10 + i * 7} ms (batch ${t * 100 + i})`,
        timestamp: at.toISOString(),
      });
    }
  }
  return logs;
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A raw payment-service log as the gateway publishes it, received now. */
export function rawPaymentLog(tenantId: string, message: string, level = 'ERROR'): RawLogEvent {
  return {
    eventId: randomUUID(),
    tenantId,
    serviceName: 'payment-service',
    environment: 'production',
    receivedAt: new Date().toISOString(),
    level,
    message,
  };
}

/** A normalized payment timeout as normalization publishes it: the `i`-th, `i` ms after `startMs`. */
export function normalizedPaymentLog(tenantId: string, i: number, startMs = Date.UTC(2026, 11, 4, 10, 0, 0)): NormalizedLogEvent {
  return {
    eventId: randomUUID(),
    tenantId,
    serviceName: 'payment-service',
    environment: 'production',
    timestamp: new Date(startMs + i).toISOString(),
    level: 'ERROR',
    message: `Connection timeout to payment-gateway after ${i}ms`,
    messageTemplate: 'Connection timeout to payment-gateway after <number>ms',
    fingerprint: 'f'.repeat(64),
    schemaVersion: 'v1',
  };
}
