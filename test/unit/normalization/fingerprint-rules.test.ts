import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RawLogEvent } from '../../../src/contracts/types.js';
import { fingerprint } from '../../../src/services/normalization/fingerprint.js';
import { FingerprintRules, FingerprintRulesError, globToRegExp, type LogFacts } from '../../../src/services/normalization/fingerprint-rules.js';
import { normalizeLog } from '../../../src/services/normalization/normalize.js';

const ACME = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const OTHER = '0f8fad5b-d9cb-469f-a165-70867728950e';

function facts(overrides: Partial<LogFacts> = {}): LogFacts {
  return {
    tenantId: ACME,
    serviceName: 'payment-service',
    environment: 'production',
    level: 'ERROR',
    message: 'Connection to gateway timed out after 30000ms',
    messageTemplate: 'Connection to gateway timed out after <number>ms',
    exceptionType: null,
    firstStackFrame: null,
    ...overrides,
  };
}

function raw(overrides: Partial<RawLogEvent> = {}): RawLogEvent {
  return {
    eventId: '0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70',
    tenantId: ACME,
    serviceName: 'checkout',
    environment: 'production',
    receivedAt: '2026-11-23T10:00:00.000Z',
    level: 'error',
    message: 'cart-abcdef could not be priced',
    ...overrides,
  };
}

const RULES = `
tenants:
  ${ACME}:
    - name: payment timeouts
      match: { service: 'payment-*', message: '*timed out*' }
      fingerprint: payment-gateway-timeout
    - name: carts
      match: { service: checkout }
      masks: [{ pattern: 'cart-[a-z]{6,}', replacement: '<cart>' }]
allTenants:
  - name: noisy health checks
    match: { level: warn, messageTemplate: 'health check *' }
    fingerprint: health-checks
  - name: order ids
    masks: [{ pattern: 'ord_[A-Za-z0-9]+', replacement: '<order>' }]
`;

describe('globs', () => {
  test('* is any run, ? one character, everything else literal, whole value', () => {
    const glob = globToRegExp('pay*.svc?(v1)[x]');
    assert.ok(glob.test('payment.svc1(v1)[x]'));
    assert.ok(glob.test('pay.svcA(v1)[x]'));
    assert.ok(!glob.test('paymentXsvc1(v1)[x]'), '. is literal');
    assert.ok(!glob.test('xpay.svc1(v1)[x]'), 'anchored at the start');
    assert.ok(!glob.test('pay.svc1(v1)[x]y'), 'anchored at the end');
    assert.ok(globToRegExp('a*b').test('a\nline\nb'), '* spans lines');
    assert.ok(globToRegExp('error', true).test('ERROR'));
  });
});

describe('applying rules', () => {
  const rules = FingerprintRules.parse(RULES);

  test('a rule with a fingerprint fixes it and stops; its masks and earlier ones still apply', () => {
    const outcome = rules.apply(facts());
    assert.deepEqual(outcome, {
      messageTemplate: 'Connection to gateway timed out after <number>ms',
      fixedFingerprint: 'payment-gateway-timeout',
      applied: ['payment timeouts'],
    });
  });

  test('masks of every matching rule apply in order: the tenant’s, then allTenants’', () => {
    const outcome = rules.apply(facts({ serviceName: 'checkout', messageTemplate: 'cart-abcdef for ord_X1y2 failed' }));
    assert.deepEqual(outcome, { messageTemplate: '<cart> for <order> failed', fixedFingerprint: null, applied: ['carts', 'order ids'] });
  });

  test('another tenant gets only the allTenants rules', () => {
    const outcome = rules.apply(facts({ tenantId: OTHER, serviceName: 'checkout', messageTemplate: 'cart-abcdef for ord_X1y2 failed' }));
    assert.deepEqual(outcome, { messageTemplate: 'cart-abcdef for <order> failed', fixedFingerprint: null, applied: ['order ids'] });
    assert.equal(rules.apply(facts({ tenantId: OTHER })).fixedFingerprint, null, 'ACME’s payment rule is ACME’s');
  });

  test('level matches case-insensitively; a condition on a field the log lacks never matches', () => {
    assert.equal(rules.apply(facts({ tenantId: OTHER, level: 'WARN', messageTemplate: 'health check failed' })).fixedFingerprint, 'health-checks');
    const onFrame = FingerprintRules.parse(`allTenants: [{ match: { firstStackFrame: '*' }, fingerprint: x }]`);
    assert.equal(onFrame.apply(facts()).fixedFingerprint, null);
    assert.equal(onFrame.apply(facts({ firstStackFrame: 'a.B.c(B.java)' })).fixedFingerprint, 'x');
  });

  test('tenant ids match whatever their case in the file', () => {
    const upper = FingerprintRules.parse(`tenants: { ${ACME.toUpperCase()}: [{ fingerprint: all }] }`);
    assert.equal(upper.apply(facts()).fixedFingerprint, 'all');
  });
});

describe('normalizeLog with rules', () => {
  const rules = FingerprintRules.parse(RULES);

  test('masks change the published template and the fingerprint with it', () => {
    const a = normalizeLog(raw(), rules);
    const b = normalizeLog(raw({ message: 'cart-qwerty could not be priced' }), rules);
    assert.equal(a.messageTemplate, '<cart> could not be priced');
    assert.equal(a.fingerprint, b.fingerprint);
    assert.equal(a.fingerprint, fingerprint('checkout', '<cart> could not be priced', null, null));
    assert.notEqual(normalizeLog(raw()).fingerprint, a.fingerprint, 'without rules the carts differ');
  });

  test('a fixed fingerprint groups different messages and traces of the service together, and only of that service', () => {
    const one = normalizeLog(raw({ serviceName: 'payment-api', message: 'charge timed out' }), rules);
    const two = normalizeLog(
      raw({ serviceName: 'payment-api', message: 'refund timed out', trace: 'java.net.SocketTimeoutException: x\n\tat com.acme.Pay.go(Pay.java:1)' }),
      rules,
    );
    assert.equal(one.fingerprint, two.fingerprint);
    assert.equal(one.fingerprint, fingerprint('payment-api', 'fingerprint-rule:payment-gateway-timeout', null, null));
    assert.notEqual(normalizeLog(raw({ serviceName: 'payment-web', message: 'charge timed out' }), rules).fingerprint, one.fingerprint);
    assert.equal(two.exceptionType, 'java.net.SocketTimeoutException', 'the event still says what the trace was');
  });

  test('no rules: the contract’s fingerprint, unchanged', () => {
    const log = normalizeLog(raw(), FingerprintRules.none);
    assert.equal(log.fingerprint, fingerprint('checkout', log.messageTemplate, null, null));
  });
});

describe('loading', () => {
  function refused(text: string, ...expected: RegExp[]): void {
    assert.throws(
      () => FingerprintRules.parse(text, 'rules.yaml'),
      (err: Error) => err instanceof FingerprintRulesError && expected.every((e) => e.test(err.message)),
      text,
    );
  }

  test('JSON is YAML too; an empty file is no rules', () => {
    const json = FingerprintRules.parse(JSON.stringify({ allTenants: [{ match: { service: 'a' }, fingerprint: 'b' }] }));
    assert.equal(json.apply(facts({ serviceName: 'a' })).fixedFingerprint, 'b');
    assert.ok(FingerprintRules.parse('').isEmpty);
  });

  test('every problem is named by its path, and nothing is half-loaded', () => {
    refused('tenants: { acme: [] }', /rules\.yaml: tenants: .*uuid/);
    refused('allTenants: [{ match: { service: a } }]', /allTenants\[0\]/);
    refused('allTenants: [{ fingerprint: x, colour: red }]', /allTenants\[0\]\.colour/);
    refused('allTenants: [{ match: { host: a }, fingerprint: x }]', /allTenants\[0\]\.match\.host/);
    refused("allTenants: [{ masks: [{ pattern: 'a', replacement: 'no-brackets' }] }]", /allTenants\[0\]\.masks\[0\]\.replacement/);
    refused(
      "allTenants: [{ masks: [{ pattern: '(unclosed', replacement: '<x>' }, { pattern: 'a*', replacement: '<y>' }] }]",
      /allTenants\[0\]\.masks\[0\]\.pattern: not a valid regular expression/,
      /allTenants\[0\]\.masks\[1\]\.pattern: matches the empty string/,
    );
    refused('allTenants: [ {', /not valid YAML or JSON/);
    refused('- a list', /rules\.yaml: \(root\)/);
  });

  test('a missing file is an error naming it', () => {
    assert.throws(() => FingerprintRules.load('/nonexistent/rules.yaml'), /\/nonexistent\/rules\.yaml: cannot read the file/);
  });
});
