import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { dateTimeFormat, isCanonicalIsoDateTime } from '../../src/contracts/date-time.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { seededRandom } from '../support/seeded-random.js';

const general = (fullFormats['date-time'] as { validate: (text: string) => boolean }).validate;

test('the canonical toISOString form is recognised and range-checked', () => {
  assert.equal(isCanonicalIsoDateTime('2026-11-23T10:15:30.123Z'), true);
  assert.equal(isCanonicalIsoDateTime('2024-02-29T23:59:59.999Z'), true, 'leap day of a leap year');
  assert.equal(isCanonicalIsoDateTime('2000-02-29T00:00:00.000Z'), true, 'divisible by 400: leap');
  for (const bad of [
    '2023-02-29T00:00:00.000Z', // not a leap year
    '1900-02-29T00:00:00.000Z', // divisible by 100, not 400
    '2026-13-01T00:00:00.000Z',
    '2026-00-01T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-04-00T00:00:00.000Z',
    '2026-04-01T24:00:00.000Z',
    '2026-04-01T00:60:00.000Z',
    '2026-04-01T00:00:60.000Z', // a leap second is left to the general check
    '2026-04-01 00:00:00.000Z',
    '2026-04-01T00:00:00.000z',
    '2026-04-01T00:00:00.00aZ',
    '2026-04-01T00:00:00.000+00:00',
    '2026-04-01T00:00:00Z',
  ]) {
    assert.equal(isCanonicalIsoDateTime(bad), false, bad);
  }
});

test('the fast path gives the general check’s verdict on every string, canonical or not', () => {
  const check = dateTimeFormat(general);
  const random = seededRandom(7);
  const pick = (chars: string) => chars[Math.floor(random() * chars.length)];
  // Mutations of a canonical timestamp: digits anywhere, separators swapped, lengths changed.
  for (let i = 0; i < 20_000; i++) {
    const chars = '2026-11-23T10:15:30.123Z'.split('');
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) chars[Math.floor(random() * chars.length)] = pick('0123456789012345678923-T:.Zz +');
    const text = random() < 0.1 ? chars.join('').slice(0, 20) + 'Z' : chars.join('');
    assert.equal(check(text), general(text), text);
  }
  for (const other of ['2026-11-23T10:15:30Z', '2026-11-23t10:15:30.5+01:00', '2016-12-31T23:59:60.000Z', 'yesterday', '']) {
    assert.equal(check(other), general(other), other);
  }
});

test('contract validators use it: a timestamp field rejects an impossible date, accepts a valid one', () => {
  const validate = messageValidator('NormalizedLogEvent');
  const event = {
    eventId: '0190b6b0-3c4a-7cde-8f01-23456789abcd',
    tenantId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    serviceName: 'payment-service',
    environment: 'production',
    timestamp: '2026-11-23T10:15:30.123Z',
    level: 'ERROR',
    message: 'boom',
    messageTemplate: 'boom',
    fingerprint: 'a'.repeat(64),
    schemaVersion: 'v1',
  };
  assert.equal(validate(event).ok, true);
  const invalid = validate({ ...event, timestamp: '2026-02-30T10:15:30.123Z' });
  assert.equal(invalid.ok, false);
  assert.match(JSON.stringify(invalid), /timestamp/);
});
