/**
 * Log store benchmark: the embedded DuckDB store and the ClickHouse store, one after the other
 * in one run, on exactly the same generated logs, printed side by side.
 *
 *   node dist/bench/log-store.js [rows=1000000] [--store duckdb|clickhouse|both] [--keep]
 *     [--dir <folder>] [--memory-limit 512MB]                       (DuckDB)
 *     [--clickhouse-url <url>] [--batch-rows 20000] [--flush-ms 100]  (both stores' batching)
 *     [--partitions 6]
 *
 * Logs: 1,200 templates, 20 tenants, 8 services, 30% with a 10–30 frame stack trace, spread
 * over 24 hours of timestamps with 0.5% stragglers up to 10 minutes late. Everything, eventIds
 * and tenant ids included, comes from one seeded random that is reset before each store, so
 * both stores get the same logs, batches and redeliveries.
 *
 * Ingest works as log0's log store writer does (services/normalization/log-store-writer.ts):
 * consumer batches of 1,000–5,000 logs (5% of them followed by a redelivery of 200 logs of the
 * previous batch) are each one append call; the store merges the calls that arrive while an
 * insert runs or waits for its interval (`--batch-rows`, `--flush-ms`); first deliveries are
 * appended as never stored (no duplicate check), redeliveries with the check. Like log0's partition workers (LOG0_BUS_PARTITIONS: 6 on Kafka, 2 on the embedded bus),
 * at most `--partitions` batches wait to be durable at a time; meanwhile the same process
 * generates the next batches and runs a search every 50 ms, so the figures include that
 * contention. Memory stays bounded: only the batches waiting are held.
 *
 * Then per store: search latency per query shape, count latency, stored count (must equal the
 * unique logs: deduplication), size on disk, RSS of this process (and of the ClickHouse server,
 * from its pid file, when it is the repo's local one), close and reopen time.
 * ClickHouse: a fresh database on CLICKHOUSE_URL or the repo's server (scripts/clickhouse.sh,
 * started when needed and left running), dropped at the end unless --keep.
 * Prints a table (a column per store), then one JSON line. Exit code 1 when a store's stored
 * count is wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { NormalizedLogEvent } from '../src/contracts/types.js';
import { packageRoot } from '../src/runtime/package-root.js';
import { clientFor, createClickHouseLogStore, parseClickHouseUrl } from '../src/storage/clickhouse/index.js';
import { identifier, sql } from '../src/storage/clickhouse/quote.js';
import { createDuckDbLogStore } from '../src/storage/duckdb/index.js';
import type { AppendOptions, LogQuery, LogStore } from '../src/storage/log-store.js';
import { clickHouseUrl, freshDatabaseName, urlWithDatabase } from '../test/support/clickhouse-server.js';

// ---------------------------------------------------------------------------------------------
// Arguments

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    store: { type: 'string', default: 'both' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'memory-limit': { type: 'string' },
    'clickhouse-url': { type: 'string' },
    'batch-rows': { type: 'string', default: '20000' },
    'flush-ms': { type: 'string', default: '100' },
    partitions: { type: 'string', default: '6' },
  },
});

type StoreKind = 'duckdb' | 'clickhouse';
function positiveInteger(name: string, text: string, min = 1): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  return value;
}
const totalRows = positiveInteger('rows', positionals.find((arg) => /^\d+$/.test(arg)) ?? '1000000');
if (positionals.some((arg) => !/^\d+$/.test(arg))) throw new Error(`unexpected argument(s): ${positionals.join(' ')}`);
if (!['duckdb', 'clickhouse', 'both'].includes(options.store!)) throw new Error(`--store must be duckdb, clickhouse or both, got ${options.store}`);
const storeKinds: StoreKind[] = options.store === 'both' ? ['duckdb', 'clickhouse'] : [options.store as StoreKind];
const keep = options.keep!;
const memoryLimit = options['memory-limit'];
const batchRows = positiveInteger('--batch-rows', options['batch-rows']!);
const flushIntervalMs = positiveInteger('--flush-ms', options['flush-ms']!, 0);
const partitions = positiveInteger('--partitions', options.partitions!);

// ---------------------------------------------------------------------------------------------
// Realistic logs, fully deterministic

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
const pickWith = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** 32 random bits as 8 hex digits (the generator's outputs are exact multiples of 2^-32). */
function hex8(random: () => number): string {
  const x = (random() * 4294967296) >>> 0;
  return HEX_BYTES[x >>> 24] + HEX_BYTES[(x >>> 16) & 255] + HEX_BYTES[(x >>> 8) & 255] + HEX_BYTES[x & 255];
}

/** A version-4-shaped UUID from the seeded random. */
function seededUuid(random: () => number): string {
  const a = hex8(random);
  const b = hex8(random);
  const c = hex8(random);
  const d = hex8(random);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
}

const VERBS = ['Connection timeout to', 'Failed to reach', 'Retrying request to', 'Slow response from', 'Cache miss for', 'Login via', 'Payment declined by', 'Queue backlog on', 'Health check failed for', 'Circuit opened for'];
const TARGETS = ['payment-gateway', 'auth-service', 'inventory-db', 'redis-cluster', 'kafka-broker', 's3-bucket', 'search-index', 'email-relay', 'fraud-check', 'pricing-api', 'geo-lookup', 'ledger'];
const DETAILS = ['after <number>ms', 'for order <uuid>', 'from <ip>', 'with status <number>', '(attempt <number> of <number>)', 'user <uuid> session <uuid>', 'payload <number> bytes', 'shard <number>', 'region eu-west-<number>', 'code <number>'];
const TEMPLATES = VERBS.flatMap((verb) => TARGETS.flatMap((target) => DETAILS.map((detail) => `${verb} ${target} ${detail}`)));
const TENANTS = (() => {
  const random = seededRandom(7);
  return Array.from({ length: 20 }, () => seededUuid(random));
})();
const SERVICES = ['payment-service', 'checkout', 'auth', 'inventory', 'search', 'notifications', 'gateway', 'billing'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging', 'dev'];
const LEVELS: Array<[string, number]> = [['INFO', 0.6], ['DEBUG', 0.1], ['WARN', 0.15], ['ERROR', 0.13], ['FATAL', 0.02]];
const EXCEPTIONS = ['java.net.SocketTimeoutException', 'java.lang.NullPointerException', 'java.lang.IllegalStateException', 'org.postgresql.util.PSQLException', 'io.grpc.StatusRuntimeException'];

const START = Date.UTC(2026, 10, 23);
const SPAN = 24 * 3_600_000;

/** The log stream: `reset()` restarts it, so every store gets the very same logs and batches. */
class LogGenerator {
  random!: () => number;
  /** Unique logs generated so far (redeliveries not counted). */
  generated = 0;
  /** Fingerprint per code path: (template, service, with or without a stack trace). */
  private readonly fingerprints = new Map<number, string>();

  constructor(
    private readonly seed: number,
    private readonly total: number,
  ) {
    this.reset();
  }

  reset(): void {
    this.random = seededRandom(this.seed);
    this.generated = 0;
    this.fingerprints.clear();
  }

  /** Yields to the event loop every 500 logs, so the event-loop delay measured is the store's. */
  async nextBatch(size: number): Promise<NormalizedLogEvent[]> {
    const logs: NormalizedLogEvent[] = [];
    for (let i = 0; i < size; i++) {
      let ts = START + Math.floor((this.generated++ / this.total) * SPAN) + Math.floor(this.random() * 2_000);
      if (this.random() < 0.005) ts -= Math.floor(this.random() * 600_000);
      logs.push(this.makeLog(ts));
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    return logs;
  }

  private pick<T>(items: readonly T[]): T {
    return pickWith(this.random, items);
  }

  private pickLevel(): string {
    let x = this.random();
    for (const [level, weight] of LEVELS) if ((x -= weight) < 0) return level;
    return 'INFO';
  }

  private fillTemplate(template: string): string {
    const r = this.random;
    return template
      .replace(/<number>/g, () => String(Math.floor(r() * 100_000)))
      .replace(/<uuid>/g, () => seededUuid(r))
      .replace(/<ip>/g, () => `10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}`);
  }

  /** Exception type and frame follow from (template, service): see stackTrace. */
  private fingerprint(templateIndex: number, serviceIndex: number, exceptionType: string | null, frame: string | null): string {
    const id = (templateIndex * SERVICES.length + serviceIndex) * 2 + (frame === null ? 0 : 1);
    let value = this.fingerprints.get(id);
    if (!value) {
      const key = `${SERVICES[serviceIndex]}|${TEMPLATES[templateIndex]}|${exceptionType ?? ''}|${frame ?? ''}`;
      this.fingerprints.set(id, (value = createHash('sha256').update(key).digest('hex')));
    }
    return value;
  }

  /**
   * One code path per (template, service): its exception type and first frame are fixed, the
   * deeper frames vary. That keeps distinct fingerprints realistic (~20k, not one per trace).
   */
  private stackTrace(templateIndex: number, serviceIndex: number): { exceptionType: string; frame: string; trace: string } {
    const r = this.random;
    const exceptionType = EXCEPTIONS[(templateIndex + serviceIndex) % EXCEPTIONS.length];
    const pkg = `com.acme.${SERVICES[serviceIndex].replace('-', '')}`;
    const frame = `${pkg}.Handler${templateIndex % 40}.handle${templateIndex % 7}(Handler${templateIndex % 40}.java)`;
    const lines = [`${exceptionType}: ${this.pick(['Connect timed out', 'unexpected null', 'illegal state', 'deadline exceeded'])}`];
    lines.push(`    at ${frame.replace('.java)', `.java:${10 + (templateIndex % 300)})`)}`);
    const depth = 10 + Math.floor(r() * 21);
    for (let i = 1; i < depth; i++) {
      lines.push(`    at ${pkg}.C${Math.floor(r() * 40)}.m${Math.floor(r() * 30)}(C${i}.java:${Math.floor(r() * 500)})`);
    }
    // Joined, not concatenated: a flat string, as a log parsed from JSON would be (a rope of
    // 30 pieces per trace made the generator twice as slow in GC).
    return { exceptionType, frame, trace: lines.join('\n') };
  }

  private makeLog(timestampMs: number): NormalizedLogEvent {
    const templateIndex = Math.floor(this.random() * TEMPLATES.length);
    const serviceIndex = Math.floor(this.random() * SERVICES.length);
    const template = TEMPLATES[templateIndex];
    const serviceName = SERVICES[serviceIndex];
    const log: NormalizedLogEvent = {
      eventId: seededUuid(this.random),
      tenantId: this.pick(TENANTS),
      serviceName,
      environment: this.pick(ENVIRONMENTS),
      timestamp: new Date(timestampMs).toISOString(),
      level: this.pickLevel(),
      message: this.fillTemplate(template),
      messageTemplate: template,
      fingerprint: '',
      schemaVersion: 'v1',
    };
    let exceptionType: string | null = null;
    let frame: string | null = null;
    if (this.random() < 0.3) {
      const stack = this.stackTrace(templateIndex, serviceIndex);
      ({ exceptionType, frame } = stack);
      Object.assign(log, { exceptionType, firstStackFrame: frame, trace: stack.trace });
    }
    if (this.random() < 0.5) log.traceId = hex8(this.random) + hex8(this.random) + hex8(this.random) + hex8(this.random);
    log.fingerprint = this.fingerprint(templateIndex, serviceIndex, exceptionType, frame);
    return log;
  }
}

/** Consumer batch size, 1,000–5,000 (capped by what is left to generate). */
const nextBatchSize = (gen: LogGenerator): number => Math.min(1_000 + Math.floor(gen.random() * 4_001), totalRows - gen.generated);

// ---------------------------------------------------------------------------------------------
// Measurement helpers

type Summary = { n: number; p50: number; p99: number; max: number };

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n: sorted.length, p50: round(percentile(sorted, 0.5)), p99: round(percentile(sorted, 0.99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
const fmt = (n: number) => n.toLocaleString('en-US');

/** Resident set size (VmRSS) and its peak (VmHWM) of a process, bytes; null if unreadable. */
function processRss(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** The repo's ClickHouse server process (scripts/clickhouse.sh's pid file), if it is alive. */
function clickHouseServerPid(): number | null {
  const home = process.env.CLICKHOUSE_HOME ?? join(packageRoot(), '.clickhouse');
  try {
    const pid = Number(readFileSync(join(home, 'clickhouse.pid'), 'utf8').trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('clickhouse') ? pid : null;
  } catch {
    return null;
  }
}

/** Peak RSS of this process (and of a watched server process) since the last reset. */
const memory = {
  peak: 0,
  serverPid: null as number | null,
  serverPeak: 0,
  reset(serverPid: number | null) {
    this.peak = process.memoryUsage().rss;
    this.serverPid = serverPid;
    this.serverPeak = 0;
    this.sample();
  },
  sample() {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
    if (this.serverPid !== null) this.serverPeak = Math.max(this.serverPeak, processRss(this.serverPid)?.rss ?? 0);
  },
};
const memorySampler = setInterval(() => memory.sample(), 200);

// ---------------------------------------------------------------------------------------------
// Phases

/**
 * Generator alone: 50k logs in consumer-sized batches, nothing else running, after 10k to warm
 * up the JIT. Well above the store's rate, or the bench measures the generator.
 */
async function generatorOnlyRowsPerSec(): Promise<number> {
  const probe = new LogGenerator(42, totalRows);
  const generate = async (rows: number) => {
    const until = probe.generated + rows;
    while (probe.generated < until) await probe.nextBatch(Math.min(1_000 + Math.floor(probe.random() * 4_001), until - probe.generated));
  };
  await generate(10_000);
  const start = performance.now();
  await generate(50_000);
  return Math.round(50_000 / ((performance.now() - start) / 1000));
}

async function ingest(store: LogStore, gen: LogGenerator) {
  const appendMs: number[] = [];
  const appendRows: number[] = [];
  const durableWaitMs: number[] = [];
  const concurrentSearchMs: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  const searchRandom = seededRandom(99);
  let appending = true;
  const searcher = (async () => {
    while (appending) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const to = START + Math.floor((gen.generated / totalRows) * SPAN);
      const [, ms] = await timed(() => store.search({ tenantId: pickWith(searchRandom, TENANTS), from: to - 3_600_000, to, level: 'ERROR', limit: 100 }));
      concurrentSearchMs.push(ms);
    }
  })();
  searcher.catch(() => {}); // a failed search is thrown below, where the searcher is awaited

  // As in log-store-writer.ts: each consumer batch is one append call (the store merges the calls
  // that arrive while an insert runs or waits for its interval); logs delivered for the first time
  // skip the store's duplicate check, redelivered ones do not. Latency is per call.
  const committerFor = (options: AppendOptions) => ({
    add: async (logs: NormalizedLogEvent[]) => {
      const [, ms] = await timed(() => store.append(logs, options));
      appendMs.push(ms);
      appendRows.push(logs.length);
    },
  });
  const firstDeliveries = committerFor({ neverStored: true });
  const redeliveries = committerFor({});

  loopDelay.enable();
  const started = performance.now();
  let offered = 0;
  let durable = 0;
  let previous: NormalizedLogEvent[] = [];
  let previousDone: Promise<void> = Promise.resolve();
  let lastReport = started;
  /** Batches handed to the store, not durable yet: in order, one per busy partition. */
  const waiting: Array<Promise<void>> = [];
  try {
    while (gen.generated < totalRows) {
      const batch = await gen.nextBatch(nextBatchSize(gen));
      const redelivered = previous.length > 0 && gen.random() < 0.05 ? previous.slice(0, 200) : [];
      previous = batch;
      offered += batch.length + redelivered.length;
      const addedAt = performance.now();
      // A consumer redelivers records only after their first delivery was handled.
      const redelivery = redelivered.length > 0 ? previousDone.then(() => redeliveries.add(redelivered)) : undefined;
      const done = Promise.all([firstDeliveries.add(batch), redelivery]).then(() => {
        durableWaitMs.push(performance.now() - addedAt);
        durable += batch.length + redelivered.length;
      });
      done.catch(() => {}); // observed below; this only keeps a failure from crashing the process first
      previousDone = done;
      waiting.push(done);
      // Every partition busy: wait for the oldest batch (the store completes them in order).
      while (waiting.length >= partitions) await waiting.shift();
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        const rate = Math.round(durable / ((lastReport - started) / 1000));
        console.error(`  ${fmt(gen.generated)} rows generated, ${fmt(durable)} durable, ${fmt(rate)} rows/s sustained`);
      }
    }
    while (waiting.length > 0) await waiting.shift();
  } finally {
    appending = false;
    loopDelay.disable();
    await searcher;
  }
  const wallMs = performance.now() - started;
  const appendTotalMs = appendMs.reduce((a, b) => a + b, 0);
  return {
    rowsOffered: offered,
    consumerBatches: durableWaitMs.length,
    appends: appendMs.length,
    meanRowsPerAppend: Math.round(offered / appendMs.length),
    wallSeconds: Math.round(wallMs / 100) / 10,
    sustainedRowsPerSec: Math.round(totalRows / (wallMs / 1000)),
    appendRowsPerSec: Math.round(offered / (appendTotalMs / 1000)),
    appendMs: summarize(appendMs),
    appendRows: summarize(appendRows),
    batchDurableWaitMs: summarize(durableWaitMs),
    eventLoopDelayMs: { p99: Math.round(loopDelay.percentile(99) / 1e5) / 10, max: Math.round(loopDelay.max / 1e5) / 10 },
    searchDuringIngestMs: summarize(concurrentSearchMs),
  };
}

const TARGET_SHAPE = 'tenant + 1h range + level';

async function searchLatencies(store: LogStore) {
  const random = seededRandom(1234); // same queries on every store
  const pick = <T>(items: readonly T[]): T => pickWith(random, items);
  const iterations = 100;
  const hour = 3_600_000;
  const sampleLogs = (await store.search({ tenantId: TENANTS[0], limit: 1000 })).logs;
  const uuidFragments = sampleLogs.flatMap((log) => log.message.match(/[0-9a-f]{8}-[0-9a-f]{4}/) ?? []);
  const words = ['payment-gateway', 'timeout', 'status 404', 'eu-west-7'];
  const shapes: Record<string, () => LogQuery> = {
    [TARGET_SHAPE]: () => {
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
  const results: Record<string, Summary> = {};
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

// ---------------------------------------------------------------------------------------------
// The stores

/** How to open, measure and remove one store. */
interface StoreTarget {
  settings: string;
  open(): Promise<LogStore>;
  /** Extra figures after ingest (ClickHouse: rows and parts before background merges). */
  afterIngest?(): Promise<{ physicalRows: number; activeParts: number }>;
  /** Size on disk, once the store is closed. */
  size(): Promise<{ bytes: number; detail: string }>;
  serverPid: number | null;
  cleanUp(): Promise<void>;
}

async function duckDbTarget(): Promise<StoreTarget> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'log0-bench-log-store-'));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'logs.duckdb');
  if (existsSync(path)) throw new Error(`${path} exists already (left by --keep?): remove it or pick another --dir`);
  const files = () => readdirSync(dir).filter((name) => name.startsWith('logs.duckdb'));
  return {
    settings: `${path}, memory limit ${memoryLimit ?? 'DuckDB default (80% of RAM)'}, batchRows ${batchRows}, flush ${flushIntervalMs} ms`,
    open: () => createDuckDbLogStore({ path, memoryLimit, batchRows, flushIntervalMs }),
    size: async () => ({ bytes: files().reduce((sum, name) => sum + statSync(join(dir, name)).size, 0), detail: files().join(' + ') }),
    serverPid: null,
    cleanUp: async () => {
      if (keep) return console.error(`  kept ${path}`);
      if (ownDir) await rm(dir, { recursive: true, force: true });
      else for (const name of files()) await rm(join(dir, name), { force: true });
    },
  };
}

async function clickHouseTarget(): Promise<StoreTarget> {
  const base = options['clickhouse-url'] ?? (await clickHouseUrl()); // clickHouseUrl: CLICKHOUSE_URL, else the repo's server
  const database = freshDatabaseName();
  const url = urlWithDatabase(base, database);
  const admin = clientFor(parseClickHouseUrl(base), 'default');
  const query = async <T>(text: string) => (await admin.query({ query: text, format: 'JSONEachRow' })).json<T>();
  const [{ version }] = await query<{ version: string }>('SELECT version() AS version');
  const host = new URL(base).hostname;
  const local = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  const partsOf = sql`FROM system.parts WHERE database = ${database} AND table = 'logs' AND active`;
  const safeUrl = new URL(url);
  safeUrl.password = safeUrl.password ? '***' : '';
  return {
    settings: `${safeUrl.toString()} (server ${version}), batchRows ${batchRows}, flush ${flushIntervalMs} ms`,
    open: () => createClickHouseLogStore({ url, batchRows, flushIntervalMs }),
    afterIngest: async () => {
      const [row] = await query<{ rows: string; parts: string }>(`SELECT sum(rows) AS rows, count() AS parts ${partsOf.text}`);
      return { physicalRows: Number(row.rows), activeParts: Number(row.parts) };
    },
    size: async () => {
      const [row] = await query<{ bytes: string; raw: string; parts: string }>(
        `SELECT sum(bytes_on_disk) AS bytes, sum(data_uncompressed_bytes) AS raw, count() AS parts ${partsOf.text}`,
      );
      return { bytes: Number(row.bytes), detail: `${row.parts} active parts, ${mb(Number(row.raw))} MB uncompressed` };
    },
    serverPid: local ? clickHouseServerPid() : null,
    cleanUp: async () => {
      try {
        if (keep) console.error(`  kept ClickHouse database ${database}`);
        else await admin.command({ query: sql`DROP DATABASE IF EXISTS ${identifier(database)}`.text });
      } finally {
        await admin.close();
      }
    },
  };
}

async function runStore(kind: StoreKind, gen: LogGenerator) {
  const target = kind === 'duckdb' ? await duckDbTarget() : await clickHouseTarget();
  console.error(`${kind}: ${fmt(totalRows)} rows into ${target.settings}`);
  try {
    gen.reset();
    memory.reset(target.serverPid);
    const serverAtStart = target.serverPid === null ? null : processRss(target.serverPid);
    const rssAtStart = process.memoryUsage().rss;
    const store = await target.open();
    let closed = false;
    try {
      const ingestResult = await ingest(store, gen);
      const memoryAfterIngest = process.memoryUsage();
      const afterIngest = (await target.afterIngest?.()) ?? null;
      const [stored, countAllMs] = await timed(async () => (await Promise.all(TENANTS.map((tenantId) => store.count({ tenantId })))).reduce((a, b) => a + b, 0));
      if (stored !== totalRows) console.error(`  ${kind}: stored ${fmt(stored)} logs, expected ${fmt(totalRows)}: deduplication is broken`);
      const searchMs = await searchLatencies(store);
      const rssAfterSearches = process.memoryUsage().rss;
      const [, closeMs] = await timed(() => store.close());
      closed = true;
      const size = await target.size();
      const [reopened, reopenMs] = await timed(() => target.open());
      await reopened.close();
      memory.sample();
      const server = target.serverPid === null ? null : processRss(target.serverPid);
      return {
        store: kind,
        settings: target.settings,
        rowsStored: stored,
        storedOk: stored === totalRows,
        countAllTenantsMs: Math.round(countAllMs),
        ingest: ingestResult,
        /** ClickHouse: rows incl. copies not merged yet, and active parts, right after ingest. */
        afterIngest,
        searchMs,
        sizeMb: mb(size.bytes),
        sizeDetail: size.detail,
        bytesPerLog: Math.round(size.bytes / totalRows),
        rssMb: {
          atStart: mb(rssAtStart),
          peak: mb(memory.peak),
          afterIngest: mb(memoryAfterIngest.rss),
          jsHeapAfterIngest: mb(memoryAfterIngest.heapUsed),
          afterSearches: mb(rssAfterSearches),
        },
        serverRssMb:
          server === null
            ? null
            : { atStart: mb(serverAtStart?.rss ?? NaN), peak: mb(memory.serverPeak), atEnd: mb(server.rss), peakSinceServerStart: mb(server.hwm) },
        closeMs: Math.round(closeMs),
        reopenMs: Math.round(reopenMs),
      };
    } finally {
      if (!closed) await store.close().catch(() => {});
    }
  } finally {
    memory.serverPid = null;
    await target.cleanUp();
  }
}

type StoreResult = Awaited<ReturnType<typeof runStore>>;

// ---------------------------------------------------------------------------------------------
// Report

function printTable(results: StoreResult[], generatorRate: number): void {
  const lat = (s: Summary) => `${s.p50} / ${s.p99} / ${s.max}`;
  const rows: Array<[string, (r: StoreResult) => string]> = [
    ['rows stored (unique; count check)', (r) => `${fmt(r.rowsStored)} ${r.storedOk ? 'ok' : 'MISMATCH'}`],
    ['offered incl. redeliveries', (r) => fmt(r.ingest.rowsOffered)],
    ['consumer batches / appends', (r) => `${fmt(r.ingest.consumerBatches)} / ${fmt(r.ingest.appends)}`],
    ['rows per append mean / p50 / max', (r) => `${fmt(r.ingest.meanRowsPerAppend)} / ${fmt(r.ingest.appendRows.p50)} / ${fmt(r.ingest.appendRows.max)}`],
    ['ingest rows/s sustained (wall)', (r) => `${fmt(r.ingest.sustainedRowsPerSec)} (${r.ingest.wallSeconds} s)`],
    ['ingest rows/s inside append', (r) => fmt(r.ingest.appendRowsPerSec)],
    ['append ms p50 / p99 / max', (r) => lat(r.ingest.appendMs)],
    ['batch add→durable ms p50/p99/max', (r) => lat(r.ingest.batchDurableWaitMs)],
    ['event loop delay ms p99 / max', (r) => `${r.ingest.eventLoopDelayMs.p99} / ${r.ingest.eventLoopDelayMs.max}`],
    ['search during ingest ms p50/p99/max', (r) => `${lat(r.ingest.searchDuringIngestMs)} (n=${r.ingest.searchDuringIngestMs.n})`],
    ...Object.keys(results[0].searchMs).map((name): [string, (r: StoreResult) => string] => [`${name} ms`, (r) => lat(r.searchMs[name])]),
    ['count all 20 tenants ms', (r) => String(r.countAllTenantsMs)],
    ['physical rows / parts after ingest', (r) => (r.afterIngest ? `${fmt(r.afterIngest.physicalRows)} / ${r.afterIngest.activeParts}` : '-')],
    ['size on disk MB (bytes/log)', (r) => `${r.sizeMb} (${r.bytesPerLog})`],
    ['bench RSS MB peak / start', (r) => `${r.rssMb.peak} / ${r.rssMb.atStart}`],
    ['bench RSS MB after ingest (JS heap)', (r) => `${r.rssMb.afterIngest} (${r.rssMb.jsHeapAfterIngest})`],
    ['server RSS MB peak / start / end', (r) => (r.serverRssMb ? `${r.serverRssMb.peak} / ${r.serverRssMb.atStart} / ${r.serverRssMb.atEnd}` : '-')],
    ['close ms / reopen ms', (r) => `${r.closeMs} / ${r.reopenMs}`],
    ['target ingest ≥ 50,000 rows/s', (r) => (r.ingest.sustainedRowsPerSec >= 50_000 ? 'yes' : 'NO')],
    [`target ${TARGET_SHAPE} p99 < 300 ms`, (r) => (r.searchMs[TARGET_SHAPE].p99 < 300 ? 'yes' : 'NO')],
  ];
  const cells = rows.map(([label, value]) => [label, ...results.map(value)]);
  const header = ['', ...results.map((r) => r.store)];
  const widths = header.map((_, i) => Math.max(header[i].length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ');
  console.log(`\n${fmt(totalRows)} logs, same data per store; generator alone ${fmt(generatorRate)} rows/s; ${partitions} partitions, the stores' own batching`);
  for (const r of results) console.log(`${r.store}: ${r.settings}`);
  console.log(`(latencies: p50 / p99 / max in ms)\n`);
  console.log(line(header));
  for (const row of cells) console.log(line(row));
  for (const r of results) console.log(`${r.store} size: ${r.sizeDetail}`);
}

async function main(): Promise<void> {
  const generatorRate = await generatorOnlyRowsPerSec();
  console.error(`generator alone: ${fmt(generatorRate)} rows/s (50,000 rows after 10,000 to warm up, nothing else running)`);
  const gen = new LogGenerator(42, totalRows);
  const results: StoreResult[] = [];
  const failed: StoreKind[] = [];
  for (const kind of storeKinds) {
    // One store failing (e.g. no ClickHouse server) still reports the other.
    try {
      results.push(await runStore(kind, gen));
    } catch (error) {
      console.error(`${kind} failed:`, error);
      failed.push(kind);
    }
  }
  clearInterval(memorySampler);
  if (results.length > 0) printTable(results, generatorRate);
  console.log(
    JSON.stringify({
      rows: totalRows,
      generatorOnlyRowsPerSec: generatorRate,
      partitions,
      stores: Object.fromEntries(results.map((r) => [r.store, r])),
      failed,
    }),
  );
  if (failed.length > 0) process.exitCode = 1;
  const broken = results.filter((r) => !r.storedOk);
  if (broken.length > 0) {
    console.error(`stored count wrong (deduplication broken) on: ${broken.map((r) => `${r.store} (${fmt(r.rowsStored)} of ${fmt(totalRows)})`).join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
