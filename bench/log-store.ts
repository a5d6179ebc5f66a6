/**
 * Log store benchmark (embedded DuckDB adapter).
 *
 *   node dist/bench/log-store.js [rows=1000000] [--dir <folder>] [--keep] [--memory-limit 512MB]
 *
 * Appends `rows` realistic logs in batches of 1,000–5,000 (1,200 templates, 20 tenants, 8
 * services, 30% with a 10–30 frame stack trace, 5% of batches redelivering part of the
 * previous one), spread over 24 hours of timestamps with 0.5% stragglers up to 10 minutes
 * late. While appending, the same process generates the logs and runs a search every 50 ms,
 * so the figures include that contention. Then measures search latency per query shape,
 * file size, RSS and reopen time. Prints a table, then one JSON line.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { NormalizedLogEvent } from '../src/contracts/types.js';
import type { LogQuery, LogStore } from '../src/storage/log-store.js';
import { createDuckDbLogStore } from '../src/storage/duckdb/index.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const args = process.argv.slice(2);
const totalRows = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
const dirFlag = args.indexOf('--dir');
const keep = args.includes('--keep');
const memoryLimitFlag = args.indexOf('--memory-limit');
const memoryLimit = memoryLimitFlag >= 0 ? args[memoryLimitFlag + 1] : undefined;
const dir = dirFlag >= 0 ? args[dirFlag + 1] : mkdtempSync(join(tmpdir(), 'log0-bench-log-store-'));
const dbPath = join(dir, 'logs.duckdb');

// ---------------------------------------------------------------------------------------------
// Realistic logs, deterministic apart from eventIds and the UUIDs inside messages

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

const VERBS = ['Connection timeout to', 'Failed to reach', 'Retrying request to', 'Slow response from', 'Cache miss for', 'Login via', 'Payment declined by', 'Queue backlog on', 'Health check failed for', 'Circuit opened for'];
const TARGETS = ['payment-gateway', 'auth-service', 'inventory-db', 'redis-cluster', 'kafka-broker', 's3-bucket', 'search-index', 'email-relay', 'fraud-check', 'pricing-api', 'geo-lookup', 'ledger'];
const DETAILS = ['after <number>ms', 'for order <uuid>', 'from <ip>', 'with status <number>', '(attempt <number> of <number>)', 'user <uuid> session <uuid>', 'payload <number> bytes', 'shard <number>', 'region eu-west-<number>', 'code <number>'];
const TEMPLATES = VERBS.flatMap((verb) => TARGETS.flatMap((target) => DETAILS.map((detail) => `${verb} ${target} ${detail}`)));
const TENANTS = Array.from({ length: 20 }, () => randomUUID());
const SERVICES = ['payment-service', 'checkout', 'auth', 'inventory', 'search', 'notifications', 'gateway', 'billing'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging', 'dev'];
const LEVELS: Array<[string, number]> = [['INFO', 0.6], ['DEBUG', 0.1], ['WARN', 0.15], ['ERROR', 0.13], ['FATAL', 0.02]];
const EXCEPTIONS = ['java.net.SocketTimeoutException', 'java.lang.NullPointerException', 'java.lang.IllegalStateException', 'org.postgresql.util.PSQLException', 'io.grpc.StatusRuntimeException'];

function pickLevel(): string {
  let x = random();
  for (const [level, weight] of LEVELS) if ((x -= weight) < 0) return level;
  return 'INFO';
}

function fillTemplate(template: string): string {
  return template
    .replace(/<number>/g, () => String(Math.floor(random() * 100_000)))
    .replace(/<uuid>/g, () => randomUUID())
    .replace(/<ip>/g, () => `10.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}.${Math.floor(random() * 255)}`);
}

const fingerprints = new Map<string, string>();
function fingerprint(serviceName: string, template: string, exceptionType: string | null, frame: string | null): string {
  const key = `${serviceName}|${template}|${exceptionType ?? ''}|${frame ?? ''}`;
  let value = fingerprints.get(key);
  if (!value) fingerprints.set(key, (value = createHash('sha256').update(key).digest('hex')));
  return value;
}

/**
 * One code path per (template, service): its exception type and first frame are fixed, the
 * deeper frames vary. That keeps distinct fingerprints realistic (~20k, not one per trace).
 */
function stackTrace(templateIndex: number, serviceIndex: number): { exceptionType: string; frame: string; trace: string } {
  const exceptionType = EXCEPTIONS[(templateIndex + serviceIndex) % EXCEPTIONS.length];
  const pkg = `com.acme.${SERVICES[serviceIndex].replace('-', '')}`;
  const frame = `${pkg}.Handler${templateIndex % 40}.handle${templateIndex % 7}(Handler${templateIndex % 40}.java)`;
  const lines = [`${exceptionType}: ${pick(['Connect timed out', 'unexpected null', 'illegal state', 'deadline exceeded'])}`];
  lines.push(`    at ${frame.replace('.java)', `.java:${10 + (templateIndex % 300)})`)}`);
  const depth = 10 + Math.floor(random() * 21);
  for (let i = 1; i < depth; i++) {
    lines.push(`    at ${pkg}.C${Math.floor(random() * 40)}.m${Math.floor(random() * 30)}(C${i}.java:${Math.floor(random() * 500)})`);
  }
  return { exceptionType, frame, trace: lines.join('\n') };
}

function makeLog(timestampMs: number): NormalizedLogEvent {
  const templateIndex = Math.floor(random() * TEMPLATES.length);
  const serviceIndex = Math.floor(random() * SERVICES.length);
  const template = TEMPLATES[templateIndex];
  const serviceName = SERVICES[serviceIndex];
  const log: NormalizedLogEvent = {
    eventId: randomUUID(),
    tenantId: pick(TENANTS),
    serviceName,
    environment: pick(ENVIRONMENTS),
    timestamp: new Date(timestampMs).toISOString(),
    level: pickLevel(),
    message: fillTemplate(template),
    messageTemplate: template,
    fingerprint: '',
    schemaVersion: 'v1',
  };
  let exceptionType: string | null = null;
  let frame: string | null = null;
  if (random() < 0.3) {
    const stack = stackTrace(templateIndex, serviceIndex);
    ({ exceptionType, frame } = stack);
    Object.assign(log, { exceptionType, firstStackFrame: frame, trace: stack.trace });
  }
  if (random() < 0.5) log.traceId = randomUUID().replace(/-/g, '');
  log.fingerprint = fingerprint(serviceName, template, exceptionType, frame);
  return log;
}

const START = Date.UTC(2026, 10, 23);
const SPAN = 24 * 3_600_000;
let generated = 0;
/** Yields to the event loop every 500 logs, so the event-loop delay measured is the store's. */
async function nextBatch(size: number): Promise<NormalizedLogEvent[]> {
  const logs: NormalizedLogEvent[] = [];
  for (let i = 0; i < size; i++) {
    let ts = START + Math.floor((generated++ / totalRows) * SPAN) + Math.floor(random() * 2_000);
    if (random() < 0.005) ts -= Math.floor(random() * 600_000);
    logs.push(makeLog(ts));
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  return logs;
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summarize(samples: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

function directorySize(path: string): number {
  return readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0);
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
let peakRss = 0;
const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

// ---------------------------------------------------------------------------------------------

async function ingest(store: LogStore) {
  const appendMs: number[] = [];
  const concurrentSearchMs: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let appending = true;
  const searcher = (async () => {
    while (appending) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const to = START + Math.floor((generated / totalRows) * SPAN);
      const [, ms] = await timed(() => store.search({ tenantId: pick(TENANTS), from: to - 3_600_000, to, level: 'ERROR', limit: 100 }));
      concurrentSearchMs.push(ms);
    }
  })();

  loopDelay.enable();
  const started = performance.now();
  let offered = 0;
  let previous: NormalizedLogEvent[] = [];
  let lastReport = started;
  while (generated < totalRows) {
    const batch = await nextBatch(Math.min(1_000 + Math.floor(random() * 4_001), totalRows - generated));
    if (previous.length > 0 && random() < 0.05) batch.push(...previous.slice(0, 200));
    const [, ms] = await timed(() => store.append(batch));
    appendMs.push(ms);
    offered += batch.length;
    previous = batch;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      const rate = Math.round(generated / ((lastReport - started) / 1000));
      console.error(`  ${generated.toLocaleString('en-US')} rows, ${rate.toLocaleString('en-US')} rows/s end to end`);
    }
  }
  const wallMs = performance.now() - started;
  loopDelay.disable();
  appending = false;
  await searcher;
  const appendTotalMs = appendMs.reduce((a, b) => a + b, 0);
  return {
    rowsOffered: offered,
    batches: appendMs.length,
    appendRowsPerSec: Math.round(offered / (appendTotalMs / 1000)),
    endToEndRowsPerSec: Math.round(totalRows / (wallMs / 1000)),
    appendBatchMs: summarize(appendMs),
    eventLoopDelayMs: { p99: Math.round(loopDelay.percentile(99) / 1e5) / 10, max: Math.round(loopDelay.max / 1e5) / 10 },
    searchDuringIngestMs: summarize(concurrentSearchMs),
  };
}

async function searchLatencies(store: LogStore) {
  const iterations = 100;
  const hour = 3_600_000;
  const sampleLogs = (await store.search({ tenantId: TENANTS[0], limit: 1000 })).logs;
  const uuidFragments = sampleLogs.flatMap((log) => log.message.match(/[0-9a-f]{8}-[0-9a-f]{4}/) ?? []);
  const words = ['payment-gateway', 'timeout', 'status 404', 'eu-west-7'];
  const shapes: Record<string, () => LogQuery> = {
    'tenant + 1h range + level': () => {
      const from = START + Math.floor(random() * (SPAN - hour));
      return { tenantId: pick(TENANTS), from, to: from + hour, level: pick(['ERROR', 'WARN', 'INFO']), limit: 100 };
    },
    'tenant + 24h range + level': () => ({ tenantId: pick(TENANTS), from: START - hour, to: START + SPAN + hour, level: 'ERROR', limit: 100 }),
    'tenant only (latest 100)': () => ({ tenantId: pick(TENANTS), limit: 100 }),
    'tenant + text (common word)': () => ({ tenantId: pick(TENANTS), text: pick(words), limit: 100 }),
    'tenant + text (rare: part of a uuid)': () => ({ tenantId: TENANTS[0], text: pick(uuidFragments), limit: 100 }),
    'tenant + fingerprint': () => ({ tenantId: TENANTS[0], fingerprint: pick(sampleLogs).fingerprint, limit: 100 }),
    'tenant + 6h range, page 10': () => ({ tenantId: pick(TENANTS), from: START, to: START + 6 * hour, limit: 100 }),
  };
  const results: Record<string, ReturnType<typeof summarize>> = {};
  for (const [name, makeQuery] of Object.entries(shapes)) {
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      let query = makeQuery();
      if (name.endsWith('page 10')) {
        for (let page = 0; page < 9; page++) {
          const next = (await store.search(query)).next;
          if (!next) break;
          query = { ...query, after: next };
        }
      }
      samples.push((await timed(() => store.search(query)))[1]);
    }
    results[name] = summarize(samples);
  }
  const countSamples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const from = START + Math.floor(random() * (SPAN - hour));
    countSamples.push((await timed(() => store.count({ tenantId: pick(TENANTS), from, to: from + hour })))[1]);
  }
  results['count: tenant + 1h range'] = summarize(countSamples);
  return results;
}

async function main(): Promise<void> {
  console.error(`log store bench: ${totalRows.toLocaleString('en-US')} rows into ${dbPath}`);
  const store = await createDuckDbLogStore({ path: dbPath, memoryLimit });
  const ingestResult = await ingest(store);
  const memoryAfterIngest = process.memoryUsage();
  const stored = (await Promise.all(TENANTS.map((tenantId) => store.count({ tenantId })))).reduce((a, b) => a + b, 0);
  if (stored !== totalRows) throw new Error(`stored ${stored} rows, expected ${totalRows}: deduplication is broken`);
  const searches = await searchLatencies(store);
  const rssAfterSearchMb = mb(process.memoryUsage().rss);
  const [, closeMs] = await timed(() => store.close());
  const fileMb = mb(directorySize(dir));
  const [reopened, reopenMs] = await timed(() => createDuckDbLogStore({ path: dbPath }));
  await reopened.close();
  clearInterval(rssSampler);

  const summary = {
    rows: totalRows,
    ingest: ingestResult,
    searchMs: searches,
    fileMb,
    rssMb: { peak: mb(peakRss), afterIngest: mb(memoryAfterIngest.rss), jsHeapAfterIngest: mb(memoryAfterIngest.heapUsed), afterSearches: rssAfterSearchMb },
    memoryLimit: memoryLimit ?? 'DuckDB default (80% of RAM)',
    closeMs: Math.round(closeMs),
    reopenMs: Math.round(reopenMs),
  };
  console.log(`\nrows stored            ${totalRows.toLocaleString('en-US')} (${ingestResult.rowsOffered.toLocaleString('en-US')} offered incl. redeliveries, ${ingestResult.batches} batches)`);
  console.log(`append throughput      ${ingestResult.appendRowsPerSec.toLocaleString('en-US')} rows/s (time inside append), ${ingestResult.endToEndRowsPerSec.toLocaleString('en-US')} rows/s end to end incl. generating the logs`);
  console.log(`append batch latency   p50 ${ingestResult.appendBatchMs.p50} ms, p99 ${ingestResult.appendBatchMs.p99} ms, max ${ingestResult.appendBatchMs.max} ms`);
  console.log(`event loop delay       p99 ${ingestResult.eventLoopDelayMs.p99} ms, max ${ingestResult.eventLoopDelayMs.max} ms during ingest`);
  console.log(`search during ingest   p50 ${ingestResult.searchDuringIngestMs.p50} ms, p99 ${ingestResult.searchDuringIngestMs.p99} ms (tenant + 1h + ERROR)`);
  for (const [name, s] of Object.entries(searches)) console.log(`${name.padEnd(40)} p50 ${String(s.p50).padStart(6)} ms   p99 ${String(s.p99).padStart(6)} ms   max ${String(s.max).padStart(6)} ms`);
  console.log(`file size              ${fileMb} MB`);
  console.log(`RSS                    peak ${summary.rssMb.peak} MB, after ingest ${summary.rssMb.afterIngest} MB (JS heap ${summary.rssMb.jsHeapAfterIngest} MB), after searches ${rssAfterSearchMb} MB; memory limit ${summary.memoryLimit}`);
  console.log(`close (checkpoint)     ${summary.closeMs} ms; reopen ${summary.reopenMs} ms`);
  console.log(JSON.stringify(summary));
  if (!keep) await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
