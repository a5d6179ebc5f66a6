import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncidentStatus } from '../../../src/contracts/types.js';
import {
  allowedActions,
  INCIDENT_ACTIONS,
  INCIDENT_STATUSES,
  isActionAllowed,
  isActive,
  targetStatus,
  type IncidentAction,
} from '../../../src/services/incidents/lifecycle.js';

/** The state machine of the brief, written out as a table. */
const EXPECTED: Record<IncidentStatus, Record<IncidentAction, boolean>> = {
  NEW: { assign: true, acknowledge: false, resolve: true },
  ASSIGNED: { assign: true, acknowledge: true, resolve: true },
  ACKNOWLEDGED: { assign: false, acknowledge: false, resolve: true },
  RESOLVED: { assign: false, acknowledge: false, resolve: false },
};

describe('incident lifecycle', () => {
  test('knows the four statuses and three actions of the contract', () => {
    assert.deepEqual([...INCIDENT_STATUSES], ['NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED']);
    assert.deepEqual([...INCIDENT_ACTIONS], ['assign', 'acknowledge', 'resolve']);
  });

  for (const status of Object.keys(EXPECTED) as IncidentStatus[]) {
    for (const action of INCIDENT_ACTIONS) {
      const allowed = EXPECTED[status][action];
      test(`${action} is ${allowed ? 'allowed' : 'refused'} from ${status}`, () => {
        assert.equal(isActionAllowed(status, action), allowed);
        assert.equal(allowedActions(status).includes(action), allowed);
      });
    }
  }

  test('allowed actions are listed in lifecycle order, none once resolved', () => {
    assert.deepEqual(allowedActions('NEW'), ['assign', 'resolve']);
    assert.deepEqual(allowedActions('ASSIGNED'), ['assign', 'acknowledge', 'resolve']);
    assert.deepEqual(allowedActions('ACKNOWLEDGED'), ['resolve']);
    assert.deepEqual(allowedActions('RESOLVED'), []);
  });

  test('the list handed out is a copy: changing it does not change the machine', () => {
    allowedActions('NEW').push('acknowledge');
    assert.equal(isActionAllowed('NEW', 'acknowledge'), false);
  });

  test('each action leads to its status', () => {
    assert.equal(targetStatus('assign'), 'ASSIGNED');
    assert.equal(targetStatus('acknowledge'), 'ACKNOWLEDGED');
    assert.equal(targetStatus('resolve'), 'RESOLVED');
  });

  test('only RESOLVED is inactive', () => {
    assert.deepEqual(
      INCIDENT_STATUSES.filter((s) => !isActive(s)),
      ['RESOLVED'],
    );
  });
});
