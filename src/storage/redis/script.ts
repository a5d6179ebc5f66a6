/**
 * Runs a Lua script by its SHA1 (EVALSHA, the script body is not resent on every call), falling
 * back to EVAL — which also caches it on the server — when Redis does not know it yet (first use,
 * restart, SCRIPT FLUSH, failover).
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './client.js';

export interface LuaScript {
  source: string;
  sha1: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

export async function runScript(client: RedisClient, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  try {
    return await client.evalSha(script.sha1, { keys, arguments: args });
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return client.eval(script.source, { keys, arguments: args });
  }
}
