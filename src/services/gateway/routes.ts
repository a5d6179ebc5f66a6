/** POST /api/v1/logs: validate, publish to raw-logs, answer 202 only once the bus holds every log. */
import type { FastifyInstance } from 'fastify';
import type { Bus } from '../../bus/port.js';
import { recordKey, TOPIC } from '../../contracts/topics.js';
import { errorMessage, HttpError } from '../../runtime/errors.js';
import { tenantOf } from '../../runtime/http.js';
import { toRawLogEvents } from './raw-log-events.js';

export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Seconds a client should wait before retrying when the bus cannot take the write. */
const RETRY_AFTER_SECONDS = 5;

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : v;
}

export function registerIngestRoutes(app: FastifyInstance, bus: Bus): void {
  // JSON only: Fastify would otherwise also accept text/plain.
  app.removeContentTypeParser(['text/plain']);

  app.post('/api/v1/logs', async (request, reply) => {
    const tenantId = tenantOf(request);
    const result = toRawLogEvents(
      request.body,
      tenantId,
      {
        serviceName: headerValue(request.headers['x-service-name']),
        environment: headerValue(request.headers['x-environment']),
      },
      new Date(),
    );
    if (!result.ok) {
      const code = result.status === 413 ? 'too_many_logs' : 'validation_failed';
      const message =
        result.status === 413 ? result.issues[0].message : `${result.issues.length} invalid field(s); nothing was accepted`;
      throw new HttpError(result.status, code, message, { issues: result.issues });
    }
    try {
      await bus.produce(
        TOPIC.rawLogs,
        result.events.map((event) => ({ key: recordKey(TOPIC.rawLogs, event), value: JSON.stringify(event) })),
      );
    } catch (err) {
      request.log.error({ err }, 'raw-logs publish failed');
      throw new HttpError(
        503,
        'bus_unavailable',
        `logs were not accepted, the event bus could not store them (${errorMessage(err)}); retry later`,
        {},
        { 'retry-after': String(RETRY_AFTER_SECONDS) },
      );
    }
    return reply.status(202).send({ accepted: result.events.length, eventIds: result.events.map((e) => e.eventId) });
  });
}
