/**
 * The whole log0 platform in one process on embedded defaults: embedded bus, PGlite, DuckDB
 * (with KAFKA_BROKERS set, Apache Kafka replaces the embedded bus and its thread).
 *
 *   gateway → raw-logs → normalization → normalized-logs (+ log store) → clustering
 *   → incident-events → incidents → notification-events → notifications
 *
 * Four threads, so accepting a log never waits behind pipeline work and both cores are used:
 *  - main: the ingest edge (gateway HTTP, 8080);
 *  - bus: the embedded bus, a local broker (bus/thread/bus-worker.ts);
 *  - storage: DuckDB and the log store writer (storage-worker.ts);
 *  - processing: normalization, clustering, incidents, notifications, PGlite and the HTTP APIs
 *    8083 and 8084 (processing-worker.ts).
 * The threads reach the bus through the thread adapter (bus/thread) and the log store through
 * thread-rpc, as separate processes would reach Kafka and ClickHouse. Every service keeps its own
 * HTTP port, so splitting into processes changes no URL.
 */
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Bus } from './bus/port.js';
import { connectBus } from './bus/connect.js';
import { startBusThread } from './bus/thread/bus-thread.js';
import type { Log0Config } from './config/config.js';
import { ensurePipelineTopics, PIPELINE_CONSUMER_GROUPS, pipelineTopics } from './pipeline.js';
import type { ProcessingServices } from './processing-services.js';
import { DataDirLock } from './runtime/data-dir-lock.js';
import { createHttpApp, listenOn, type Endpoint } from './runtime/http.js';
import type { Logger } from './runtime/logger.js';
import { createMetricsRegistry } from './runtime/metrics.js';
import { startServiceThread } from './runtime/service-thread.js';
import { ShutdownStack } from './runtime/shutdown-stack.js';
import { currentThreadTid, nameThread } from './runtime/thread-cpu.js';
import { MAX_BODY_BYTES, startGatewayService } from './services/gateway/index.js';
import { openRateLimiter } from './storage/open-shared-state.js';

export { PIPELINE_CONSUMER_GROUPS, pipelineTopics };

export interface Platform {
  endpoints: { gateway: Endpoint; incidents: Endpoint; notifications: Endpoint };
  bus: Bus;
  stop(): Promise<void>;
  /** While stopping: the step under way, so a hung shutdown can say where it hangs. */
  stoppingStep(): string | undefined;
}

export async function startPlatform(config: Log0Config, logger: Logger): Promise<Platform> {
  const lock = await DataDirLock.acquire(config.dataDir, 'log0.lock', 'log0');
  nameThread('main', currentThreadTid());
  const shutdown = new ShutdownStack(logger);
  shutdown.onStop('data dir lock', () => lock.release());
  let threadSteps: () => string | undefined = () => undefined;

  try {
    const fatal = (what: string) => (err: Error) => {
      // Losing a thread after startup is fatal: exit and let the supervisor restart (delivery is
      // at-least-once; nothing acknowledged or committed is lost).
      logger.fatal({ err }, `${what} stopped unexpectedly; exiting`);
      process.exit(1);
    };
    const busThread = config.kafka
      ? null
      : await startBusThread(
          { dataDir: join(config.dataDir, 'bus') },
          (message) => logger.warn({ component: 'embedded-bus' }, message),
          fatal('bus thread'),
        );
    const bus = busThread ? busThread.bus : await connectBus(config, 'gateway', logger, null);
    shutdown.onStop('bus', () => (busThread ? busThread.close() : bus.close()));
    await ensurePipelineTopics(bus, config, logger);
    /** A port to the embedded bus thread for another thread; null on Kafka (it connects itself). */
    const busPortFor = () => busThread?.newClientPort() ?? null;
    const transfer = (...ports: Array<MessagePort | null>) => ports.filter((p): p is MessagePort => p !== null);

    // The storage thread serves log searches to the processing thread over this channel.
    const store = new MessageChannel();
    const storageBusPort = busPortFor();
    const storage = startServiceThread<null>(
      'log store',
      new URL('./storage-worker.js', import.meta.url),
      { config, busPort: storageBusPort, storePort: store.port1 },
      transfer(storageBusPort, store.port1),
      logger,
      fatal('log store thread'),
    );
    shutdown.onStop('log store', () => storage.stop());
    await storage.ready;

    const processingBusPort = busPortFor();
    const processing = startServiceThread<ProcessingServices['endpoints']>(
      'processing services',
      new URL('./processing-worker.js', import.meta.url),
      { config, busPort: processingBusPort, storePort: store.port2 },
      transfer(processingBusPort, store.port2),
      logger,
      fatal('processing services'),
    );
    shutdown.onStop('processing services', () => processing.stop());
    threadSteps = () =>
      shutdown.step() === 'processing services' ? processing.step() : shutdown.step() === 'log store' ? storage.step() : undefined;
    const { incidents, notifications } = await processing.ready;

    const rateLimiter = await openRateLimiter(config, logger);
    if (rateLimiter) shutdown.onStop('rate limiter', () => rateLimiter.close());
    const gatewayApp = createHttpApp({
      service: 'ingestion-gateway',
      logger,
      metrics: createMetricsRegistry(bus, PIPELINE_CONSUMER_GROUPS),
      checks: { bus: () => bus.ping(), ...(rateLimiter ? { rateLimiter: () => rateLimiter.ping() } : {}) },
      bodyLimit: MAX_BODY_BYTES,
    });
    const gatewayService = await startGatewayService({ bus, logger, config, app: gatewayApp, rateLimiter: rateLimiter ?? undefined });
    shutdown.onStop('ingestion gateway', () => gatewayService.stop());
    const gateway = await listenOn(gatewayApp, 'ingestion gateway', config.host, config.ports.gateway);
    // Stopped first: no new logs are accepted while the pipeline drains.
    shutdown.onStop('gateway HTTP listener', () => gatewayApp.close());

    return {
      endpoints: { gateway, incidents, notifications },
      bus,
      stop: () => shutdown.stopAll(),
      stoppingStep: () => threadSteps() ?? shutdown.step(),
    };
  } catch (err) {
    await shutdown.stopAll();
    throw err;
  }
}
