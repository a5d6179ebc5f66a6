/**
 * Request/response calls of an object's async methods across threads over a MessagePort
 * (structured clone for arguments and results). For ports whose calls are plain data in and out;
 * the bus, which calls back into its clients, has its own protocol (bus/thread).
 */
import type { MessagePort } from 'node:worker_threads';
import { TransientError } from './errors.js';

type Request = { id: number; method: string; args: unknown[] };
type Response = { id: number; value?: unknown; error?: { name: string; message: string; code?: string } };

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: any[]) => Promise<any> ? K : never }[keyof T];

/** Serves `methods` of `target` on `port`; the returned function stops serving. */
export function serveMethods<T extends object>(target: T, methods: ReadonlyArray<AsyncMethods<T>>, port: MessagePort): () => void {
  const allowed = new Set<string>(methods as ReadonlyArray<string>);
  port.on('message', async ({ id, method, args }: Request) => {
    try {
      if (!allowed.has(method)) throw new Error(`thread rpc: no method ${method}`);
      const value = await (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args);
      port.postMessage({ id, value } satisfies Response);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      const code = (e as { code?: unknown }).code;
      port.postMessage({ id, error: { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) } } satisfies Response);
    }
  });
  return () => port.close();
}

/** A proxy whose `methods` call the served object on the other side of `port`. */
export function callMethods<T extends object>(port: MessagePort, methods: ReadonlyArray<AsyncMethods<T>>): T & { detach(): void } {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let detached = false;
  port.on('message', ({ id, value, error }: Response) => {
    const waiting = pending.get(id);
    pending.delete(id);
    if (!waiting) return;
    if (!error) return waiting.resolve(value);
    const err = error.name === 'TransientError' ? new TransientError(error.message) : new Error(error.message);
    waiting.reject(Object.assign(err, error.name === 'TransientError' ? {} : { name: error.name }, error.code ? { code: error.code } : {}));
  });
  const proxy: Record<string, unknown> = {
    detach() {
      detached = true;
      for (const waiting of pending.values()) waiting.reject(new TransientError('thread rpc: detached'));
      pending.clear();
      port.close();
    },
  };
  for (const method of methods as ReadonlyArray<string>) {
    proxy[method] = (...args: unknown[]) => {
      if (detached) return Promise.reject(new TransientError('thread rpc: detached'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        port.postMessage({ id, method, args } satisfies Request);
      });
    };
  }
  return proxy as T & { detach(): void };
}
