/**
 * A Bus in a thread that does not own it: every call goes over a MessagePort to the thread that
 * serves the real bus (host.ts). Implements the Bus port in full and passes its contract suite.
 */
import type { MessagePort } from 'node:worker_threads';
import { TransientError } from '../../runtime/errors.js';
import type {
  Bus,
  BusRecord,
  ConsumeOptions,
  PartitionAssignment,
  PartitionPosition,
  ProduceRecord,
  RecordPosition,
  Subscription,
  TopicSpec,
} from '../port.js';
import {
  packProduce,
  toWireError,
  transferOf,
  unpackFrames,
  unpackPositions,
  unpackRecords,
  type BusCall,
  type ClientMessage,
  type HostMessage,
  type PackedRecords,
  type ProduceOutcome,
  type WireError,
} from './protocol.js';

function fromWire(error: WireError): Error {
  if (error.name === 'TransientError') return new TransientError(error.message);
  return Object.assign(new Error(error.message), { name: error.name }, error.code ? { code: error.code } : {});
}

export class ThreadBus implements Bus {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly consumers = new Map<number, ConsumeOptions>();
  private closed = false;
  private outgoing: Array<{
    topic: string;
    packed: PackedRecords;
    resolve: (positions: RecordPosition[]) => void;
    reject: (err: Error) => void;
  }> = [];

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: HostMessage) => this.receive(message));
  }

  private call<T>(call: BusCall, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new TransientError('bus client is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind: 'call', id, ...call } satisfies ClientMessage, transfer);
    });
  }

  private receive(message: HostMessage): void {
    if (message.kind === 'result') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(fromWire(message.error));
      else waiting?.resolve(message.value);
      return;
    }
    const options = this.consumers.get(message.subscription);
    const work =
      !options
        ? Promise.reject(new Error(`bus thread: unknown subscription ${message.subscription}`))
        : message.kind === 'frames'
          ? options.handler(unpackFrames(message.frames))
          : message.kind === 'assigned'
            ? (options.onAssigned?.(message.assigned) ?? Promise.resolve())
            : (options.onRevoked?.(message.revoked) ?? Promise.resolve());
    work.then(
      () => this.port.postMessage({ kind: 'callbackDone', id: message.id } satisfies ClientMessage),
      (err) => this.port.postMessage({ kind: 'callbackDone', id: message.id, error: toWireError(err) } satisfies ClientMessage),
    );
  }

  ensureTopics(topics: TopicSpec[]): Promise<void> {
    return this.call({ method: 'ensureTopics', args: [topics] });
  }

  partitionCount(topic: string): Promise<number> {
    return this.call({ method: 'partitionCount', args: [topic] });
  }

  /**
   * Produce calls of one event-loop turn travel as one message (many single-log HTTP requests
   * arrive per turn under load): one postMessage and one wake-up of the bus thread instead of one
   * per call. Each call still resolves or fails on its own.
   */
  produce(topic: string, records: ProduceRecord[]): Promise<RecordPosition[]> {
    if (this.closed) return Promise.reject(new TransientError('bus client is closed'));
    let packed: PackedRecords;
    try {
      packed = packProduce(records);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      if (this.outgoing.length === 0) setImmediate(() => this.flushProduces());
      this.outgoing.push({ topic, packed, resolve, reject });
    });
  }

  private flushProduces(): void {
    const calls = this.outgoing;
    this.outgoing = [];
    this.call<ProduceOutcome[]>(
      { method: 'produceMany', args: [calls.map(({ topic, packed }) => ({ topic, records: packed }))] },
      calls.flatMap(({ packed }) => transferOf(packed)),
    ).then(
      (outcomes) =>
        outcomes.forEach((outcome, i) => ('error' in outcome ? calls[i].reject(fromWire(outcome.error)) : calls[i].resolve(unpackPositions(calls[i].topic, outcome)))),
      (err: Error) => calls.forEach((c) => c.reject(err)),
    );
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    // Registered before the call: the host may call onAssigned before the call returns.
    const subscription = this.nextId++;
    this.consumers.set(subscription, options);
    await this.call<number>({
      method: 'consume',
      args: [
        {
          subscription,
          groupId: options.groupId,
          topics: options.topics,
          maxBatchRecords: options.maxBatchRecords,
          resetTo: options.resetTo,
          withOnAssigned: Boolean(options.onAssigned),
          withOnRevoked: Boolean(options.onRevoked),
        },
      ],
    }).catch((err) => {
      this.consumers.delete(subscription);
      throw err;
    });
    return {
      stop: async () => {
        await this.call({ method: 'stopSubscription', args: [subscription] });
        this.consumers.delete(subscription);
      },
    };
  }

  groupPositions(groupId: string, topic: string): Promise<PartitionPosition[]> {
    return this.call({ method: 'groupPositions', args: [groupId, topic] });
  }

  seekGroupToTimestamp(groupId: string, topic: string, timestamp: number): Promise<void> {
    return this.call({ method: 'seekGroupToTimestamp', args: [groupId, topic, timestamp] });
  }

  offsetForTimestamp(topic: string, partition: number, timestamp: number): Promise<number> {
    return this.call({ method: 'offsetForTimestamp', args: [topic, partition, timestamp] });
  }

  partitionBounds(topic: string, partition: number): Promise<{ earliest: number; latest: number }> {
    return this.call({ method: 'partitionBounds', args: [topic, partition] });
  }

  async *read(topic: string, partition: number, from: number, to: number): AsyncIterable<BusRecord[]> {
    const readId = await this.call<number>({ method: 'readOpen', args: [topic, partition, from, to] });
    let finished = false;
    try {
      for (;;) {
        const packed = await this.call<PackedRecords | null>({ method: 'readNext', args: [readId] });
        if (!packed) {
          finished = true;
          return;
        }
        yield unpackRecords(packed);
      }
    } finally {
      if (!finished) await this.call({ method: 'readClose', args: [readId] }).catch(() => undefined);
    }
  }

  ping(): Promise<void> {
    return this.call({ method: 'ping', args: [] });
  }

  /** Detaches this client; the bus itself belongs to the host thread and stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiting of this.pending.values()) waiting.reject(new TransientError('bus client is closed'));
    this.pending.clear();
    this.port.close();
  }
}

export function connectBusOverPort(port: MessagePort): Bus {
  return new ThreadBus(port);
}

export type { PartitionAssignment };
