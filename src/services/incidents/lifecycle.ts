/**
 * The incident state machine: NEW → ASSIGNED → ACKNOWLEDGED → RESOLVED.
 * assign from NEW or ASSIGNED (reassign), acknowledge from ASSIGNED, resolve from any active
 * status. RESOLVED is final: a recurrence opens a new incident linked to the resolved one.
 */
import type { IncidentStatus } from '../../contracts/types.js';

export type IncidentAction = 'assign' | 'acknowledge' | 'resolve';

export const INCIDENT_ACTIONS: readonly IncidentAction[] = ['assign', 'acknowledge', 'resolve'];

export const INCIDENT_STATUSES: readonly IncidentStatus[] = ['NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED'];

const TARGET: Record<IncidentAction, IncidentStatus> = {
  assign: 'ASSIGNED',
  acknowledge: 'ACKNOWLEDGED',
  resolve: 'RESOLVED',
};

const ALLOWED: Record<IncidentStatus, readonly IncidentAction[]> = {
  NEW: ['assign', 'resolve'],
  ASSIGNED: ['assign', 'acknowledge', 'resolve'],
  ACKNOWLEDGED: ['resolve'],
  RESOLVED: [],
};

/** The actions an incident in `status` accepts, in lifecycle order. */
export function allowedActions(status: IncidentStatus): IncidentAction[] {
  return [...ALLOWED[status]];
}

export function isActionAllowed(status: IncidentStatus, action: IncidentAction): boolean {
  return ALLOWED[status].includes(action);
}

/** The status an action leads to. */
export function targetStatus(action: IncidentAction): IncidentStatus {
  return TARGET[action];
}

/** An incident still needs attention until it is resolved. */
export function isActive(status: IncidentStatus): boolean {
  return status !== 'RESOLVED';
}
