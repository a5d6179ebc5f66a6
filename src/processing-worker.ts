/**
 * Worker-thread entry of the processing services, so that in the single-process platform they
 * run on their own core while the main thread keeps the ingest edge (HTTP gateway) and the bus.
 * They reach the bus through the thread adapter (bus/thread), exactly as through any other bus.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { connectBusOverPort } from './bus/thread/client.js';
import type { Log0Config } from './config/config.js';
import { startProcessingServices } from './processing-services.js';
import { createLogger } from './runtime/logger.js';

export type ProcessingWorkerMessage =
  | { type: 'ready'; endpoints: Awaited<ReturnType<typeof startProcessingServices>>['endpoints'] }
  | { type: 'failed'; message: string }
  | { type: 'stopping'; step: string }
  | { type: 'stopped' };

const { config, busPort } = workerData as { config: Log0Config; busPort: MessagePort };
const control = parentPort!;
const post = (message: ProcessingWorkerMessage) => control.postMessage(message);
const logger = createLogger(config.logLevel);
const bus = connectBusOverPort(busPort);

try {
  const services = await startProcessingServices(config, bus, logger);
  control.on('message', async (message: { type: 'stop' }) => {
    if (message.type !== 'stop') return;
    await services.stop((step) => post({ type: 'stopping', step: `processing: ${step}` }));
    await bus.close();
    post({ type: 'stopped' });
  });
  post({ type: 'ready', endpoints: services.endpoints });
} catch (err) {
  logger.error({ err }, 'processing services failed to start');
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
