/**
 * The fingerprint groups logs into incidents: logs with the same fingerprint are the same problem.
 *
 * SHA-256, lowercase hex, of `serviceName|messageTemplate|exceptionType|firstStackFrame` (UTF-8), as the
 * contract defines it; a missing exception type or frame contributes an empty string, so "no trace" and
 * "a trace we could not parse" group together. The fields are joined as they are, without escaping `|`:
 * the formula is part of the contract, and anyone holding a normalized log can recompute it.
 */
import { hash } from 'node:crypto';

export function fingerprint(
  serviceName: string,
  messageTemplate: string,
  exceptionType: string | null | undefined,
  firstStackFrame: string | null | undefined,
): string {
  // crypto.hash: one-shot, about 3× faster than createHash for short inputs (Node ≥ 20.12).
  return hash('sha256', `${serviceName}|${messageTemplate}|${exceptionType ?? ''}|${firstStackFrame ?? ''}`, 'hex');
}
