/**
 * `log0 normalize`: what log0 makes of each line of stdin, one JSON object per line out — the tool
 * to see why two errors did or did not group. A line that is a JSON object with a `message` is read
 * as a log (serviceName, environment, level, message, trace, tenantId, as the gateway takes them);
 * any other line is a raw message. Blank lines are skipped. With fingerprint rules (--rules, or
 * LOG0_FINGERPRINT_RULES) and a tenant (--tenant, or the log's tenantId), the tenant's rules apply
 * and the output names the rules that matched.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { RawLogEvent } from '../contracts/types.js';
import { FingerprintRules } from '../services/normalization/fingerprint-rules.js';
import { normalizeLog } from '../services/normalization/normalize.js';

export interface NormalizeOptions {
  service: string;
  environment: string;
  level?: string;
  tenant: string;
  rules: FingerprintRules;
}

/** Placeholders for what the output does not show (ids and times do not affect grouping). */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const EPOCH = '1970-01-01T00:00:00.000Z';

function asLog(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(line);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && typeof (parsed as { message?: unknown }).message === 'string'
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null; // a raw line that happens to start with `{`
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The output object of one input line. */
function explainLine(line: string, options: NormalizeOptions): Record<string, unknown> {
  const log = asLog(line);
  const raw: RawLogEvent = {
    eventId: NIL_UUID,
    tenantId: text(log?.tenantId) ?? options.tenant,
    serviceName: text(log?.serviceName) ?? options.service,
    environment: text(log?.environment) ?? options.environment,
    level: text(log?.level) ?? options.level ?? '',
    message: log ? (log.message as string) : line,
    trace: text(log?.trace) ?? null,
    receivedAt: EPOCH,
  };
  const explain = { rulesApplied: [] as string[] };
  const normalized = normalizeLog(raw, options.rules, explain);
  const { rulesApplied } = explain;
  return {
    level: normalized.level,
    messageTemplate: normalized.messageTemplate,
    exceptionType: normalized.exceptionType ?? null,
    firstStackFrame: normalized.firstStackFrame ?? null,
    fingerprint: normalized.fingerprint,
    ...(rulesApplied.length > 0 ? { rules: rulesApplied } : {}),
  };
}

export async function normalizeStream(input: Readable, output: Writable, options: NormalizeOptions): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    if (!output.write(JSON.stringify(explainLine(line, options)) + '\n')) {
      await new Promise((resolve) => output.once('drain', resolve));
    }
  }
}

export function rulesFrom(path: string | undefined): FingerprintRules {
  return path ? FingerprintRules.load(path) : FingerprintRules.none;
}
