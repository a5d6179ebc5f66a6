/**
 * POST /api/v1/logs: validate, take the tenant's rate-limit tokens (one per log), publish to
 * raw-logs, answer 202 only once the bus holds every log. A rejected request (400, 413, 429, 503)
 * publishes nothing, and only a valid one costs tokens.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Bus, ProduceRecord } from '../../bus/port.js';
import { recordKey, TOPIC } from '../../contracts/topics.js';
import type { RawLogEvent } from '../../contracts/types.js';
import { errorMessage, HttpError } from '../../runtime/errors.js';
import { tenantOf } from '../../runtime/http.js';
import { throttledWarning, type ThrottledWarning } from '../../runtime/throttled-warning.js';
import type { RateLimiter } from '../../storage/rate-limiter.js';
import { toRawLogEvents } from './raw-log-events.js';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Seconds a client should wait before retrying when the bus or the rate limiter cannot answer. */
const RETRY_AFTER_SECONDS = 5;

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

export interface IngestRouteOptions {
  /** Per-tenant limit on logs accepted; none: unlimited. */
  rateLimiter?: RateLimiter;
}

/** 429 when the tenant's bucket is short, 503 when the limiter cannot answer; resolves when allowed. */
async function takeTokens(limiter: RateLimiter, tenantId: string, cost: number, warn: ThrottledWarning): Promise<void> {
  let decision;
  try {
    decision = await limiter.take(tenantId, cost);
  } catch (err) {
    warn({ err: errorMessage(err) }, 'rate limiter unavailable; refusing logs with 503');
    throw new HttpError(
      503,
      'rate_limiter_unavailable',
      `logs were not accepted, the rate limiter could not be asked (${errorMessage(err)}); retry later`,
      {},
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  if (decision.allowed) return;
  const { logsPerSecond, burst } = limiter.limits;
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  const limit = `${logsPerSecond} logs/s (burst ${burst})`;
  const message =
    cost > burst
      ? `tenant ${tenantId} sent ${cost} logs in one request, more than its rate limit of ${limit} ever allows at once; split the request`
      : `tenant ${tenantId} is over its rate limit of ${limit}; retry after ${retryAfterSeconds} s`;
  throw new HttpError(429, 'rate_limited', message, { limit: { logsPerSecond, burst }, retryAfterSeconds }, {
    'retry-after': String(retryAfterSeconds),
  });
}

/** The request's logs as RawLogEvents, or the 400/413 naming every problem (nothing is accepted). */
function acceptedEvents(request: FastifyRequest, tenantId: string): RawLogEvent[] {
  const result = toRawLogEvents(
    request.body,
    tenantId,
    {
      serviceName: headerValue(request.headers['x-service-name']),
      environment: headerValue(request.headers['x-environment']),
    },
    new Date(),
  );
  if (result.ok) return result.events;
  const code = result.status === 413 ? 'too_many_logs' : 'validation_failed';
  const message = result.status === 413 ? result.issues[0].message : `${result.issues.length} invalid field(s); nothing was accepted`;
  throw new HttpError(result.status, code, message, { issues: result.issues });
}

/**
 * JSON is UTF-8 (RFC 8259), and the body is read as such: a declared charset that is not UTF-8
 * is refused before the body is parsed, rather than its text silently mangled (latin1) or
 * reported as malformed JSON (UTF-16).
 */
function refuseNonUtf8Charset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1];
  // US-ASCII is a subset of UTF-8.
  if (charset !== undefined && !/^(utf-?8|us-ascii)$/i.test(charset)) {
    throw new HttpError(415, 'unsupported_media_type', `the body must be JSON in UTF-8; charset=${charset} is not supported`, {
      field: 'Content-Type',
    });
  }
}

const rawLogRecord = (event: RawLogEvent): ProduceRecord => ({ key: recordKey(TOPIC.rawLogs, event), value: JSON.stringify(event) });

export function registerIngestRoutes(app: FastifyInstance, bus: Bus, options: IngestRouteOptions = {}): void {
  const { rateLimiter } = options;
  const warn = throttledWarning(app.log);
  // During an outage every request fails: one line per 10 s with the count, not one per request.
  const publishFailed = throttledWarning(app.log, 10_000, 'error');
  // JSON only: Fastify would otherwise also accept text/plain. Fastify's own JSON parser (same
  // prototype-poisoning refusals), behind the charset check: no extra hook on every request.
  app.removeContentTypeParser(['text/plain']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      refuseNonUtf8Charset(request.headers['content-type']);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });

  app.post('/api/v1/logs', async (request, reply) => {
    const tenantId = tenantOf(request);
    const events = acceptedEvents(request, tenantId);
    if (rateLimiter) await takeTokens(rateLimiter, tenantId, events.length, warn);
    const eventIds = events.map((e) => e.eventId);
    // Encoded now, so the request's logs need not stay alive while the bus makes the write
    // durable: kept alive, a 1,000-log body is copied and promoted by the young-generation
    // collector. splice(0) empties the local array; the body goes too.
    const publishing = bus.produce(TOPIC.rawLogs, events.splice(0).map(rawLogRecord));
    request.body = undefined;
    try {
      await publishing;
    } catch (err) {
      publishFailed({ err: errorMessage(err) }, 'raw-logs publish failed; answering 503');
      throw new HttpError(
        503,
        'bus_unavailable',
        `logs were not accepted, the event bus could not store them (${errorMessage(err)}); retry later`,
        {},
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
    return reply.status(202).send({ accepted: eventIds.length, eventIds });
  });
}
