/**
 * Reading the query string, path and body of log0's HTTP APIs: every bad value becomes a 400
 * naming the parameter or field, all problems of a request at once. Cursors are opaque base64url.
 */
import type { FastifyRequest } from 'fastify';
import type { ValidationIssue, Validator } from '../contracts/validators.js';
import { HttpError } from './errors.js';
import { isUuid } from './http.js';
import { ucs2length } from '../contracts/string-length.js';

/** The last instant ISO-8601 and epoch-ms inputs may name (9999-12-31T23:59:59.999Z). */
const MAX_EPOCH_MS = 253_402_300_799_999;
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch ms of `value`, or NaN. A date-time without an offset is UTC (JavaScript would take local time). */
export function parseInstant(value: string): number {
  if (/^\d{1,16}$/.test(value)) return Number(value);
  const match = ISO_INSTANT.exec(value);
  if (!match) return NaN;
  const [, year, month, day, time, zone] = match;
  // Date.parse rolls 2026-02-31 over to March; refuse days the month does not have.
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return NaN;
  const offset = !zone || zone === 'z' || zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  return Date.parse(`${year}-${month}-${day}T${time ?? '00:00:00'}${offset}`);
}

/** Collects the query parameters of one request; `done()` throws a 400 listing every problem. */
export class QueryParams {
  private readonly issues: ValidationIssue[] = [];
  private readonly query: Record<string, unknown>;

  constructor(request: FastifyRequest, allowed: readonly string[]) {
    this.query = (request.query ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(this.query)) {
      // An unknown parameter is most likely a misspelt filter; ignoring it would return wrong results.
      if (!allowed.includes(name)) this.issues.push({ field: name, message: `unknown parameter; allowed: ${allowed.join(', ')}` });
    }
  }

  private raw(name: string): string | undefined {
    const value = this.query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      this.issues.push({ field: name, message: 'must be given once' });
      return undefined;
    }
    return value;
  }

  fail(name: string, message: string): undefined {
    this.issues.push({ field: name, message });
    return undefined;
  }

  text(name: string, maxLength: number): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value.length === 0) return this.fail(name, 'must not be empty');
    // Characters as the contracts count them (code points), so any stored name can be asked for.
    if (value.length > maxLength && ucs2length(value) > maxLength) return this.fail(name, `must be at most ${maxLength} characters`);
    return value;
  }

  pattern(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return pattern.test(value) ? value : this.fail(name, `must be ${description}`);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const upper = value.toUpperCase();
    return (values as readonly string[]).includes(upper) ? (upper as T) : this.fail(name, `must be one of ${values.join(', ')}`);
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  /** ISO-8601 date or date-time (UTC unless it has an offset), or epoch milliseconds; as epoch ms. */
  instant(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const ms = parseInstant(value);
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
      return this.fail(name, 'must be an ISO-8601 date-time or epoch milliseconds, from 1970 to 9999');
    }
    return ms;
  }

  /** An opaque cursor previously returned as nextCursor. */
  cursor<T>(name: string, decode: (json: unknown) => T | undefined): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const decoded = decodeCursor(value, decode);
    return decoded === undefined ? this.fail(name, 'is not a cursor returned by this API') : decoded;
  }

  done(): void {
    if (this.issues.length > 0) throw invalid('invalid_parameter', this.issues);
  }
}

function invalid(code: string, issues: ValidationIssue[]): HttpError {
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new HttpError(400, code, message, { issues });
}

/** A UUID path parameter (default `:id`), lower-cased; 400 naming it otherwise. */
export function uuidParamOf(request: FastifyRequest, name = 'id'): string {
  const id = (request.params as Record<string, unknown>)[name];
  if (!isUuid(id)) throw invalid('invalid_parameter', [{ field: name, message: 'must be a UUID' }]);
  return id.toLowerCase();
}

/**
 * The JSON body checked against its contract schema. An absent body counts as `{}`: fine where
 * every field is optional, and otherwise the 400 names the missing fields.
 */
export function bodyOf<T>(request: FastifyRequest, validate: Validator<T>): T {
  const body = request.body === undefined ? {} : request.body;
  const result = validate(body);
  if (!result.ok) throw invalid('invalid_body', result.issues);
  return result.value;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeCursor<T>(text: string, decode: (json: unknown) => T | undefined): T | undefined {
  if (text.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    return decode(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    return undefined;
  }
}
