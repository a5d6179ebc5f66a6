import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { messageValidator } from '../../../src/contracts/validators.js';
import { parseInstant } from '../../../src/runtime/http-params.js';
import { higherSeverity, mergeTopMessages, notificationOf, type Incident } from '../../../src/services/incidents/incident.js';

const incident: Incident = {
  id: '0192b6a0-0000-7000-8000-000000000001',
  tenantId: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
  fingerprint: 'a'.repeat(64),
  serviceName: 'payment-service',
  environment: 'production',
  severity: 'HIGH',
  status: 'ASSIGNED',
  occurrenceCount: 12,
  firstSeenAt: '2026-11-23T10:15:30.000Z',
  lastSeenAt: '2026-11-23T10:16:00.000Z',
  topMessages: ['Connection timeout'],
  assignedToUserId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  previousIncidentId: null,
  aiSummary: null,
  createdAt: '2026-11-23T10:16:01.000Z',
  updatedAt: '2026-11-23T10:17:00.000Z',
  resolvedAt: null,
};

describe('top messages', () => {
  test('keeps the existing ones first and adds new distinct ones', () => {
    assert.deepEqual(mergeTopMessages(['a', 'b'], ['b', 'c', 'a', 'd']), ['a', 'b', 'c', 'd']);
  });

  test('stops at ten', () => {
    const existing = Array.from({ length: 8 }, (_, i) => `old ${i}`);
    const merged = mergeTopMessages(existing, ['new 1', 'new 2', 'new 3']);
    assert.equal(merged.length, 10);
    assert.deepEqual(merged.slice(0, 8), existing);
    assert.deepEqual(merged.slice(8), ['new 1', 'new 2']);
  });

  test('removes duplicates even among the existing ones', () => {
    assert.deepEqual(mergeTopMessages(['a', 'a'], ['a']), ['a']);
  });
});

test('severity only escalates', () => {
  assert.equal(higherSeverity('LOW', 'HIGH'), 'HIGH');
  assert.equal(higherSeverity('HIGH', 'LOW'), 'HIGH');
  assert.equal(higherSeverity('MEDIUM', 'LOW'), 'MEDIUM');
  assert.equal(higherSeverity('MEDIUM', 'MEDIUM'), 'MEDIUM');
});

describe('notifications', () => {
  const validate = messageValidator('NotificationEvent');

  test('INCIDENT_ASSIGNED carries the assignee and meets the contract', () => {
    const event = notificationOf(incident, 'INCIDENT_ASSIGNED');
    assert.deepEqual(validate(event), { ok: true, value: event });
    assert.equal(event.assignedToUserId, incident.assignedToUserId);
    assert.equal(event.incidentId, incident.id);
    assert.equal(event.status, 'ASSIGNED');
  });

  test('other notifications leave the assignee out', () => {
    const event = notificationOf({ ...incident, status: 'RESOLVED', resolvedAt: '2026-11-23T11:00:00.000Z' }, 'INCIDENT_RESOLVED');
    assert.equal(validate(event).ok, true);
    assert.equal('assignedToUserId' in event, false);
  });

  test('refuses to build one the consumers would reject', () => {
    assert.throws(() => notificationOf({ ...incident, occurrenceCount: 0 }, 'INCIDENT_CREATED'), /occurrenceCount/);
  });
});

describe('query instants', () => {
  test('epoch milliseconds', () => assert.equal(parseInstant('1795428930000'), 1795428930000));
  test('ISO-8601 with Z, offset, fraction', () => {
    assert.equal(parseInstant('2026-11-23T10:15:30Z'), Date.UTC(2026, 10, 23, 10, 15, 30));
    assert.equal(parseInstant('2026-11-23T12:15:30.5+02:00'), Date.UTC(2026, 10, 23, 10, 15, 30, 500));
    assert.equal(parseInstant('2026-11-23T12:15:30+0200'), Date.UTC(2026, 10, 23, 10, 15, 30));
  });
  test('a date-time without offset is UTC, not local time', () => {
    assert.equal(parseInstant('2026-11-23T10:15'), Date.UTC(2026, 10, 23, 10, 15));
    assert.equal(parseInstant('2026-11-23'), Date.UTC(2026, 10, 23));
  });
  test('nonsense is NaN, including days the month lacks', () => {
    for (const bad of ['yesterday', '2026-02-31', '2026-13-01', '2026-11-23T25:00Z', '12.5', '', '2026-11-23T10']) {
      assert.ok(Number.isNaN(parseInstant(bad)), bad);
    }
  });
});
