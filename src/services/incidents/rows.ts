/**
 * Rows of the incident tables as the service models them: the columns it selects and the mapping
 * to its types, shared by the per-request SQL (repository.ts) and the set-based SQL of applying
 * events (batch-repository.ts).
 */
import type { IncidentStatus, Severity } from '../../contracts/types.js';
import type { Incident } from './incident.js';

const INCIDENT_COLUMNS = [
  'id',
  'tenant_id',
  'fingerprint',
  'service_name',
  'environment',
  'severity',
  'status',
  'occurrence_count',
  'first_seen_at',
  'last_seen_at',
  'top_messages',
  'assigned_to_user_id',
  'previous_incident_id',
  'ai_summary',
  'created_at',
  'updated_at',
  'resolved_at',
];

/** The columns toIncident reads, for a select list or RETURNING; qualified by `table` when given. */
export function incidentColumns(table?: string): string {
  return qualified(INCIDENT_COLUMNS, table);
}

function qualified(columns: readonly string[], table: string | undefined): string {
  return (table ? columns.map((c) => `${table}.${c}`) : columns).join(', ');
}

export type Row = Record<string, unknown>;

/** Drivers differ: PGlite returns timestamptz as Date, int8 as number; node-postgres int8 as string. */
export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(value as string)).toISOString();
}

function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

function count(value: unknown): number {
  return Number(value);
}

function jsonArray(value: unknown): string[] {
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed.map(String) : [];
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function toIncident(row: Row): Incident {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    fingerprint: String(row.fingerprint),
    serviceName: String(row.service_name),
    environment: String(row.environment),
    severity: row.severity as Severity,
    status: row.status as IncidentStatus,
    occurrenceCount: count(row.occurrence_count),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    topMessages: jsonArray(row.top_messages),
    assignedToUserId: textOrNull(row.assigned_to_user_id),
    previousIncidentId: textOrNull(row.previous_incident_id),
    aiSummary: textOrNull(row.ai_summary),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    resolvedAt: isoOrNull(row.resolved_at),
  };
}

export interface IncidentWindow {
  tenantId: string;
  fingerprint: string;
  windowStart: string;
  windowEnd: string | null;
  incidentId: string;
  occurrenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
  final: boolean;
}

export function toWindow(row: Row): IncidentWindow {
  return {
    tenantId: String(row.tenant_id),
    fingerprint: String(row.fingerprint),
    windowStart: iso(row.window_start),
    windowEnd: isoOrNull(row.window_end),
    incidentId: String(row.incident_id),
    occurrenceCount: count(row.occurrence_count),
    firstSeenAt: iso(row.first_seen_at),
    lastSeenAt: iso(row.last_seen_at),
    final: row.final === true,
  };
}

const WINDOW_COLUMNS = [
  'tenant_id',
  'fingerprint',
  'window_start',
  'window_end',
  'incident_id',
  'occurrence_count',
  'first_seen_at',
  'last_seen_at',
  'final',
];

/** The columns toWindow reads; qualified by `table` when given. */
export function windowColumns(table?: string): string {
  return qualified(WINDOW_COLUMNS, table);
}
