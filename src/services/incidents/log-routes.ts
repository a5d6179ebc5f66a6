/**
 * Log search on the incident service's port, over the LogStore port: every stored log of the
 * tenant, filtered, newest first, keyset-paginated; and the logs behind one incident.
 */
import type { FastifyInstance } from 'fastify';
import { isUuid, tenantOf } from '../../runtime/http.js';
import { MAX_PAGE_SIZE } from '../../storage/log-query.js';
import type { LogCursor, LogPage, LogQuery, LogStore } from '../../storage/log-store.js';
import type { SqlDatabase } from '../../storage/sql-database.js';
import { encodeCursor, uuidParamOf, QueryParams } from '../../runtime/http-params.js';
import * as repo from './repository.js';
import { notFound } from './routes.js';

export interface LogRoutesOptions {
  db: SqlDatabase;
  logStore: LogStore;
}

const SEARCH_PARAMETERS = ['service', 'environment', 'level', 'fingerprint', 'from', 'to', 'q', 'limit', 'cursor'];
const PAGE_PARAMETERS = ['limit', 'cursor'];
const DEFAULT_LIMIT = 100;

function decodeLogCursor(json: unknown): LogCursor | undefined {
  const { timestamp, eventId } = (json ?? {}) as { timestamp?: unknown; eventId?: unknown };
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || !isUuid(eventId)) return undefined;
  return { timestamp, eventId };
}

function pageParameters(params: QueryParams): { limit: number; after?: LogCursor } {
  const limit = params.integer('limit', 1, MAX_PAGE_SIZE, DEFAULT_LIMIT);
  const after = params.cursor('cursor', decodeLogCursor);
  return after ? { limit, after } : { limit };
}

/** The store's query without the filters the request left out. */
function definedOnly(query: LogQuery): LogQuery {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as unknown as LogQuery;
}

function response(page: LogPage) {
  return { logs: page.logs, nextCursor: page.next ? encodeCursor(page.next) : null };
}

export function registerLogRoutes(app: FastifyInstance, options: LogRoutesOptions): void {
  const { db, logStore } = options;

  void app.register(async (scope) => {
    scope.get('/api/v1/logs', async (request) => {
      const tenantId = tenantOf(request);
      const params = new QueryParams(request, SEARCH_PARAMETERS);
      const query: LogQuery = {
        tenantId,
        serviceName: params.text('service', 255),
        environment: params.text('environment', 255),
        // Stored levels are normalized to upper case.
        level: params.text('level', 32)?.toUpperCase(),
        fingerprint: params.pattern('fingerprint', /^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex (64 characters)')?.toLowerCase(),
        from: params.instant('from'),
        to: params.instant('to'),
        text: params.text('q', 1000),
        ...pageParameters(params),
      };
      if (query.from !== undefined && query.to !== undefined && query.from >= query.to) params.fail('to', 'must be after from');
      params.done();
      return response(await logStore.search(definedOnly(query)));
    });

    scope.get('/api/v1/incidents/:id/logs', async (request) => {
      const tenantId = tenantOf(request);
      const id = uuidParamOf(request);
      const params = new QueryParams(request, PAGE_PARAMETERS);
      const page = pageParameters(params);
      params.done();

      const incident = await repo.findIncident(db, tenantId, id);
      if (!incident) throw notFound(id);
      return response(
        await logStore.search({
          tenantId,
          fingerprint: incident.fingerprint,
          from: Date.parse(incident.firstSeenAt),
          // `to` is exclusive; the incident's lastSeenAt is inclusive.
          to: Date.parse(incident.lastSeenAt) + 1,
          ...page,
        }),
      );
    });
  });
}
