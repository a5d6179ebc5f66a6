/**
 * Runs `log0 up` as a real child process for end-to-end tests: its own temp data dir (or a given
 * one, to restart on the same data), ephemeral ports read back from the startup banner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/package-root.js';

/** A running log0 process (`log0 up` or `log0 serve …`) and how to end it. */
export interface RunningLog0 {
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL, no cleanup: the crash case. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit; resolves with the exit code (at once if it already exited). */
  stop(): Promise<number | null>;
}

export interface PlatformProcess extends RunningLog0 {
  gateway: string;
  incidents: string;
  notifications: string;
}

/** kill9 and stop of a spawned log0. */
export function endings(child: ChildProcess, exited: Promise<number | null>): Pick<RunningLog0, 'kill9' | 'stop'> {
  return {
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Settings that choose the bus and the stores. The test runner sets KAFKA_BROKERS and
 * CLICKHOUSE_URL for the tests that ask for a broker or a server; a log0 a test starts gets them
 * only when the test passes them, so a test of the embedded platform runs embedded.
 */
const STORE_SELECTORS = ['KAFKA_BROKERS', 'CLICKHOUSE_URL', 'DATABASE_URL', 'REDIS_URL'];

/** This process's environment without the bus and store choices (see STORE_SELECTORS). */
export function embeddedEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !STORE_SELECTORS.includes(name)));
}

export function tempDataDir(prefix = 'log0-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

const SERVICE_LINE = /^\s+(ingestion gateway|incident service|notification service)\s+(http:\/\/\S+)/gm;

/** A started log0 child process, its output so far, and a promise of its exit code. */
export interface Log0Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Spawns `log0 <args>` and waits until `ready(output)` finds what it needs in the startup banner
 * (it returns undefined until then); fails with the output when log0 exits first or takes too long.
 */
export async function spawnLog0<T>(
  args: string[],
  env: Record<string, string | undefined>,
  ready: (output: string) => T | undefined,
  timeoutMs = 60_000,
): Promise<Log0Child & { ready: T }> {
  const profile = process.env.LOG0_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOG0_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, join(packageRoot(), 'dist/src/cli/main.js'), ...args], {
    env: { ...embeddedEnv(), LOG0_HOST: '127.0.0.1', LOG0_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const what = `log0 ${args.join(' ')}`;
  const found = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in time:\n${out}`)), timeoutMs);
    const check = () => {
      const value = ready(out);
      if (value === undefined) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(value);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was up:\n${out}`));
    });
  });
  return { child, output: () => out, exited, ready: found };
}

export async function startPlatformProcess(
  options: { dataDir?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<PlatformProcess> {
  const dataDir = options.dataDir ?? tempDataDir();
  const { child, output, exited, ready: urls } = await spawnLog0(
    ['up'],
    { LOG0_DATA_DIR: dataDir, LOG0_GATEWAY_PORT: '0', LOG0_INCIDENT_PORT: '0', LOG0_NOTIFICATION_PORT: '0', ...options.env },
    (out) => {
      const found = Object.fromEntries([...out.matchAll(SERVICE_LINE)].map((m) => [m[1], m[2]]));
      return Object.keys(found).length === 3 ? found : undefined;
    },
    options.timeoutMs,
  );

  return {
    dataDir,
    gateway: urls['ingestion gateway'].replace('localhost', '127.0.0.1'),
    incidents: urls['incident service'].replace('localhost', '127.0.0.1'),
    notifications: urls['notification service'].replace('localhost', '127.0.0.1'),
    child,
    output,
    ...endings(child, exited),
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
