/**
 * Running a group of services in a worker thread: the main side starts the worker and waits until
 * it is ready, asks it to stop and tracks its shutdown steps; the worker side (serveThread) runs
 * the start function and answers the control messages.
 */
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import type { Logger } from './logger.js';
import { currentThreadTid, nameThread } from './thread-cpu.js';

type Control = { type: 'stop' };
type Report<R> = { type: 'ready'; payload: R; tid: number | null } | { type: 'failed'; message: string } | { type: 'stopping'; step: string } | { type: 'stopped' };

export interface ServiceThread<R> {
  ready: Promise<R>;
  stop(): Promise<void>;
  /** The worker's shutdown step under way, if any. */
  step(): string | undefined;
}

export function startServiceThread<R>(
  name: string,
  entry: URL,
  workerData: unknown,
  transferList: TransferListItem[],
  logger: Logger,
  onFatal: (err: Error) => void,
): ServiceThread<R> {
  const worker = new Worker(entry, { workerData, transferList });
  let step: string | undefined;
  let stopping = false;
  let started = false;
  const ready = new Promise<R>((resolve, reject) => {
    worker.on('message', (message: Report<R>) => {
      if (message.type === 'ready') {
        started = true;
        nameThread(name, message.tid);
        resolve(message.payload);
      }
      else if (message.type === 'failed') reject(new Error(`${name} failed to start: ${message.message}`));
      else if (message.type === 'stopping') step = `${name}: ${message.step}`;
    });
    worker.once('error', (err) => {
      // Before it started, the caller gets the error; after, it is what ends the thread, and the
      // exit below only says the code, so it is logged here.
      if (stopping) logger.error({ err }, `${name} error while stopping`);
      else if (started) logger.fatal({ err }, `${name} failed`);
      reject(err);
    });
    worker.once('exit', (code) => {
      const err = new Error(`${name} exited with code ${code}`);
      reject(err);
      if (!stopping) onFatal(err);
    });
  });
  return {
    ready,
    step: () => step,
    stop: async () => {
      stopping = true;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: Report<R>) => message.type === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' } satisfies Control);
      await stopped;
      await worker.terminate();
    },
  };
}

/** Worker side: starts the services, reports ready (with a payload) and stops on request. */
export async function serveThread<R>(
  logger: Logger,
  start: () => Promise<{ payload: R; stop: (onStep: (step: string) => void) => Promise<void> }>,
): Promise<void> {
  const control = parentPort!;
  const report = (message: Report<R>) => control.postMessage(message);
  try {
    const running = await start();
    control.on('message', async (message: Control) => {
      if (message.type !== 'stop') return;
      await running.stop((step) => report({ type: 'stopping', step }));
      report({ type: 'stopped' });
    });
    report({ type: 'ready', payload: running.payload, tid: currentThreadTid() });
  } catch (err) {
    logger.error({ err }, 'services failed to start');
    report({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}
