import type { FastifyInstance } from 'fastify';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import type { RateLimiter } from '../../storage/rate-limiter.js';
import { registerIngestRoutes } from './routes.js';

export { MAX_BODY_BYTES } from './routes.js';

/**
 * The ingestion gateway: HTTP in, raw-logs out. It holds no state of its own; per-tenant rate
 * limits, when given, live in the limiter (shared through Redis by every gateway process), which
 * the caller opened and closes.
 */
export async function startGatewayService(ctx: ServiceContext & { app: FastifyInstance; rateLimiter?: RateLimiter }): Promise<RunningService> {
  registerIngestRoutes(ctx.app, ctx.bus, { rateLimiter: ctx.rateLimiter });
  return { stop: async () => {} };
}
