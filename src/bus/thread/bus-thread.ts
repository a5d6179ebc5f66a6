/**
 * Runs the embedded bus in its own worker thread (bus-worker.ts) and hands out clients: a Bus for
 * the calling thread, and MessagePorts to pass to other threads (each wraps it with ThreadBus).
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { EmbeddedBusOptions } from '../embedded/index.js';
import type { Bus } from '../port.js';
import type { BusWorkerControl, BusWorkerReport } from './bus-worker.js';
import { nameThread } from '../../runtime/thread-cpu.js';
import { connectBusOverPort } from './client.js';

export interface BusThread {
  /** A client of the bus for this thread. */
  bus: Bus;
  /** A new client port, to transfer to another thread and wrap with connectBusOverPort. */
  newClientPort(): MessagePort;
  /** Closes the bus (after its clients stopped their subscriptions) and ends the thread. */
  close(): Promise<void>;
}

export async function startBusThread(
  options: Omit<EmbeddedBusOptions, 'onWarning'>,
  onWarning: (message: string) => void,
  onFatal: (err: Error) => void,
): Promise<BusThread> {
  const worker = new Worker(new URL('./bus-worker.js', import.meta.url), { workerData: options });
  let closing = false;
  const send = (message: BusWorkerControl, transfer: MessagePort[] = []) => worker.postMessage(message, transfer);

  await new Promise<void>((resolve, reject) => {
    worker.on('message', (message: BusWorkerReport) => {
      if (message.type === 'ready') {
        nameThread('bus', message.tid);
        resolve();
      }
      else if (message.type === 'failed') reject(new Error(`embedded bus failed to open: ${message.message}`));
      else if (message.type === 'warning') onWarning(message.message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      const err = new Error(`bus thread exited with code ${code}`);
      reject(err);
      if (!closing) onFatal(err);
    });
  });

  const newClientPort = () => {
    const { port1, port2 } = new MessageChannel();
    send({ type: 'serve', port: port1 }, [port1]);
    return port2;
  };
  const bus = connectBusOverPort(newClientPort());

  return {
    bus,
    newClientPort,
    close: async () => {
      closing = true;
      await bus.close();
      const closed = new Promise<void>((resolve) => {
        worker.on('message', (message: BusWorkerReport) => message.type === 'closed' && resolve());
        worker.once('exit', () => resolve());
      });
      send({ type: 'close' });
      await closed;
      await worker.terminate();
    },
  };
}
