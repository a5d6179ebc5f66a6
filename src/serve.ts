/**
 * `log0 serve <service>`: one pipeline service in this process, sharing an Apache Kafka cluster
 * with the others. Run as many processes of a service as its topic has partitions: they share the
 * work through its consumer group, and a crashed one's partitions move to the others.
 *
 * Stores are chosen by configuration. Server-backed (DATABASE_URL, CLICKHOUSE_URL, REDIS_URL), every
 * service scales out freely. Embedded, a store belongs to exactly one process, under
 * $LOG0_DATA_DIR/<service>:
 *  - incidents: the incident database (PGlite) and the log store (DuckDB), hence also the log
 *    store writer (normalized-logs → log store), because DuckDB has one writer process;
 *  - notifications: its delivery log (PGlite).
 * The log store writer always runs in the incidents processes (with ClickHouse, in all of them,
 * sharing its consumer group). gateway, normalization and clustering keep no local state
 * (clustering rebuilds its windows from the bus when it gets a partition).
 */
import { join } from 'node:path';
import type { Bus } from './bus/port.js';
import { connectBus } from './bus/connect.js';
import { ConfigError, type Log0Config } from './config/config.js';
import { ensurePipelineTopics, PIPELINE_CONSUMER_GROUPS } from './pipeline.js';
import { DataDirLock } from './runtime/data-dir-lock.js';
import { createHttpApp, listenOn, type Endpoint } from './runtime/http.js';
import type { Logger } from './runtime/logger.js';
import { createMetricsRegistry } from './runtime/metrics.js';
import { ShutdownStack } from './runtime/shutdown-stack.js';
import { startClusteringService } from './services/clustering/index.js';
import { openClusteringSnapshots } from './storage/open-snapshot-store.js';
import { MAX_BODY_BYTES, startGatewayService } from './services/gateway/index.js';
import { startIncidentService } from './services/incidents/index.js';
import { startLogStoreWriter, startNormalizationService } from './services/normalization/index.js';
import { startNotificationService } from './services/notifications/index.js';
import { openLogStore } from './storage/open-log-store.js';
import { openDedupCache, openRateLimiter } from './storage/open-shared-state.js';
import { openSqlDatabase } from './storage/open-sql-database.js';
import type { SqlDatabase } from './storage/sql-database.js';

export const SERVICE_NAMES = ['gateway', 'normalization', 'clustering', 'incidents', 'notifications'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServedService {
  name: ServiceName;
  endpoint: Endpoint;
  stop(): Promise<void>;
  /** While stopping: the step under way. */
  stoppingStep(): string | undefined;
}

interface Parts {
  config: Log0Config;
  logger: Logger;
  bus: Bus;
  shutdown: ShutdownStack;
}

/** What each service needs started, and the HTTP app (API or /health, /ready, /metrics) it serves. */
const STARTERS: Record<ServiceName, (parts: Parts) => Promise<Endpoint>> = {
  async gateway({ config, logger, bus, shutdown }) {
    const rateLimiter = await openRateLimiter(config, logger);
    if (rateLimiter) shutdown.onStop('rate limiter', () => rateLimiter.close());
    const app = httpApp('ingestion-gateway', { config, logger, bus, shutdown }, {
      bodyLimit: MAX_BODY_BYTES,
      checks: rateLimiter ? { rateLimiter: () => rateLimiter.ping() } : {},
    });
    const service = await startGatewayService({ bus, logger, config, app, rateLimiter: rateLimiter ?? undefined });
    shutdown.onStop('ingestion gateway', () => service.stop());
    return listen(app, 'ingestion gateway', config.ports.gateway, { config, shutdown });
  },

  async normalization({ config, logger, bus, shutdown }) {
    const dedup = await openDedupCache(config, logger);
    shutdown.onStop('dedup cache', () => dedup.close());
    const app = httpApp('normalization-service', { config, logger, bus, shutdown }, { optionalChecks: { dedupCache: () => dedup.ping() } });
    const service = await startNormalizationService({ bus, logger, config, dedup });
    shutdown.onStop('normalization service', () => service.stop());
    return listen(app, 'normalization service', config.ports.normalization, { config, shutdown });
  },

  async clustering({ config, logger, bus, shutdown }) {
    const app = httpApp('clustering-service', { config, logger, bus, shutdown });
    const service = await startClusteringService({ bus, logger, config }, { snapshots: openClusteringSnapshots(config) });
    shutdown.onStop('clustering service', () => service.stop());
    return listen(app, 'clustering service', config.ports.clustering, { config, shutdown });
  },

  async incidents({ config, logger, bus, shutdown }) {
    const dir = await embeddedDirIfNeeded(config, 'incidents', shutdown, !config.database || !config.clickhouse);
    const db = await openDatabase(config, dir, logger, shutdown);
    const logStore = await openLogStore(config, join(dir, 'logs.duckdb'));
    shutdown.onStop('log store', () => logStore.close());
    const writer = await startLogStoreWriter({ bus, logger, config, logStore });
    shutdown.onStop('log store writer', () => writer.stop());
    const app = httpApp('incident-service', { config, logger, bus, shutdown }, {
      checks: { database: () => db.ping(), logStore: () => logStore.ping() },
    });
    const service = await startIncidentService({ bus, logger, config, db, logStore, app });
    shutdown.onStop('incident service', () => service.stop());
    return listen(app, 'incident service', config.ports.incidents, { config, shutdown });
  },

  async notifications({ config, logger, bus, shutdown }) {
    const dir = await embeddedDirIfNeeded(config, 'notifications', shutdown, !config.database);
    const db = await openDatabase(config, dir, logger, shutdown);
    const app = httpApp('notification-service', { config, logger, bus, shutdown }, { checks: { database: () => db.ping() } });
    const service = await startNotificationService({ bus, logger, config, db, app });
    shutdown.onStop('notification service', () => service.stop());
    return listen(app, 'notification service', config.ports.notifications, { config, shutdown });
  },
};

function httpApp(
  service: string,
  { logger, bus }: Parts,
  options: { bodyLimit?: number; checks?: Record<string, () => Promise<void>>; optionalChecks?: Record<string, () => Promise<void>> } = {},
) {
  return createHttpApp({
    service,
    logger,
    metrics: createMetricsRegistry(bus, PIPELINE_CONSUMER_GROUPS),
    checks: { bus: () => bus.ping(), ...options.checks },
    optionalChecks: options.optionalChecks,
    bodyLimit: options.bodyLimit,
  });
}

async function listen(
  app: ReturnType<typeof createHttpApp>,
  name: string,
  port: number,
  { config, shutdown }: Pick<Parts, 'config' | 'shutdown'>,
): Promise<Endpoint> {
  const endpoint = await listenOn(app, name, config.host, port);
  // Stopped first: nothing new comes in while the service finishes its work.
  shutdown.onStop(`${name} HTTP listener`, () => app.close());
  return endpoint;
}

/**
 * $LOG0_DATA_DIR/<service>, locked when the service keeps an embedded store there: an embedded
 * store has exactly one owner process. With server-backed stores nothing is kept locally and
 * any number of processes of the service may run.
 */
async function embeddedDirIfNeeded(config: Log0Config, service: ServiceName, shutdown: ShutdownStack, embedded: boolean): Promise<string> {
  const dir = join(config.dataDir, service);
  if (embedded) {
    const lock = await DataDirLock.acquire(dir, 'log0.lock', `log0 serve ${service}`);
    shutdown.onStop('data dir lock', () => lock.release());
  }
  return dir;
}

/** The service's SQL database (PostgreSQL, or PGlite in `dir`), migrated. */
async function openDatabase(config: Log0Config, dir: string, logger: Logger, shutdown: ShutdownStack): Promise<SqlDatabase> {
  const db = await openSqlDatabase(config, join(dir, 'pg'), logger);
  shutdown.onStop('database', () => db.close());
  return db;
}

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export async function serveService(name: ServiceName, config: Log0Config, logger: Logger): Promise<ServedService> {
  if (!config.kafka) {
    throw new ConfigError(
      `log0 serve runs one service of a platform whose services share Apache Kafka: set KAFKA_BROKERS (to run everything in one process on the embedded bus, use log0 up)`,
    );
  }
  const shutdown = new ShutdownStack(logger);
  try {
    const bus = await connectBus(config, name, logger, null);
    shutdown.onStop('bus', () => bus.close());
    await ensurePipelineTopics(bus, config, logger);
    const endpoint = await STARTERS[name]({ config, logger: logger.child({ process: name }), bus, shutdown });
    return { name, endpoint, stop: () => shutdown.stopAll(), stoppingStep: () => shutdown.step() };
  } catch (err) {
    await shutdown.stopAll();
    throw err;
  }
}
