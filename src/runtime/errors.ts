/** Error kinds that decide what the pipeline does with a failure. */

/** A dependency is unavailable (store down, bus unreachable): retry later, never dead-letter. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/** This message can never be processed (invalid, contradicts state): dead-letter it at once. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/** An HTTP error with a JSON body `{error, message, ...details}`. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
