import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { describe, test } from 'node:test';
import { TransientError } from '../../src/runtime/errors.js';
import { createLogger } from '../../src/runtime/logger.js';
import { ShutdownStack } from '../../src/runtime/shutdown-stack.js';
import { callMethods, serveMethods } from '../../src/runtime/thread-rpc.js';

describe('ShutdownStack', () => {
  test('runs steps in reverse, each once, and keeps going after a failing step', async () => {
    const order: string[] = [];
    const seen: string[] = [];
    const stack = new ShutdownStack(createLogger('silent'));
    stack.onStop('a', () => void order.push('a'));
    stack.onStop('b', () => {
      order.push('b');
      throw new Error('b failed');
    });
    stack.onStop('c', async () => void order.push('c'));
    await stack.stopAll((step) => seen.push(step));
    await stack.stopAll();
    assert.deepEqual(order, ['c', 'b', 'a']);
    assert.deepEqual(seen, ['c', 'b', 'a']);
    assert.equal(stack.step(), undefined);
  });
});

describe('thread-rpc', () => {
  test('calls methods across a port; errors keep their message, code and transience', async () => {
    const target = {
      async add(a: number, b: number) {
        return a + b;
      },
      async fail() {
        throw Object.assign(new Error('no such table'), { code: '42P01' });
      },
      async unavailable() {
        throw new TransientError('store down');
      },
      async secret() {
        return 'not served';
      },
    };
    const { port1, port2 } = new MessageChannel();
    const stop = serveMethods(target, ['add', 'fail', 'unavailable'], port1);
    const remote = callMethods<typeof target>(port2, ['add', 'fail', 'unavailable', 'secret']);
    try {
      assert.equal(await remote.add(2, 3), 5);
      await assert.rejects(remote.fail(), (err: Error & { code?: string }) => err.message === 'no such table' && err.code === '42P01');
      await assert.rejects(remote.unavailable(), (err) => err instanceof TransientError);
      await assert.rejects(remote.secret(), /no method secret/);
    } finally {
      remote.detach();
      stop();
    }
    await assert.rejects(remote.add(1, 1), (err) => err instanceof TransientError);
  });
});
