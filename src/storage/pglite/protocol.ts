/** Messages between the main thread's SqlDatabase and the PGlite worker thread. */

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' };

/** A database error as plain data: structured clone drops an Error's own fields such as `code`. */
export interface WorkerError {
  message: string;
  fields: Record<string, unknown>;
}

export type WorkerResponse =
  | { id: number; ok: true; rows?: unknown[] }
  | { id: number; ok: false; error: WorkerError }
  | { id: 0; ok: false; fatal: true; error: WorkerError };

export function toWorkerError(err: unknown): WorkerError {
  if (!(err instanceof Error)) return { message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { message: err.message, fields };
}

export function fromWorkerError(error: WorkerError): Error {
  return Object.assign(new Error(error.message), error.fields);
}
