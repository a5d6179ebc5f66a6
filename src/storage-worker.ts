/**
 * Worker-thread entry of the log store: DuckDB (or the ClickHouse client) and the log store writer (normalized-logs → store)
 * on their own thread, so the writer's native calls and awaits never queue behind pipeline
 * batches. Searches from the incident API arrive over a port (runtime/thread-rpc).
 */
import { join } from 'node:path';
import { workerData, type MessagePort } from 'node:worker_threads';
import { connectBus } from './bus/connect.js';
import type { Log0Config } from './config/config.js';
import { createLogger } from './runtime/logger.js';
import { ShutdownStack } from './runtime/shutdown-stack.js';
import { serveThread } from './runtime/service-thread.js';
import { serveMethods } from './runtime/thread-rpc.js';
import { startLogStoreWriter } from './services/normalization/log-store-writer.js';
import { openLogStore } from './storage/open-log-store.js';
import { LOG_STORE_REMOTE_METHODS } from './storage/log-store.js';

const { config, busPort, storePort } = workerData as { config: Log0Config; busPort: MessagePort | null; storePort: MessagePort };
const logger = createLogger(config.logLevel);

await serveThread(logger, async () => {
  const shutdown = new ShutdownStack(logger);
  const bus = await connectBus(config, 'storage', logger, busPort);
  shutdown.onStop('bus client', () => bus.close());
  try {
    const logStore = await openLogStore(config, join(config.dataDir, 'logs.duckdb'));
    shutdown.onStop('log store', () => logStore.close());
    shutdown.onStop('log store server', serveMethods(logStore, LOG_STORE_REMOTE_METHODS, storePort));
    const writer = await startLogStoreWriter({ bus, logger, config, logStore });
    shutdown.onStop('log store writer', () => writer.stop());
    return { payload: null, stop: (onStep) => shutdown.stopAll(onStep) };
  } catch (err) {
    await shutdown.stopAll();
    throw err;
  }
});
