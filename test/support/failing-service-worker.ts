/** A service thread (runtime/service-thread.ts) that starts, then fails with an uncaught error. */
import { createLogger } from '../../src/runtime/logger.js';
import { serveThread } from '../../src/runtime/service-thread.js';

await serveThread(createLogger('silent'), async () => {
  setTimeout(() => {
    throw new Error('boom after start');
  }, 20);
  return { payload: 'started', stop: async () => {} };
});
