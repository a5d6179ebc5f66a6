/** Service threads: an uncaught error after start is logged with its cause, then reported as fatal. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { startServiceThread } from '../../src/runtime/service-thread.js';

test('an uncaught error in a started service thread is logged with the error, then the exit is fatal', async () => {
  const lines: Array<{ level: number; msg: string; err?: { message: string } }> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  let fatal!: (err: Error) => void;
  const died = new Promise<Error>((resolve) => (fatal = resolve));
  const thread = startServiceThread<string>('boom thread', new URL('../support/failing-service-worker.js', import.meta.url), null, [], logger, fatal);
  assert.equal(await thread.ready, 'started');
  const exit = await died;
  assert.match(exit.message, /boom thread exited with code 1/);
  const logged = lines.find((line) => line.msg === 'boom thread failed');
  assert.ok(logged, JSON.stringify(lines));
  assert.equal(logged.level, 60, 'fatal');
  assert.equal(logged.err?.message, 'boom after start');
});
