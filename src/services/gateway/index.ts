import type { FastifyInstance } from 'fastify';
import type { RunningService, ServiceContext } from '../../runtime/service.js';
import { registerIngestRoutes } from './routes.js';

export { MAX_BODY_BYTES } from './routes.js';

/** The ingestion gateway: HTTP in, raw-logs out. It holds no state of its own. */
export async function startGatewayService(ctx: ServiceContext & { app: FastifyInstance }): Promise<RunningService> {
  registerIngestRoutes(ctx.app, ctx.bus);
  return { stop: async () => {} };
}
