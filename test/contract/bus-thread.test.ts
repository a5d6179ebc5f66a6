/**
 * The bus contract through the thread adapter: an embedded bus served over a real MessageChannel
 * (structured clone, transferred buffers), used through ThreadBus as the processing worker uses it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createEmbeddedBus, type EmbeddedBus } from '../../src/bus/embedded/index.js';
import type { Bus } from '../../src/bus/port.js';
import { connectBusOverPort } from '../../src/bus/thread/client.js';
import { serveBusOverPort } from '../../src/bus/thread/host.js';
import { busContractSuite, type BusFixture } from './bus.contract.js';

async function served(dataDir: string): Promise<{ client: Bus; close: () => Promise<void> }> {
  const bus: EmbeddedBus = await createEmbeddedBus({ dataDir, retentionCheckIntervalMs: 0, onWarning: () => {} });
  const { port1, port2 } = new MessageChannel();
  const stopServing = serveBusOverPort(bus, port1);
  const client = connectBusOverPort(port2);
  return {
    client,
    close: async () => {
      await stopServing();
      await client.close();
      await bus.close();
    },
  };
}

busContractSuite('embedded, through the thread adapter', async (): Promise<BusFixture> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'log0-bus-thread-'));
  let current = await served(dataDir);
  return {
    bus: current.client,
    reopen: async () => {
      await current.close();
      current = await served(dataDir);
      return current.client;
    },
    cleanup: async () => {
      await current.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
