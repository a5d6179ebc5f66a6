import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { contractDocuments } from '../../../src/contracts/source.js';
import type { NormalizedLogEvent, RawLogEvent } from '../../../src/contracts/types.js';
import { messageValidator } from '../../../src/contracts/validators.js';
import { normalizeLog } from '../../../src/services/normalization/normalize.js';

const validateNormalized = messageValidator('NormalizedLogEvent');
const validateRaw = messageValidator('RawLogEvent');

function contractExample<T>(message: 'RawLogEvent' | 'NormalizedLogEvent', name: string): T {
  const examples: Array<{ name: string; payload: T }> = contractDocuments().asyncapi.doc.components.messages[message].examples;
  const example = examples.find((e) => e.name === name);
  assert.ok(example, `contract example ${message}/${name}`);
  return structuredClone(example.payload);
}

const MINIMAL: RawLogEvent = contractExample('RawLogEvent', 'minimal');

function raw(overrides: Partial<RawLogEvent>): RawLogEvent {
  const event = { ...MINIMAL, ...overrides };
  assert.ok(validateRaw(event).ok, 'test input must be a valid RawLogEvent');
  return event;
}

/** Normalizes, and checks the output against the contract before the test looks at it. */
function normalizeValid(event: RawLogEvent): NormalizedLogEvent {
  const normalized = normalizeLog(event);
  const result = validateNormalized(normalized);
  assert.ok(result.ok, `invalid NormalizedLogEvent: ${JSON.stringify(!result.ok && result.issues)}`);
  return normalized;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('normalizeLog', () => {
  test("the contract's paymentTimeout example normalizes to the contract's normalized example", () => {
    const input = contractExample<RawLogEvent>('RawLogEvent', 'paymentTimeout');
    const expected = contractExample<NormalizedLogEvent>('NormalizedLogEvent', 'paymentTimeout');
    const normalized = normalizeValid(input);
    // The example's fingerprint is illustrative, and it leaves out the optional trace; the rest must match.
    assert.deepEqual(normalized, {
      ...expected,
      fingerprint: sha256(`${expected.serviceName}|${expected.messageTemplate}|${expected.exceptionType}|${expected.firstStackFrame}`),
      trace: input.trace,
    });
  });

  test('minimal event: timestamp from receivedAt, and no optional keys at all', () => {
    const normalized = normalizeValid(MINIMAL);
    assert.deepEqual(normalized, {
      eventId: MINIMAL.eventId,
      tenantId: MINIMAL.tenantId,
      serviceName: MINIMAL.serviceName,
      environment: MINIMAL.environment,
      timestamp: MINIMAL.receivedAt,
      level: 'INFO',
      message: 'order placed',
      messageTemplate: 'order placed',
      fingerprint: sha256(`${MINIMAL.serviceName}|order placed||`),
      schemaVersion: 'v1',
    });
  });

  test('null logTimestamp and trace: receivedAt, and no trace keys', () => {
    const normalized = normalizeValid(raw({ logTimestamp: null, trace: null }));
    assert.equal(normalized.timestamp, MINIMAL.receivedAt);
    for (const key of ['trace', 'exceptionType', 'firstStackFrame']) assert.ok(!(key in normalized), key);
  });

  test('logTimestamp wins over receivedAt', () => {
    assert.equal(normalizeValid(raw({ logTimestamp: '2026-11-23T10:15:29.500Z' })).timestamp, '2026-11-23T10:15:29.500Z');
  });

  test('no key is ever undefined', () => {
    for (const event of [MINIMAL, raw({ trace: null }), raw({ trace: 'traceparent: 00-abc-01' }), raw({ trace: 'panic: boom' })]) {
      const normalized = normalizeLog(event);
      for (const [key, value] of Object.entries(normalized)) assert.notEqual(value, undefined, key);
    }
  });

  test('a trace that names no exception is still carried, without exceptionType or frame', () => {
    const trace = 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const normalized = normalizeValid(raw({ trace }));
    assert.equal(normalized.trace, trace);
    assert.ok(!('exceptionType' in normalized) && !('firstStackFrame' in normalized));
  });

  test('level: normalized, and empty becomes INFO', () => {
    assert.equal(normalizeValid(raw({ level: ' warning ' })).level, 'WARNING');
    assert.equal(normalizeValid(raw({ level: '' })).level, 'INFO');
  });

  test('message: trimmed, and templated from the trimmed text', () => {
    const normalized = normalizeValid(raw({ message: '  \tretry 3 of 5\n' }));
    assert.equal(normalized.message, 'retry 3 of 5');
    assert.equal(normalized.messageTemplate, 'retry <number> of <number>');
  });

  test('message of only whitespace is kept as it came (the contract wants at least one character)', () => {
    const normalized = normalizeValid(raw({ message: ' \n ' }));
    assert.equal(normalized.message, ' \n ');
  });

  test('logs differing in values and trace line numbers share a fingerprint; another service does not', () => {
    const trace = (line: number) => `java.lang.IllegalStateException: pool exhausted\n\tat com.acme.db.Pool.acquire(Pool.java:${line})`;
    const a = normalizeValid(raw({ serviceName: 'orders', message: 'no connection after 30000ms for 10.0.0.1', trace: trace(12) }));
    const b = normalizeValid(raw({ serviceName: 'orders', message: 'no connection after 250ms for 10.0.0.2', trace: trace(19) }));
    const c = normalizeValid(raw({ serviceName: 'billing', message: 'no connection after 250ms for 10.0.0.2', trace: trace(19) }));
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(c.fingerprint, b.fingerprint);
  });

  test('does not modify its input', () => {
    const input = contractExample<RawLogEvent>('RawLogEvent', 'paymentTimeout');
    const copy = structuredClone(input);
    normalizeLog(input);
    assert.deepEqual(input, copy);
  });
});

describe('normalizeLog: contract limits', () => {
  test('a template longer than 10,000 characters is cut, and fingerprinted as published', () => {
    const message = '1 '.repeat(5_000).trim(); // 9,999 characters, 5,000 numbers → 44,999 templated
    const normalized = normalizeValid(raw({ message }));
    assert.equal(normalized.messageTemplate.length, 10_000);
    assert.ok(normalized.messageTemplate.startsWith('<number> <number> '));
    assert.equal(normalized.fingerprint, sha256(`${MINIMAL.serviceName}|${normalized.messageTemplate}||`));
  });

  test('the cut never splits a surrogate pair', () => {
    const message = '7 ' + '💥'.repeat(4_999); // '<number> ' + 4,999 × 2 units: unit 10,000 is the first half of a 💥
    const normalized = normalizeValid(raw({ message }));
    assert.equal(normalized.messageTemplate.length, 9_999);
    assert.ok(normalized.messageTemplate.endsWith('💥'));
  });

  test('a level that uppercasing lengthens past 32 characters is cut', () => {
    const normalized = normalizeValid(raw({ level: 'ß'.repeat(32) }));
    assert.equal(normalized.level, 'S'.repeat(32));
  });

  test('exception types and frames longer than the contract allows are cut', () => {
    const type = `com.acme.${'a'.repeat(1_500)}.Failure`;
    const method = `com.acme.Service.${'b'.repeat(2_500)}`;
    const normalized = normalizeValid(raw({ trace: `${type}: boom\n\tat ${method}(Service.java:1)` }));
    assert.equal(normalized.exceptionType, type.slice(0, 1_000));
    assert.equal(normalized.firstStackFrame, `${method}(Service.java)`.slice(0, 2_000));
  });

  test('random valid raw events always give valid normalized events', () => {
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296;
    const pieces = ['1', '-2.5', 'ms', ' ', '\n', '::1', '10.0.0.1', ':', '.', 'x', 'ß', '💥', '0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70', '\tat a.B.c(B.java:1)', 'panic: ', 'Traceback (most recent call last):'];
    const text = (maxPieces: number) => {
      let out = '';
      const n = Math.floor(next() * maxPieces);
      for (let i = 0; i < n; i++) out += pieces[Math.floor(next() * pieces.length)];
      return out;
    };
    for (let i = 0; i < 1_000; i++) {
      const event: RawLogEvent = { ...MINIMAL, level: text(4).slice(0, 32), message: text(40) || ' ' };
      if (next() < 0.5) event.trace = text(60);
      assert.ok(validateRaw(event).ok);
      const result = validateNormalized(normalizeLog(event));
      assert.ok(result.ok, `${JSON.stringify(event)}: ${JSON.stringify(!result.ok && result.issues)}`);
    }
  });
});
