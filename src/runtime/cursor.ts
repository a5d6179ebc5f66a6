/** Opaque pagination cursors: base64url of a small JSON value, validated on the way back in. */
import { HttpError } from './errors.js';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Decodes a cursor with `check`; a tampered or foreign cursor is a 400 naming the parameter. */
export function decodeCursor<T>(raw: string, check: (value: unknown) => value is T, parameter = 'cursor'): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value)) throw new HttpError(400, 'invalid_parameter', `${parameter} is not a valid cursor`, { field: parameter });
  return value;
}
