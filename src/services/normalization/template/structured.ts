/**
 * Structured messages: a JSON object is templated by its keys. The keys and the object's shape stay; the
 * message-like fields (`msg`, `message`, `error`, …) are templated as messages; every other value is `<*>`
 * unless it is a constant word or phrase (`"level":"error"`, `"method":"GET"`).
 */
import { PLACEHOLDER } from './placeholders.js';

/** Keys whose value is a message of its own, templated as one rather than masked. */
export const MESSAGE_KEYS = new Set([
  'msg', 'message', 'error', 'err', 'errormessage', 'error_message', 'errmsg', 'event', 'reason', 'description', 'desc',
  'text', 'detail', 'details', 'summary', 'log', 'exception', 'cause', 'status_message', 'statusmessage',
]);

/** Keys whose value identifies a user, a host, a request…: always `<*>`, even a plain word. */
const VALUE_KEYS = new Set([
  'user', 'username', 'user_name', 'userid', 'user_id', 'login', 'account', 'owner', 'principal', 'email', 'host', 'hostname',
  'ip', 'addr', 'address', 'remote_addr', 'client', 'client_ip', 'peer', 'server', 'pod', 'pod_name', 'node', 'node_name',
  'container', 'container_id', 'instance', 'instance_id', 'name', 'id', 'uuid', 'guid', 'key', 'session', 'session_id',
  'request_id', 'requestid', 'trace_id', 'traceid', 'span_id', 'spanid', 'correlation_id', 'tenant', 'tenant_id', 'path',
  'url', 'uri', 'file', 'filename', 'query', 'ts', 'time', 'timestamp', '@timestamp', 'date', 'datetime',
]);

type Templater = (message: string) => string;

/**
 * The template of a message that is a JSON object, or null when it is not one. `templateMessage` templates
 * the message-like fields.
 */
export function templateJson(message: string, templateMessage: Templater): string | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return JSON.stringify(templateObject(value as Record<string, unknown>, templateMessage, 0));
}

const MAX_DEPTH = 16;

function templateObject(object: Record<string, unknown>, templateMessage: Templater, depth: number): Record<string, unknown> {
  // No prototype: a key such as `__proto__` is a key like any other.
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(object)) out[key] = templateField(key, object[key], templateMessage, depth + 1);
  return out;
}

function templateField(key: string, value: unknown, templateMessage: Templater, depth: number): unknown {
  if (depth > MAX_DEPTH) return PLACEHOLDER.any;
  if (typeof value === 'string') {
    const lower = key.toLowerCase();
    if (MESSAGE_KEYS.has(lower)) return templateMessage(value);
    if (VALUE_KEYS.has(lower) || lower.endsWith('_id') || key.endsWith('Id')) return PLACEHOLDER.any;
    // A constant word or phrase stays (`"level":"error"`); anything with a value in it is a value.
    return value.length <= 64 && templateMessage(value) === value ? value : PLACEHOLDER.any;
  }
  if (Array.isArray(value)) {
    // A list of any length: its distinct item templates, in order of first appearance.
    const items: unknown[] = [];
    const seen = new Set<string>();
    for (const item of value) {
      const template = templateField(key, item, templateMessage, depth + 1);
      const text = JSON.stringify(template);
      if (!seen.has(text)) {
        seen.add(text);
        items.push(template);
      }
    }
    return items;
  }
  if (value !== null && typeof value === 'object') return templateObject(value as Record<string, unknown>, templateMessage, depth);
  return PLACEHOLDER.any;
}
