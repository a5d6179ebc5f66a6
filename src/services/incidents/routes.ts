/**
 * The incident API (http-api.yaml): list, read, and the lifecycle actions. Every call is scoped to
 * the tenant of the request; another tenant's incident is indistinguishable from a missing one.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AssignIncidentRequest, TransitionRequest } from '../../contracts/types.js';
import { httpBodyValidator } from '../../contracts/validators.js';
import { HttpError } from '../../runtime/errors.js';
import { isUuid, tenantOf } from '../../runtime/http.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { bodyOf, encodeCursor, uuidParamOf, QueryParams } from '../../runtime/http-params.js';
import type { Incident } from './incident.js';
import { INCIDENT_STATUSES, type IncidentAction } from './lifecycle.js';
import * as repo from './repository.js';
import { transitionIncident } from './transitions.js';
import { EARLIEST_STORABLE, LATEST_STORABLE } from './window-report.js';

export interface IncidentRoutesOptions {
  db: SqlDatabase;
  /** Called after a committed change queued a notification, so the outbox relay runs at once. */
  onOutboxWritten: () => void;
}

const SEVERITIES = ['HIGH', 'MEDIUM', 'LOW'] as const;
const LIST_PARAMETERS = ['status', 'severity', 'service', 'environment', 'limit', 'cursor'];
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const assignBody = httpBodyValidator<AssignIncidentRequest>('AssignIncidentRequest');
const transitionBody = httpBodyValidator<TransitionRequest>('TransitionRequest');

export function notFound(id: string): HttpError {
  return new HttpError(404, 'not_found', `no incident ${id}`);
}

/** Cursor of the list: the last incident of a page, as { t: lastSeenAt, id }. */
function decodeIncidentCursor(json: unknown): repo.IncidentCursor | undefined {
  const { t, id } = (json ?? {}) as { t?: unknown; id?: unknown };
  // Exactly as encoded: an ISO-8601 UTC timestamp with milliseconds.
  if (typeof t !== 'string' || !isUuid(id)) return undefined;
  const ms = Date.parse(t);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== t) return undefined;
  // Only instants an incident can have (anything else is no cursor log0 made, and PostgreSQL refuses year 0).
  if (ms < EARLIEST_STORABLE || ms > LATEST_STORABLE) return undefined;
  return { lastSeenAt: t, id: id.toLowerCase() };
}

/**
 * PATCH bodies are optional for acknowledge and resolve; clients often still send
 * `Content-Type: application/json` with an empty body, which Fastify would reject.
 */
function acceptEmptyJsonBody(scope: FastifyInstance): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
}

export function registerIncidentRoutes(app: FastifyInstance, options: IncidentRoutesOptions): void {
  const { db } = options;

  async function transition(request: FastifyRequest, action: IncidentAction): Promise<Incident> {
    const tenantId = tenantOf(request);
    const incidentId = uuidParamOf(request);
    const body =
      action === 'assign' ? bodyOf(request, assignBody) : (bodyOf(request, transitionBody) as Partial<AssignIncidentRequest>);
    const result = await transitionIncident(db, {
      tenantId,
      incidentId,
      action,
      assignedToUserId: body.assignedToUserId?.toLowerCase(),
      notes: body.notes,
      actor: null,
    });
    switch (result.kind) {
      case 'not_found':
        throw notFound(incidentId);
      case 'illegal': {
        const allowed = result.allowedActions.length > 0 ? `allowed: ${result.allowedActions.join(', ')}` : 'it accepts no action';
        throw new HttpError(409, 'illegal_transition', `cannot ${action} an incident in status ${result.status}; ${allowed}`, {
          status: result.status,
          allowedActions: result.allowedActions,
        });
      }
      case 'done':
        if (result.notified) options.onOutboxWritten();
        return result.incident;
    }
  }

  void app.register(async (scope) => {
    acceptEmptyJsonBody(scope);

    scope.get('/api/v1/incidents', async (request) => {
      const tenantId = tenantOf(request);
      const params = new QueryParams(request, LIST_PARAMETERS);
      const filter: repo.IncidentFilter = {
        status: params.oneOf('status', INCIDENT_STATUSES),
        severity: params.oneOf('severity', SEVERITIES),
        serviceName: params.text('service', 255),
        environment: params.text('environment', 255),
      };
      const limit = params.integer('limit', 1, MAX_LIMIT, DEFAULT_LIMIT);
      const after = params.cursor('cursor', decodeIncidentCursor);
      params.done();

      // One extra row tells whether another page follows.
      const rows = await repo.listIncidents(db, tenantId, filter, limit + 1, after);
      const incidents = rows.slice(0, limit);
      const last = incidents[incidents.length - 1];
      const nextCursor = rows.length > limit && last ? encodeCursor({ t: last.lastSeenAt, id: last.id }) : null;
      return { incidents, nextCursor };
    });

    scope.get('/api/v1/incidents/:id', async (request) => {
      const tenantId = tenantOf(request);
      const id = uuidParamOf(request);
      const incident = await repo.findIncident(db, tenantId, id);
      if (!incident) throw notFound(id);
      const history = await repo.listHistory(db, tenantId, id);
      return { ...incident, history };
    });

    scope.patch('/api/v1/incidents/:id/assign', (request) => transition(request, 'assign'));
    scope.patch('/api/v1/incidents/:id/acknowledge', (request) => transition(request, 'acknowledge'));
    scope.patch('/api/v1/incidents/:id/resolve', (request) => transition(request, 'resolve'));
  });
}
