/**
 * A ClickHouse server for tests: CLICKHOUSE_URL if set (its path, if any, is ignored: tests
 * make their own databases), else the repo's own, started with scripts/clickhouse.sh (Debian's
 * clickhouse-server, installed with apt on first use; a no-op when it already runs). It is
 * left running for later test files; the test runner or `scripts/clickhouse.sh stop` stops it.
 *
 * Also a counting HTTP proxy, to observe what the adapter sends (how many inserts) and to make
 * the server vanish mid-test.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/package-root.js';

const START_TIMEOUT_MS = 600_000; // the first start may install the package with apt

let located: Promise<string> | null = null;

/** Base URL of the server (origin plus credentials, no database), memoized per process. */
export function clickHouseUrl(): Promise<string> {
  located ??= locate();
  return located;
}

/** `base` with `database` as its path: the URL form createClickHouseLogStore takes. */
export function urlWithDatabase(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** A database name no other test uses. */
export function freshDatabaseName(): string {
  return `log0_test_${randomUUID().replaceAll('-', '')}`;
}

async function locate(): Promise<string> {
  const fromEnv = process.env.CLICKHOUSE_URL?.trim();
  if (fromEnv) {
    const url = new URL(fromEnv);
    url.pathname = '/';
    url.search = '';
    return url.toString().replace(/\/$/, '');
  }
  const local = `http://127.0.0.1:${process.env.CLICKHOUSE_HTTP_PORT ?? '8123'}`;
  const root = packageRoot();
  const result = spawnSync('bash', [join(root, 'scripts', 'clickhouse.sh'), 'start'], {
    cwd: root,
    // The server runs on in the background (output in .clickhouse/); the script's own output is
    // captured so a failure can be reported (the test runner owns this process's stdout).
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
  });
  if (result.status !== 0 && !(await serves(local))) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`scripts/clickhouse.sh start failed (${result.error ? result.error.message : `exit ${result.status}`}):\n${output}`);
  }
  if (!(await serves(local))) throw new Error(`scripts/clickhouse.sh started ClickHouse but nothing answers on ${local}/ping`);
  return local;
}

async function serves(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/ping`, { signal: AbortSignal.timeout(2_000) });
    return (await response.text()).trim() === 'Ok.';
  } catch {
    return false;
  }
}

export interface CountingProxy {
  /** `base` URL routed through the proxy (same credentials). */
  url: string;
  /** Requests forwarded so far whose SQL starts with INSERT. */
  readonly inserts: number;
  /** Requests forwarded so far. */
  readonly requests: number;
  /** Stops accepting and cuts open connections: the server looks gone. */
  close(): Promise<void>;
}

/** An HTTP proxy in front of `base`, counting the requests it forwards. */
export async function startCountingProxy(base: string): Promise<CountingProxy> {
  const target = new URL(base);
  let inserts = 0;
  let requests = 0;
  const server: Server = createServer((incoming, outgoing) => {
    requests += 1;
    // The client sends an insert's SQL in the `query` URL parameter, the rows in the body.
    const sqlInUrl = new URL(incoming.url ?? '/', 'http://proxy').searchParams.get('query') ?? '';
    if (/^\s*INSERT\b/i.test(sqlInUrl)) inserts += 1;
    const forwarded = request(
      { host: target.hostname, port: target.port || 80, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxied = new URL(base);
  proxied.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: proxied.toString().replace(/\/$/, ''),
    get inserts() {
      return inserts;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
