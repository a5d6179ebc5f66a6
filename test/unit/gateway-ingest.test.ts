import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageValidator } from '../../src/contracts/validators.js';
import { toRawLogEvents } from '../../src/services/gateway/raw-log-events.js';

const TENANT = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const NOW = new Date('2026-11-23T10:00:00.000Z');
const log = { serviceName: 'payment-service', environment: 'production', level: 'error', message: 'boom' };

describe('gateway: request body → RawLogEvents', () => {
  test('one log becomes one valid RawLogEvent with a fresh eventId', () => {
    const result = toRawLogEvents({ ...log, trace: 'x', timestamp: '2026-11-23T09:59:59+01:00' }, TENANT, {}, NOW);
    assert.ok(result.ok);
    const [event] = result.events;
    assert.ok(messageValidator('RawLogEvent')(event).ok);
    assert.equal(event.tenantId, TENANT);
    assert.equal(event.receivedAt, NOW.toISOString());
    assert.equal(event.logTimestamp, '2026-11-23T08:59:59.000Z');
    assert.equal(event.level, 'error');
    assert.equal(event.trace, 'x');
  });

  test('a batch keeps request order and gets distinct eventIds', () => {
    const batch = Array.from({ length: 1000 }, (_, i) => ({ ...log, message: `m${i}` }));
    const result = toRawLogEvents(batch, TENANT, {}, NOW);
    assert.ok(result.ok);
    assert.deepEqual(result.events.map((e) => e.message), batch.map((b) => b.message));
    assert.equal(new Set(result.events.map((e) => e.eventId)).size, 1000);
  });

  test('epoch-millisecond timestamps are accepted', () => {
    const result = toRawLogEvents({ ...log, timestamp: 1_795_000_000_000 }, TENANT, {}, NOW);
    assert.ok(result.ok);
    assert.equal(result.events[0].logTimestamp, new Date(1_795_000_000_000).toISOString());
  });

  test('a date-time whose offset takes it outside years 0000–9999 in UTC is refused, naming the field; the edges are accepted', () => {
    for (const timestamp of ['9999-12-31T23:59:59-00:01', '0000-01-01T00:00:00+01:00']) {
      const result = toRawLogEvents([log, { ...log, timestamp }], TENANT, {}, NOW);
      assert.ok(!result.ok, `${timestamp} accepted`);
      assert.deepEqual(result.issues, [
        { field: '[1].timestamp', message: 'must be between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z in UTC' },
      ]);
    }
    for (const [timestamp, iso] of [
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ['9999-12-31T23:59:59+00:00', '9999-12-31T23:59:59.000Z'],
      ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
      [253402300799999, '9999-12-31T23:59:59.999Z'],
    ] as const) {
      const result = toRawLogEvents({ ...log, timestamp }, TENANT, {}, NOW);
      assert.ok(result.ok, `${timestamp} refused`);
      assert.equal(result.events[0].logTimestamp, iso);
      assert.ok(messageValidator('RawLogEvent')(result.events[0]).ok);
    }
  });

  test('missing level is allowed (normalization makes it INFO)', () => {
    const { level: _level, ...noLevel } = log;
    const result = toRawLogEvents(noLevel, TENANT, {}, NOW);
    assert.ok(result.ok);
    assert.equal(result.events[0].level, '');
  });

  test('serviceName/environment default from the headers; the body wins', () => {
    const result = toRawLogEvents(
      [{ message: 'a' }, { message: 'b', serviceName: 'own' }],
      TENANT,
      { serviceName: 'from-header', environment: 'staging' },
      NOW,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.events.map((e) => [e.serviceName, e.environment]), [['from-header', 'staging'], ['own', 'staging']]);
  });

  test('every bad field of every entry is named with its index; nothing is returned', () => {
    const result = toRawLogEvents(
      [log, { ...log, message: '' }, { serviceName: 'x', message: 'y'.repeat(10_001) }, 'nope', { ...log, timestamp: 'yesterday' }],
      TENANT,
      {},
      NOW,
    );
    assert.ok(!result.ok);
    assert.equal(result.status, 400);
    const fields = result.issues.map((i) => i.field);
    for (const f of ['[1].message', '[2].environment', '[2].message', '[3]', '[4].timestamp']) assert.ok(fields.includes(f), `${f} in ${fields}`);
    assert.ok(!fields.some((f) => f.startsWith('[0]')));
  });

  test('limits: trace over 100,000 chars is rejected; over 1,000 logs is 413; empty array is 400', () => {
    const trace = toRawLogEvents({ ...log, trace: 't'.repeat(100_001) }, TENANT, {}, NOW);
    assert.ok(!trace.ok && trace.issues[0].field === 'trace');
    const many = toRawLogEvents(Array.from({ length: 1001 }, () => log), TENANT, {}, NOW);
    assert.ok(!many.ok && many.status === 413);
    const empty = toRawLogEvents([], TENANT, {}, NOW);
    assert.ok(!empty.ok && empty.status === 400);
  });

  test('non-object bodies are a 400, never a throw', () => {
    for (const body of [null, 42, 'text', true]) {
      const result = toRawLogEvents(body, TENANT, {}, NOW);
      assert.ok(!result.ok && result.status === 400, JSON.stringify(body));
    }
  });
});
