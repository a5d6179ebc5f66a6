/**
 * Runs `log0 up` as a real child process for end-to-end tests: its own temp data dir (or a given
 * one, to restart on the same data), ephemeral ports read back from the startup banner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/package-root.js';

export interface PlatformProcess {
  dataDir: string;
  gateway: string;
  incidents: string;
  notifications: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, no cleanup: the crash case. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function tempDataDir(prefix = 'log0-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const SERVICE_LINE = /^\s+(ingestion gateway|incident service|notification service)\s+(http:\/\/\S+)/gm;

export async function startPlatformProcess(
  options: { dataDir?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<PlatformProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [...(process.env.LOG0_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOG0_PROFILE_DIR}`] : []), join(packageRoot(), 'dist/src/cli/main.js'), 'up'], {
    env: {
      ...process.env,
      LOG0_DATA_DIR: dataDir,
      LOG0_HOST: '127.0.0.1',
      LOG0_GATEWAY_PORT: '0',
      LOG0_INCIDENT_PORT: '0',
      LOG0_NOTIFICATION_PORT: '0',
      LOG0_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`log0 did not start in time:\n${out}`)), options.timeoutMs ?? 60_000);
    const check = () => {
      const found = Object.fromEntries([...out.matchAll(SERVICE_LINE)].map((m) => [m[1], m[2]]));
      if (Object.keys(found).length === 3) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(found);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`log0 exited with ${code} before it was up:\n${out}`));
    });
  });

  return {
    dataDir,
    gateway: urls['ingestion gateway'].replace('localhost', '127.0.0.1'),
    incidents: urls['incident service'].replace('localhost', '127.0.0.1'),
    notifications: urls['notification service'].replace('localhost', '127.0.0.1'),
    child,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails with the last state. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 250, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function getJson(url: string, tenantId: string): Promise<any> {
  const response = await fetch(url, { headers: { 'x-tenant-id': tenantId } });
  if (!response.ok) throw new Error(`GET ${url} → ${response.status} ${await response.text()}`);
  return response.json();
}

export async function postLogs(
  gateway: string,
  tenantId: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${gateway}/api/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenantId, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: response.status, body: parsed };
}

/** Every log of a search, following nextCursor. */
export async function allLogs(incidents: string, tenantId: string, query = ''): Promise<any[]> {
  const logs: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '';
    const page: any = await getJson(
      `${incidents}/api/v1/logs?${query}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      tenantId,
    );
    logs.push(...page.logs);
    cursor = page.nextCursor;
  } while (cursor);
  return logs;
}
