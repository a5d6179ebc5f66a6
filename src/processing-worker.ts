/**
 * Worker-thread entry of the processing services, so that in the single-process platform they run
 * beside the ingest edge instead of on its thread. They reach the bus through the thread adapter
 * (bus/thread) and the log store through thread-rpc, as they would reach Kafka and ClickHouse.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { connectBus } from './bus/connect.js';
import type { Log0Config } from './config/config.js';
import { startProcessingServices } from './processing-services.js';
import { createLogger } from './runtime/logger.js';
import { serveThread } from './runtime/service-thread.js';
import { callMethods } from './runtime/thread-rpc.js';
import { LOG_STORE_REMOTE_METHODS, type LogStore } from './storage/log-store.js';

const { config, busPort, storePort } = workerData as { config: Log0Config; busPort: MessagePort | null; storePort: MessagePort };
const logger = createLogger(config.logLevel);

await serveThread(logger, async () => {
  const bus = await connectBus(config, 'processing', logger, busPort);
  const remote = callMethods<LogStore>(storePort, LOG_STORE_REMOTE_METHODS);
  const logStore: LogStore = {
    search: (query) => remote.search(query),
    count: (query) => remote.count(query),
    ping: () => remote.ping(),
    append: () => Promise.reject(new Error('log store: appends belong to the storage thread')),
    close: async () => remote.detach(),
  };
  const services = await startProcessingServices(config, bus, logStore, logger);
  return {
    payload: services.endpoints,
    stop: async (onStep) => {
      await services.stop(onStep);
      await logStore.close();
      await bus.close();
    },
  };
});
