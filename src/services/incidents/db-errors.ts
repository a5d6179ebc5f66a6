/**
 * How the incident service reacts to database failures: which ones are worth retrying at once
 * (a lost race), and which mean "the database is unavailable, try the message later" rather than
 * "this message is bad".
 */

/** SQLSTATE of a PostgreSQL error (PGlite and node-postgres both expose it as `code`). */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** unique_violation, serialization_failure, deadlock_detected: another transaction won a race. */
export function isLostRace(err: unknown): boolean {
  const state = sqlState(err);
  return state === '23505' || state === '40001' || state === '40P01';
}

/**
 * The database cannot serve right now: connection lost (class 08), out of resources (53), shutting
 * down (57), lock timeout (55P03), or a race still lost after a retry (40). A server that cannot be
 * reached at all is already a TransientError from the SQL adapter (storage/postgres, storage/pglite).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (['08', '53', '57', '40'].includes(state.slice(0, 2)) || state === '55P03');
}
