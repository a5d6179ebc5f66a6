/**
 * The processing side of log0: normalization, clustering, the incident service and the
 * notification service, with the SQL store they own (PGlite) and their HTTP APIs (8083, 8084).
 * They talk to the rest of log0 only through the bus and the log store they are given.
 */
import { join } from 'node:path';
import type { Bus } from './bus/port.js';
import type { Log0Config } from './config/config.js';
import { PIPELINE_CONSUMER_GROUPS } from './pipeline.js';
import { createHttpApp, listenOn, type Endpoint } from './runtime/http.js';
import type { Logger } from './runtime/logger.js';
import { createMetricsRegistry } from './runtime/metrics.js';
import type { ServiceContext } from './runtime/service.js';
import { ShutdownStack } from './runtime/shutdown-stack.js';
import { startClusteringService } from './services/clustering/index.js';
import { openClusteringSnapshots } from './storage/open-snapshot-store.js';
import { startIncidentService } from './services/incidents/index.js';
import { startNormalizationService } from './services/normalization/index.js';
import { startNotificationService } from './services/notifications/index.js';
import type { LogStore } from './storage/log-store.js';
import { openDedupCache } from './storage/open-shared-state.js';
import { openSqlDatabase } from './storage/open-sql-database.js';

export interface ProcessingServices {
  endpoints: { incidents: Endpoint; notifications: Endpoint };
  stop(onStep?: (step: string) => void): Promise<void>;
}

export async function startProcessingServices(
  config: Log0Config,
  bus: Bus,
  logStore: LogStore,
  logger: Logger,
): Promise<ProcessingServices> {
  const shutdown = new ShutdownStack(logger);
  try {
    const db = await openSqlDatabase(config, join(config.dataDir, 'pg'), logger);
    shutdown.onStop('database', () => db.close());

    const ctx: ServiceContext = { bus, logger, config };
    const dedup = await openDedupCache(config, logger);
    shutdown.onStop('dedup cache', () => dedup.close());
    const metrics = createMetricsRegistry(bus, PIPELINE_CONSUMER_GROUPS);
    const bussed = { bus: () => bus.ping() };
    const apps = {
      incidents: createHttpApp({
        service: 'incident-service',
        logger,
        metrics,
        checks: { ...bussed, database: () => db.ping(), logStore: () => logStore.ping() },
        // The normalizer's, which has no port of its own in this process.
        optionalChecks: { dedupCache: () => dedup.ping() },
      }),
      notifications: createHttpApp({ service: 'notification-service', logger, metrics, checks: { ...bussed, database: () => db.ping() } }),
    };

    // Started downstream first, so each stage consumes before anything reaches it; stopped in
    // reverse (upstream first).
    const notifications = await startNotificationService({ ...ctx, db, app: apps.notifications });
    shutdown.onStop('notification service', () => notifications.stop());
    const incidents = await startIncidentService({ ...ctx, db, logStore, app: apps.incidents });
    shutdown.onStop('incident service', () => incidents.stop());
    const clustering = await startClusteringService(ctx, { snapshots: openClusteringSnapshots(config) });
    shutdown.onStop('clustering service', () => clustering.stop());
    const normalization = await startNormalizationService({ ...ctx, dedup });
    shutdown.onStop('normalization service', () => normalization.stop());

    const endpoints = {
      notifications: await listenOn(apps.notifications, 'notification service', config.host, config.ports.notifications),
      incidents: await listenOn(apps.incidents, 'incident service', config.host, config.ports.incidents),
    };
    for (const [name, app] of Object.entries(apps)) shutdown.onStop(`${name} HTTP listener`, () => app.close());
    return { endpoints, stop: (onStep) => shutdown.stopAll(onStep) };
  } catch (err) {
    await shutdown.stopAll();
    throw err;
  }
}
