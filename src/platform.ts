/**
 * The whole log0 platform in one process on embedded defaults: embedded bus, PGlite, DuckDB.
 * Every service still gets its own HTTP port, so splitting into processes changes no URL.
 *
 *   gateway → raw-logs → normalization → normalized-logs (+ log store) → clustering
 *   → incident-events → incidents → notification-events → notifications
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createEmbeddedBus } from './bus/embedded/index.js';
import type { Bus, TopicSpec } from './bus/port.js';
import type { Log0Config } from './config/config.js';
import { TOPIC } from './contracts/topics.js';
import { lockDataDir } from './runtime/data-dir-lock.js';
import { createHttpApp } from './runtime/http.js';
import { createMetricsRegistry, type ConsumerGroupRef } from './runtime/metrics.js';
import type { Logger } from './runtime/logger.js';
import type { RunningService, ServiceContext } from './runtime/service.js';
import { CLUSTERING_GROUP, startClusteringService } from './services/clustering/index.js';
import { MAX_BODY_BYTES, startGatewayService } from './services/gateway/index.js';
import { INCIDENT_GROUP, startIncidentService } from './services/incidents/index.js';
import { LOG_STORE_WRITER_GROUP, NORMALIZER_GROUP, startNormalizationService } from './services/normalization/index.js';
import { NOTIFICATION_GROUP, startNotificationService } from './services/notifications/index.js';
import { createDuckDbLogStore } from './storage/duckdb/index.js';
import type { LogStore } from './storage/log-store.js';
import { openPgliteDatabase } from './storage/pglite/index.js';
import { migrate } from './storage/sql/migrate.js';
import type { SqlDatabase } from './storage/sql-database.js';

export interface Endpoint {
  name: string;
  url: string;
  port: number;
}

export interface Platform {
  endpoints: { gateway: Endpoint; incidents: Endpoint; notifications: Endpoint };
  bus: Bus;
  db: SqlDatabase;
  logStore: LogStore;
  stop(): Promise<void>;
  /** While stopping: the step under way, so a hung shutdown can say where it hangs. */
  stoppingStep(): string | undefined;
}

/** Every consumer group of the pipeline, left to right. */
export const PIPELINE_CONSUMER_GROUPS: ConsumerGroupRef[] = [
  { groupId: NORMALIZER_GROUP, topic: TOPIC.rawLogs },
  { groupId: LOG_STORE_WRITER_GROUP, topic: TOPIC.normalizedLogs },
  { groupId: CLUSTERING_GROUP, topic: TOPIC.normalizedLogs },
  { groupId: INCIDENT_GROUP, topic: TOPIC.incidentEvents },
  { groupId: NOTIFICATION_GROUP, topic: TOPIC.notificationEvents },
];

export function pipelineTopics(config: Log0Config): TopicSpec[] {
  return Object.values(TOPIC).map((name) => ({
    name,
    partitions: config.bus.partitions,
    retentionMs: config.bus.retentionMs,
    retentionBytes: config.bus.retentionBytes,
  }));
}

async function listen(app: FastifyInstance, name: string, host: string, port: number): Promise<Endpoint> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return { name, port: bound, url: `http://${shownHost}:${bound}` };
}

export async function startPlatform(config: Log0Config, logger: Logger): Promise<Platform> {
  const unlock = lockDataDir(config.dataDir);
  const cleanups: Array<{ name: string; run: () => Promise<void> | void }> = [{ name: 'data dir lock', run: unlock }];
  const onStop = (name: string, run: () => Promise<void> | void) => cleanups.push({ name, run });
  let stoppingStep: string | undefined;
  const stopAll = async () => {
    for (const { name, run } of cleanups.reverse()) {
      stoppingStep = name;
      const started = Date.now();
      try {
        await run();
        logger.debug({ step: name, ms: Date.now() - started }, 'stopped');
      } catch (err) {
        logger.error({ err, step: name }, 'error while stopping');
      }
    }
    cleanups.length = 0;
    stoppingStep = undefined;
  };

  try {
    mkdirSync(config.dataDir, { recursive: true });
    const bus = await createEmbeddedBus({ dataDir: join(config.dataDir, 'bus') });
    onStop('bus', () => bus.close());
    await bus.ensureTopics(pipelineTopics(config));

    const db = await openPgliteDatabase(join(config.dataDir, 'pg'));
    onStop('database', () => db.close());
    await migrate(db);

    const logStore = await createDuckDbLogStore({ path: join(config.dataDir, 'logs.duckdb') });
    onStop('log store', () => logStore.close());

    const ctx: ServiceContext = { bus, logger, config };
    const busCheck = { bus: () => bus.ping() };
    const metrics = createMetricsRegistry(bus, PIPELINE_CONSUMER_GROUPS);
    const apps = {
      gateway: createHttpApp({ service: 'ingestion-gateway', logger, metrics, checks: busCheck, bodyLimit: MAX_BODY_BYTES }),
      incidents: createHttpApp({
        service: 'incident-service',
        logger,
        metrics,
        checks: { ...busCheck, database: () => db.ping(), logStore: () => logStore.ping() },
      }),
      notifications: createHttpApp({
        service: 'notification-service',
        logger,
        metrics,
        checks: { ...busCheck, database: () => db.ping() },
      }),
    };

    // Started downstream first, so each stage is consuming before anything reaches it;
    // stopped in reverse (upstream first) through the cleanup stack.
    const services: Array<[string, RunningService]> = [
      ['notification service', await startNotificationService({ ...ctx, db, app: apps.notifications })],
      ['incident service', await startIncidentService({ ...ctx, db, logStore, app: apps.incidents })],
      ['clustering service', await startClusteringService(ctx)],
      ['normalization service', await startNormalizationService({ ...ctx, logStore })],
      ['ingestion gateway', await startGatewayService({ ...ctx, app: apps.gateway })],
    ];
    for (const [name, service] of services) onStop(name, () => service.stop());

    const endpoints = {
      notifications: await listen(apps.notifications, 'notification service', config.host, config.ports.notifications),
      incidents: await listen(apps.incidents, 'incident service', config.host, config.ports.incidents),
      gateway: await listen(apps.gateway, 'ingestion gateway', config.host, config.ports.gateway),
    };
    // Close listeners first on stop: no new requests while the pipeline drains.
    for (const [name, app] of Object.entries(apps)) onStop(`${name} HTTP listener`, () => app.close());

    return { endpoints, bus, db, logStore, stop: stopAll, stoppingStep: () => stoppingStep };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
