/**
 * The `uuid` format of the contracts, checked without a regular expression: the same verdicts as
 * ajv-formats' /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i, at a fraction of
 * the cost. Every message on the bus carries two of them (eventId, tenantId), checked by each
 * consumer: the regular expression took about 1 % of the processing and storage threads' time.
 */
const URN_PREFIX = 'urn:uuid:';

export function isUuid(text: string): boolean {
  let at = 0;
  if (text.length === URN_PREFIX.length + 36) {
    if (text.slice(0, URN_PREFIX.length).toLowerCase() !== URN_PREFIX) return false;
    at = URN_PREFIX.length;
  } else if (text.length !== 36) {
    return false;
  }
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(at + i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false; // '-'
      continue;
    }
    const lower = c | 0x20; // A–F → a–f; digits keep their code
    if (!((c >= 48 && c <= 57) || (lower >= 97 && lower <= 102))) return false;
  }
  return true;
}
