/**
 * The PGlite worker thread: PostgreSQL-in-WASM runs here, on its own core, so SQL work (and its
 * synchronous fsyncs) never stalls the pipeline on the main thread. Requests run one at a time,
 * in arrival order; the main thread keeps transactions from interleaving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDurablePglite } from './engine.js';
import { toWorkerError, type WorkerRequest, type WorkerResponse } from './protocol.js';

const port = parentPort!;
const send = (response: WorkerResponse) => port.postMessage(response);

try {
  const pg = await openDurablePglite((workerData as { dir: string }).dir);
  port.on('message', async (request: WorkerRequest) => {
    try {
      if (request.op === 'query') {
        send({ id: request.id, ok: true, rows: (await pg.query(request.sql, request.params)).rows });
      } else if (request.op === 'exec') {
        await pg.exec(request.sql);
        send({ id: request.id, ok: true });
      } else {
        await pg.close();
        send({ id: request.id, ok: true });
        port.close();
      }
    } catch (err) {
      send({ id: request.id, ok: false, error: toWorkerError(err) });
    }
  });
  port.postMessage({ ready: true });
} catch (err) {
  send({ id: 0, ok: false, fatal: true, error: toWorkerError(err) });
}
