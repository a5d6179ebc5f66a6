/**
 * The HTTP shell every service shares: one Fastify app per service and port, `GET /health`
 * (alive) and `GET /ready` (dependencies reachable), JSON errors for every failure, and the one
 * place the tenant of a request is decided.
 */
import type { Registry } from 'prom-client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { errorMessage, HttpError, TransientError } from './errors.js';
import type { Logger } from './logger.js';

export type ReadinessCheck = () => Promise<void>;

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  /** Named dependency checks for /ready. */
  checks: Record<string, ReadinessCheck>;
  /**
   * Dependencies /ready reports without depending on them: the service works without them
   * (e.g. the dedup cache, an optimization), so their failure shows in the body, not the status.
   */
  optionalChecks?: Record<string, ReadinessCheck>;
  bodyLimit?: number;
  /** Served at GET /metrics in Prometheus text format. */
  metrics?: Registry;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * The tenant of a request. Today the X-TENANT-ID header; credentials replace it in a later
 * issue, here and nowhere else.
 */
export function tenantOf(request: FastifyRequest): string {
  const header = request.headers['x-tenant-id'];
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') {
    throw new HttpError(401, 'tenant_required', 'the X-TENANT-ID header is required (a UUID)', { field: 'X-TENANT-ID' });
  }
  if (!isUuid(value)) {
    throw new HttpError(401, 'tenant_invalid', 'the X-TENANT-ID header must be a UUID', { field: 'X-TENANT-ID' });
  }
  return value.toLowerCase();
}

/** Fastify's own client errors, mapped to log0's JSON error codes. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
};

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger.child({ service: options.service }) as FastifyBaseLogger,
    // Per-request logs cost more than the work at 10,000+ requests/s; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: true,
  });

  app.setErrorHandler((err: unknown, request, reply) => {
    if (err instanceof HttpError) {
      void reply
        .status(err.statusCode)
        .headers(err.headers)
        .send({ error: err.code, message: err.message, ...err.details });
      return;
    }
    if (err instanceof TransientError) {
      request.log.warn({ err }, 'dependency unavailable');
      void reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: 'service_unavailable', message: `${err.message}; retry later` });
      return;
    }
    const e = err as { code?: string; statusCode?: number; message?: string };
    const known = e.code ? FASTIFY_ERRORS[e.code] : undefined;
    if (known) {
      void reply.status(known.status).send({ error: known.code, message: e.message });
      return;
    }
    if (err instanceof SyntaxError || (e.statusCode === 400 && e.message)) {
      void reply.status(400).send({ error: 'invalid_request', message: e.message });
      return;
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      void reply.status(e.statusCode).send({ error: 'invalid_request', message: e.message });
      return;
    }
    request.log.error({ err }, 'request failed');
    void reply.status(500).send({ error: 'internal_error', message: 'internal error; see the service log' });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });

  app.get('/health', async () => ({ status: 'ok', service: options.service }));

  const { metrics } = options;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => {
      void reply.header('content-type', metrics.contentType).send(await metrics.metrics());
    });
  }

  app.get('/ready', async (_request, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    const run = (checks: Record<string, ReadinessCheck>, required: boolean) =>
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check();
          results[name] = 'ok';
        } catch (err) {
          if (required) ready = false;
          results[name] = required ? errorMessage(err) : `${errorMessage(err)} (optional: the service works without it)`;
        }
      });
    await Promise.all([...run(options.checks, true), ...run(options.optionalChecks ?? {}, false)]);
    void reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', service: options.service, checks: results });
  });

  return app;
}

export interface Endpoint {
  name: string;
  url: string;
  port: number;
}

/** Listens and reports the bound port (port 0 picks a free one) and a URL to show. */
export async function listenOn(app: FastifyInstance, name: string, host: string, port: number): Promise<Endpoint> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { name, port: bound, url: `http://${shownHost}:${bound}` };
}
