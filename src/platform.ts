/**
 * The whole log0 platform in one process on embedded defaults: embedded bus, PGlite, DuckDB.
 *
 *   gateway → raw-logs → normalization → normalized-logs (+ log store) → clustering
 *   → incident-events → incidents → notification-events → notifications
 *
 * Three threads, so accepting a log never waits behind pipeline work and both cores are used:
 *  - main: the ingest edge (gateway HTTP, 8080);
 *  - bus: the embedded bus, a local broker (bus/thread/bus-worker.ts);
 *  - processing: normalization, clustering, incidents, notifications and their stores and HTTP
 *    APIs (8083, 8084) (processing-worker.ts).
 * Main and processing reach the bus through the thread adapter (bus/thread), as they would reach
 * Kafka. Every service keeps its own HTTP port, so splitting into processes changes no URL.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Bus } from './bus/port.js';
import { startBusThread } from './bus/thread/bus-thread.js';
import type { Log0Config } from './config/config.js';
import { PIPELINE_CONSUMER_GROUPS, pipelineTopics } from './pipeline.js';
import type { ProcessingWorkerMessage } from './processing-worker.js';
import { lockDataDir } from './runtime/data-dir-lock.js';
import { createHttpApp, listenOn, type Endpoint } from './runtime/http.js';
import type { Logger } from './runtime/logger.js';
import { createMetricsRegistry } from './runtime/metrics.js';
import { ShutdownStack } from './runtime/shutdown-stack.js';
import { MAX_BODY_BYTES, startGatewayService } from './services/gateway/index.js';

export type { Endpoint };
export { PIPELINE_CONSUMER_GROUPS, pipelineTopics };

export interface Platform {
  endpoints: { gateway: Endpoint; incidents: Endpoint; notifications: Endpoint };
  bus: Bus;
  stop(): Promise<void>;
  /** While stopping: the step under way, so a hung shutdown can say where it hangs. */
  stoppingStep(): string | undefined;
}

/** Starts the processing worker and resolves once its services listen. */
function startProcessingWorker(config: Log0Config, busPort: MessagePort, logger: Logger, onFatal: (err: Error) => void) {
  const worker = new Worker(new URL('./processing-worker.js', import.meta.url), {
    workerData: { config, busPort },
    transferList: [busPort],
  });
  let workerStep: string | undefined;
  let stopping = false;

  const ready = new Promise<Extract<ProcessingWorkerMessage, { type: 'ready' }>['endpoints']>((resolve, reject) => {
    worker.on('message', (message: ProcessingWorkerMessage) => {
      if (message.type === 'ready') resolve(message.endpoints);
      else if (message.type === 'failed') reject(new Error(`processing services failed to start: ${message.message}`));
      else if (message.type === 'stopping') workerStep = message.step;
    });
    worker.once('error', (err) => (stopping ? logger.error({ err }, 'processing worker error while stopping') : reject(err)));
    worker.once('exit', (code) => {
      const err = new Error(`processing worker exited with code ${code}`);
      reject(err);
      if (!stopping) onFatal(err);
    });
  });

  const stop = async () => {
    stopping = true;
    const stopped = new Promise<void>((resolve) => {
      worker.on('message', (message: ProcessingWorkerMessage) => message.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
    });
    worker.postMessage({ type: 'stop' });
    await stopped;
    await worker.terminate();
  };
  return { ready, stop, step: () => workerStep };
}

export async function startPlatform(config: Log0Config, logger: Logger): Promise<Platform> {
  const unlock = lockDataDir(config.dataDir);
  const shutdown = new ShutdownStack(logger);
  shutdown.onStop('data dir lock', unlock);
  let processingStep: () => string | undefined = () => undefined;

  try {
    mkdirSync(config.dataDir, { recursive: true });
    const fatal = (what: string) => (err: Error) => {
      // Losing a thread after startup is fatal: exit and let the supervisor restart (delivery is
      // at-least-once; nothing acknowledged or committed is lost).
      logger.fatal({ err }, `${what} stopped unexpectedly; exiting`);
      process.exit(1);
    };
    const busThread = await startBusThread(
      { dataDir: join(config.dataDir, 'bus') },
      (message) => logger.warn({ component: 'embedded-bus' }, message),
      fatal('bus thread'),
    );
    shutdown.onStop('bus', () => busThread.close());
    const { bus } = busThread;
    await bus.ensureTopics(pipelineTopics(config));

    const processing = startProcessingWorker(config, busThread.newClientPort(), logger, fatal('processing services'));
    shutdown.onStop('processing services', () => processing.stop());
    processingStep = processing.step;
    const { incidents, notifications } = await processing.ready;

    const gatewayApp = createHttpApp({
      service: 'ingestion-gateway',
      logger,
      metrics: createMetricsRegistry(bus, PIPELINE_CONSUMER_GROUPS),
      checks: { bus: () => bus.ping() },
      bodyLimit: MAX_BODY_BYTES,
    });
    const gatewayService = await startGatewayService({ bus, logger, config, app: gatewayApp });
    shutdown.onStop('ingestion gateway', () => gatewayService.stop());
    const gateway = await listenOn(gatewayApp, 'ingestion gateway', config.host, config.ports.gateway);
    // Stopped first: no new logs are accepted while the pipeline drains.
    shutdown.onStop('gateway HTTP listener', () => gatewayApp.close());

    return {
      endpoints: { gateway, incidents, notifications },
      bus,
      stop: () => shutdown.stopAll(),
      stoppingStep: () => (shutdown.step() === 'processing services' ? (processingStep() ?? shutdown.step()) : shutdown.step()),
    };
  } catch (err) {
    await shutdown.stopAll();
    throw err;
  }
}
