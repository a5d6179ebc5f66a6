/**
 * The incident as the service hands it out (HTTP JSON, notification payloads), and the
 * NotificationEvent built from it. Timestamps are ISO-8601 strings in UTC with milliseconds.
 */
import type { IncidentStatus, NotificationEvent, NotificationType, Severity } from '../../contracts/types.js';
import { messageValidator } from '../../contracts/validators.js';

export interface Incident {
  id: string;
  tenantId: string;
  fingerprint: string;
  serviceName: string;
  environment: string;
  severity: Severity;
  status: IncidentStatus;
  occurrenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  topMessages: string[];
  assignedToUserId: string | null;
  previousIncidentId: string | null;
  aiSummary: string | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface HistoryEntry {
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus;
  /** 'system' for changes made by the pipeline; null for API calls until requests are authenticated. */
  actor: string | null;
  assignedToUserId: string | null;
  notes: string | null;
  changedAt: string;
}

export const MAX_TOP_MESSAGES = 10;

/** The existing messages first, then new distinct ones, at most MAX_TOP_MESSAGES. */
export function mergeTopMessages(existing: readonly string[], incoming: readonly string[]): string[] {
  const merged = [...new Set(existing)].slice(0, MAX_TOP_MESSAGES);
  for (const message of incoming) {
    if (merged.length >= MAX_TOP_MESSAGES) break;
    if (!merged.includes(message)) merged.push(message);
  }
  return merged;
}

const SEVERITY_RANK: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

export function higherSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

const validateNotification = messageValidator('NotificationEvent');

/**
 * The NotificationEvent announcing the incident's current state. Checked against the contract
 * here, inside the transaction, so an event the consumers would reject is never queued.
 */
export function notificationOf(incident: Incident, type: NotificationType): NotificationEvent {
  const event: NotificationEvent = {
    tenantId: incident.tenantId,
    incidentId: incident.id,
    fingerprint: incident.fingerprint,
    serviceName: incident.serviceName,
    environment: incident.environment,
    severity: incident.severity,
    status: incident.status,
    occurrenceCount: incident.occurrenceCount,
    firstSeenAt: incident.firstSeenAt,
    lastSeenAt: incident.lastSeenAt,
    topMessages: incident.topMessages,
    aiSummary: incident.aiSummary,
    notificationType: type,
  };
  if (type === 'INCIDENT_ASSIGNED') event.assignedToUserId = incident.assignedToUserId;
  const checked = validateNotification(event);
  if (!checked.ok) {
    const detail = checked.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new Error(`incident ${incident.id}: ${type} would break the NotificationEvent contract (${detail})`);
  }
  return event;
}
