/**
 * Worker-thread entry that owns an embedded bus and serves it to other threads: a local broker.
 * The bus's framing, file writes and consumer bookkeeping then cost the HTTP thread nothing.
 * Control messages: {type:'serve', port} adds a client; {type:'close'} closes the bus.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createEmbeddedBus, type EmbeddedBusOptions } from '../embedded/index.js';
import { currentThreadTid } from '../../runtime/thread-cpu.js';
import { serveBusOverPort } from './host.js';

export type BusWorkerControl = { type: 'serve'; port: MessagePort } | { type: 'close' };
export type BusWorkerReport = { type: 'ready'; tid: number | null } | { type: 'failed'; message: string } | { type: 'warning'; message: string } | { type: 'closed' };

const control = parentPort!;
const report = (message: BusWorkerReport) => control.postMessage(message);

try {
  const bus = await createEmbeddedBus({
    ...(workerData as Omit<EmbeddedBusOptions, 'onWarning'>),
    onWarning: (message) => report({ type: 'warning', message }),
  });
  const served: Array<() => Promise<void>> = [];
  control.on('message', async (message: BusWorkerControl) => {
    if (message.type === 'serve') {
      served.push(serveBusOverPort(bus, message.port));
    } else if (message.type === 'close') {
      await Promise.all(served.map((stop) => stop()));
      await bus.close();
      report({ type: 'closed' });
    }
  });
  report({ type: 'ready', tid: currentThreadTid() });
} catch (err) {
  report({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
