/**
 * Lifecycle changes requested through the API. Each one is a single transaction: the incident row
 * (locked), its history entry and its notification in the outbox change together or not at all.
 */
import { v7 as uuidv7 } from 'uuid';
import type { IncidentStatus, NotificationType } from '../../contracts/types.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import type { Incident } from './incident.js';
import { notificationOf } from './incident.js';
import { allowedActions, isActionAllowed, targetStatus, type IncidentAction } from './lifecycle.js';
import * as repo from './repository.js';

export interface TransitionRequest {
  tenantId: string;
  incidentId: string;
  action: IncidentAction;
  /** Required for assign. */
  assignedToUserId?: string;
  notes?: string;
  /** Who asks; null until requests carry an authenticated user. */
  actor: string | null;
}

export type TransitionResult =
  | { kind: 'not_found' }
  | { kind: 'illegal'; status: IncidentStatus; allowedActions: IncidentAction[] }
  /** `notified`: a notification was queued in the outbox. */
  | { kind: 'done'; incident: Incident; changed: boolean; notified: boolean };

/** acknowledge has no notification type in the contract (seed 000), so it notifies nobody. */
const NOTIFICATION: Record<IncidentAction, NotificationType | null> = {
  assign: 'INCIDENT_ASSIGNED',
  acknowledge: null,
  resolve: 'INCIDENT_RESOLVED',
};

export async function transitionIncident(db: SqlDatabase, request: TransitionRequest): Promise<TransitionResult> {
  const { tenantId, incidentId, action } = request;
  if (action === 'assign' && !request.assignedToUserId) throw new Error('assign needs assignedToUserId');

  return db.transaction(async (tx): Promise<TransitionResult> => {
    const incident = await repo.findIncident(tx, tenantId, incidentId, { forUpdate: true });
    if (!incident) return { kind: 'not_found' };
    if (!isActionAllowed(incident.status, action)) {
      return { kind: 'illegal', status: incident.status, allowedActions: allowedActions(incident.status) };
    }
    // Assigning to the current assignee again (a retried request, a double click in Slack) is a no-op.
    if (action === 'assign' && incident.status === 'ASSIGNED' && incident.assignedToUserId === request.assignedToUserId) {
      return { kind: 'done', incident, changed: false, notified: false };
    }

    const to = targetStatus(action);
    const updated = await repo.updateIncidentStatus(tx, tenantId, incidentId, to, request.assignedToUserId ?? null);
    await repo.insertHistory(tx, tenantId, incidentId, {
      fromStatus: incident.status,
      toStatus: to,
      actor: request.actor,
      assignedToUserId: action === 'assign' ? updated.assignedToUserId : null,
      notes: request.notes ?? null,
    });
    const type = NOTIFICATION[action];
    if (type) await repo.insertOutbox(tx, uuidv7(), notificationOf(updated, type));
    return { kind: 'done', incident: updated, changed: true, notified: type !== null };
  });
}
