/**
 * Per-thread CPU time from /proc (src/runtime/thread-cpu.ts), as /metrics reports it: each
 * thread has its own id, and the seconds of the thread that works grow while an idle one's do not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { currentThreadTid, nameThread, namedThreads, threadCpuSeconds } from '../../src/runtime/thread-cpu.js';

const WORKER = `
const { parentPort } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const link = readlinkSync('/proc/thread-self');
parentPort.postMessage(Number(link.slice(link.lastIndexOf('/') + 1)));
parentPort.on('message', (ms) => {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  parentPort.postMessage('done');
});
`;

test('thread ids and CPU seconds: a worker busy for 400 ms gains CPU time, the waiting main thread less', { skip: process.platform !== 'linux' }, async () => {
  const main = currentThreadTid();
  assert.ok(main !== null && main > 0);
  const worker = new Worker(WORKER, { eval: true });
  try {
    const messages: unknown[] = [];
    const next = () =>
      new Promise<unknown>((resolve) => {
        if (messages.length > 0) return resolve(messages.shift());
        worker.once('message', resolve);
      });
    const tid = (await next()) as number;
    assert.notEqual(tid, main);
    const before = threadCpuSeconds(tid)!;
    const mainBefore = threadCpuSeconds(main)!;
    worker.postMessage(400);
    assert.equal(await next(), 'done');
    const gained = threadCpuSeconds(tid)! - before;
    assert.ok(gained >= 0.25 && gained < 2, `the busy worker gained ${gained} s`);
    assert.ok(threadCpuSeconds(main)! - mainBefore < gained, 'the waiting main thread gained less');

    nameThread('worker', tid);
    nameThread('nowhere', null);
    assert.equal(namedThreads().get('worker'), tid);
    assert.equal(namedThreads().has('nowhere'), false);
  } finally {
    await worker.terminate();
  }
  assert.equal(threadCpuSeconds(2 ** 31 - 2), null, 'no such thread');
});
