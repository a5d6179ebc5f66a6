import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { fingerprint } from '../../../src/services/normalization/fingerprint.js';
import { parseStackTrace } from '../../../src/services/normalization/stack-trace.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const SERVICE = 'payment-service';
const TEMPLATE = 'Connection timeout to payment-gateway after <number>ms';
const TYPE = 'java.net.SocketTimeoutException';
const FRAME = 'com.acme.payment.GatewayClient.charge(GatewayClient.java)';

/** The golden-path trace, as two builds print it: only line numbers differ. */
const trace = (offset: number) => `java.net.SocketTimeoutException: Connect timed out
	at com.acme.payment.GatewayClient.charge(GatewayClient.java:${88 + offset})
	at com.acme.payment.PaymentService.pay(PaymentService.java:${42 + offset})`;

function fingerprintOfTrace(service: string, template: string, stackTrace: string): string {
  const { exceptionType, firstStackFrame } = parseStackTrace(stackTrace);
  return fingerprint(service, template, exceptionType, firstStackFrame);
}

describe('fingerprint', () => {
  test('is SHA-256 hex of service|template|type|frame', () => {
    const expected = sha256(`${SERVICE}|${TEMPLATE}|${TYPE}|${FRAME}`);
    assert.equal(fingerprint(SERVICE, TEMPLATE, TYPE, FRAME), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
  });

  test('known answers, computed outside Node (`printf %s "…" | sha256sum`)', () => {
    assert.equal(fingerprint('checkout', 'order placed', null, null), 'bc9bc805fa760acc02eb446273ba65ab4b8aa9f0838d8ad0289c3ce7273d995c');
    assert.equal(fingerprint(SERVICE, TEMPLATE, TYPE, FRAME), '49fac5a0880af05da1a0e106f6b79cf447ef79b07b347e6c26f4c25ff0e008d2');
  });

  test('nulls and undefined count as empty strings', () => {
    const empty = sha256(`${SERVICE}|${TEMPLATE}||`);
    assert.equal(fingerprint(SERVICE, TEMPLATE, null, null), empty);
    assert.equal(fingerprint(SERVICE, TEMPLATE, undefined, undefined), empty);
    assert.equal(fingerprint(SERVICE, TEMPLATE, '', ''), empty);
  });

  test('same input, same hash', () => {
    assert.equal(fingerprint(SERVICE, TEMPLATE, TYPE, FRAME), fingerprint(SERVICE, TEMPLATE, TYPE, FRAME));
  });

  test('different line numbers in the trace: same fingerprint', () => {
    assert.notEqual(trace(0), trace(7));
    assert.equal(fingerprintOfTrace(SERVICE, TEMPLATE, trace(0)), fingerprintOfTrace(SERVICE, TEMPLATE, trace(7)));
    assert.equal(fingerprintOfTrace(SERVICE, TEMPLATE, trace(0)), fingerprint(SERVICE, TEMPLATE, TYPE, FRAME));
  });

  test('each part changes the fingerprint', () => {
    const base = fingerprint(SERVICE, TEMPLATE, TYPE, FRAME);
    assert.notEqual(fingerprint('checkout-service', TEMPLATE, TYPE, FRAME), base);
    assert.notEqual(fingerprint(SERVICE, 'Connection refused by payment-gateway', TYPE, FRAME), base);
    assert.notEqual(fingerprint(SERVICE, TEMPLATE, 'java.net.ConnectException', FRAME), base);
    assert.notEqual(fingerprint(SERVICE, TEMPLATE, TYPE, 'com.acme.payment.GatewayClient.refund(GatewayClient.java)'), base);
    assert.notEqual(fingerprint(SERVICE, TEMPLATE, null, null), base);
  });

  test('non-ASCII text is hashed as UTF-8', () => {
    assert.equal(fingerprint('zahlung', 'Zeitüberschreitung 💥', null, null), sha256('zahlung|Zeitüberschreitung 💥||'));
  });
});
