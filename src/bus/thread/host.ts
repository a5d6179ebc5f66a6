/**
 * Serves the embedded bus to another thread over a MessagePort: the owning thread keeps the bus
 * (and its files); clients in other threads call it through client.ts. Consumer batches are
 * pushed to the client and the host's handler resolves only when the client's handler did, so
 * commit-after-processing and redelivery hold across the thread boundary exactly as in-process.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EmbeddedBus } from '../embedded/index.js';
import type { BusRecord, PartitionAssignment, Subscription } from '../port.js';
import {
  packFrames,
  packPositions,
  packRecords,
  toWireError,
  transferOf,
  unpackProduce,
  type ClientMessage,
  type HostMessage,
  type ProduceOutcome,
  type WireError,
} from './protocol.js';

function remoteError(error: WireError): Error {
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

/** Starts serving; the returned function stops every subscription made through this port. */
export function serveBusOverPort(bus: EmbeddedBus, port: MessagePort): () => Promise<void> {
  const subscriptions = new Map<number, Subscription>();
  const reads = new Map<number, AsyncIterator<BusRecord[]>>();
  const callbacks = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextId = 1;

  const post = (message: HostMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

  /** Calls back into the client and waits for its answer. */
  type Callback = Exclude<HostMessage, { kind: 'result' }>;
  function callback(message: Callback extends infer M ? (M extends Callback ? Omit<M, 'id'> : never) : never, transfer: ArrayBuffer[] = []) {
    const id = nextId++;
    return new Promise<void>((resolve, reject) => {
      callbacks.set(id, { resolve, reject });
      post({ ...message, id } as HostMessage, transfer);
    });
  }

  async function call(message: Extract<ClientMessage, { kind: 'call' }>): Promise<unknown> {
    switch (message.method) {
      case 'ensureTopics':
        return bus.ensureTopics(...message.args);
      case 'partitionCount':
        return bus.partitionCount(...message.args);
      case 'produceMany':
        // Concurrent, so they share the bus's group commit; each call succeeds or fails on its own.
        return Promise.all(
          message.args[0].map(({ topic, records }) =>
            bus.produce(topic, unpackProduce(records)).then(
              (positions): ProduceOutcome => packPositions(positions),
              (err): ProduceOutcome => ({ error: toWireError(err) }),
            ),
          ),
        );
      case 'consume': {
        const request = message.args[0];
        const { subscription } = request;
        if (subscriptions.has(subscription)) throw new Error(`bus thread: subscription ${subscription} exists`);
        // Batches go over as their frames, which the client decodes: not decoded here.
        const handle = await bus.consumeFrames({
          groupId: request.groupId,
          topics: request.topics,
          maxBatchRecords: request.maxBatchRecords,
          resetTo: request.resetTo,
          onAssigned: request.withOnAssigned
            ? (assigned: PartitionAssignment[]) => callback({ kind: 'assigned', subscription, assigned })
            : undefined,
          onRevoked: request.withOnRevoked
            ? (revoked: Array<{ topic: string; partition: number }>) => callback({ kind: 'revoked', subscription, revoked })
            : undefined,
          handler: (batch, topic, partition) => {
            const frames = packFrames(batch, topic, partition);
            return callback({ kind: 'frames', subscription, frames }, transferOf(frames));
          },
        });
        subscriptions.set(subscription, handle);
        return subscription;
      }
      case 'stopSubscription': {
        const handle = subscriptions.get(message.args[0]);
        subscriptions.delete(message.args[0]);
        return handle?.stop();
      }
      case 'groupPositions':
        return bus.groupPositions(...message.args);
      case 'seekGroupToTimestamp':
        return bus.seekGroupToTimestamp(...message.args);
      case 'offsetForTimestamp':
        return bus.offsetForTimestamp(...message.args);
      case 'partitionBounds':
        return bus.partitionBounds(...message.args);
      case 'readOpen': {
        const id = nextId++;
        reads.set(id, bus.read(...message.args)[Symbol.asyncIterator]());
        return id;
      }
      case 'readNext': {
        const iterator = reads.get(message.args[0]);
        if (!iterator) throw new Error(`bus thread: no open read ${message.args[0]}`);
        const next = await iterator.next();
        if (next.done) {
          reads.delete(message.args[0]);
          return null;
        }
        return packRecords(next.value);
      }
      case 'readClose': {
        const iterator = reads.get(message.args[0]);
        reads.delete(message.args[0]);
        await iterator?.return?.();
        return undefined;
      }
      case 'ping':
        return bus.ping();
    }
  }

  port.on('message', (message: ClientMessage) => {
    if (message.kind === 'callbackDone') {
      const waiting = callbacks.get(message.id);
      callbacks.delete(message.id);
      if (message.error) waiting?.reject(remoteError(message.error));
      else waiting?.resolve();
      return;
    }
    // The callbacks keep only the id and method: a produce's message (its records) can go while
    // the write is made durable.
    const { id, method } = message;
    call(message).then(
      (value) => {
        const packed = method === 'readNext' && value ? transferOf(value as never) : [];
        post({ kind: 'result', id, value }, packed);
      },
      (err) => post({ kind: 'result', id, error: toWireError(err) }),
    );
  });

  return async () => {
    const handles = [...subscriptions.values()];
    subscriptions.clear();
    await Promise.all(handles.map((h) => h.stop()));
    // A client gone mid-batch never answers: fail its batches so nothing waits forever (no commit).
    for (const waiting of callbacks.values()) waiting.reject(new Error('bus thread: client disconnected'));
    callbacks.clear();
    port.close();
  };
}
