/**
 * `npm run bench`: drives a real `log0 up` process over HTTP and prints
 *  - sustained end-to-end throughput (logs/s from the first POST until every log is stored and
 *    counted by clustering) with 1,000-log requests,
 *  - p50/p99 accept latency of 1,000-log requests and of single-log requests (autocannon),
 *  - single-log requests/s, and the platform's peak RSS.
 * Options: --logs N (batch phase, default 300000), --seconds S (single-log phase, default 15),
 *          --concurrency C (batch requests in flight, default 4), --connections K (single-log, default 64),
 *          --kafka: run the same on Apache Kafka (KAFKA_BROKERS, else the repo's broker, started
 *          with scripts/kafka.sh) beside the embedded bus, and print both.
 * Each phase starts once every consumer group (incidents and notifications too) has caught up with
 * what came before, so a phase is not measured while the platform still works off the previous one.
 * Not a test: it prints figures, it asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { kafkaBrokers } from '../test/support/kafka-broker.js';
import { removeDir, startPlatformProcess, type PlatformProcess } from '../test/support/platform-process.js';
import { LogGenerator } from './generator.js';

const { values: args } = parseArgs({
  options: {
    logs: { type: 'string', default: '300000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '4' },
    connections: { type: 'string', default: '64' },
    kafka: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(args.logs);
const BATCH = 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** The groups between POST and stored + clustered. */
const PIPELINE_GROUPS = ['normalization-service.normalizer', 'normalization-service.log-store-writer', 'clustering-service.window-counter'];

/** Pipeline figures from the Prometheus endpoint. */
async function pipelineState(log0: PlatformProcess): Promise<{ rawEnd: number; lag: Record<string, number> }> {
  const text = await (await fetch(`${log0.gateway}/metrics`)).text();
  const lag: Record<string, number> = {};
  let rawEnd = 0;
  for (const line of text.split('\n')) {
    const l = /^log0_consumer_lag\{group="([^"]+)",topic="([^"]+)"\} (\d+)/.exec(line);
    if (l) lag[l[1]] = Number(l[3]);
    const e = /^log0_topic_end_offset\{topic="raw-logs"\} (\d+)/.exec(line);
    if (e) rawEnd = Number(e[1]);
  }
  return { rawEnd, lag };
}

/** Waits until raw-logs holds `expected` records and every pipeline group has caught up. */
async function drained(log0: PlatformProcess, expected: number): Promise<number> {
  for (;;) {
    const { rawEnd, lag } = await pipelineState(log0);
    if (rawEnd >= expected && PIPELINE_GROUPS.every((g) => lag[g] === 0)) return Date.now();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits until every consumer group (the incident and notification services too) has caught up,
 * twice in a row, then a second more: a phase starts on a platform that is not still working off
 * the previous one.
 */
async function settled(log0: PlatformProcess): Promise<void> {
  for (let quiet = 0; quiet < 2; ) {
    const { lag } = await pipelineState(log0);
    quiet = Object.values(lag).every((l) => l === 0) ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1000));
}

/** CPU seconds (user + system) the process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** CPU seconds so far of each of log0's threads (log0_thread_cpu_seconds) and of the whole process. */
async function cpuByThread(log0: PlatformProcess): Promise<Map<string, number>> {
  const text = await (await fetch(`${log0.gateway}/metrics`)).text();
  const seconds = new Map<string, number>();
  for (const m of text.matchAll(/^log0_thread_cpu_seconds\{thread="([^"]+)"\} ([\d.e+-]+)$/gm)) seconds.set(m[1], Number(m[2]));
  seconds.set(PROCESS, cpuSeconds(log0.child.pid!));
  return seconds;
}

const PROCESS = '(process)';

/**
 * Where the CPU between two cpuByThread readings went, in µs per unit of work: each named thread,
 * and the rest of the process (the embedded databases' threads, V8's GC helpers, libuv's pool).
 */
function cpuSplit(before: Map<string, number>, after: Map<string, number>, units: number): string {
  const micros = (s: number) => Math.round((s * 1e6) / units);
  let named = 0;
  const parts: string[] = [];
  for (const [thread, end] of after) {
    if (thread === PROCESS) continue;
    const used = end - (before.get(thread) ?? 0);
    named += used;
    parts.push(`${thread} ${micros(used)}`);
  }
  const total = after.get(PROCESS)! - before.get(PROCESS)!;
  parts.push(`other threads ${micros(total - named)}`);
  return parts.join(' · ');
}

async function postBatch(log0: PlatformProcess, tenant: string, body: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${log0.gateway}/api/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`gateway answered ${response.status}`);
  return performance.now() - started;
}

async function batchPhase(log0: PlatformProcess, gen: LogGenerator, baseline: number) {
  const requests = Math.ceil(TOTAL / BATCH);
  process.stdout.write(`batch phase: generating ${requests} requests of ${BATCH} logs… `);
  const bodies = Array.from({ length: requests }, () => JSON.stringify(Array.from({ length: BATCH }, () => gen.next())));
  console.log('done');
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = cpuSeconds(log0.child.pid!);
  const threadsBefore = await cpuByThread(log0);
  const started = Date.now();
  const workers = Array.from({ length: Number(args.concurrency) }, async () => {
    while (next < requests) {
      const i = next++;
      latencies.push(await postBatch(log0, gen.tenant(i), bodies[i]));
    }
  });
  await Promise.all(workers);
  const accepted = Date.now();
  // What the consumers still had to do when the last request was accepted, and how fast they did it.
  const { lag } = await pipelineState(log0);
  const lagAtAccept = PIPELINE_GROUPS.reduce((sum, g) => sum + (lag[g] ?? 0), 0);
  const done = await drained(log0, baseline + requests * BATCH);
  const cpu = cpuSeconds(log0.child.pid!) - cpuBefore;
  const byThread = cpuSplit(threadsBefore, await cpuByThread(log0), requests * BATCH);
  latencies.sort((a, b) => a - b);
  return {
    logs: requests * BATCH,
    cpuMicrosPerLog: (cpu * 1e6) / (requests * BATCH),
    byThread,
    acceptRate: (requests * BATCH) / ((accepted - started) / 1000),
    lagAtAccept,
    drainRate: done > accepted ? lagAtAccept / ((done - accepted) / 1000) : Infinity,
    endToEnd: (requests * BATCH) / ((done - started) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function singlePhase(log0: PlatformProcess, gen: LogGenerator, baseline: number) {
  const bodies = Array.from({ length: 20_000 }, () => JSON.stringify(gen.next()));
  let i = 0;
  const threadsBefore = await cpuByThread(log0);
  const started = Date.now();
  const result = await autocannon({
    url: `${log0.gateway}/api/v1/logs`,
    connections: Number(args.connections),
    duration: Number(args.seconds),
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => {
          const n = i++;
          return {
            ...req,
            headers: { 'content-type': 'application/json', 'x-tenant-id': gen.tenant(n) },
            body: bodies[n % bodies.length],
          };
        },
      },
    ],
  });
  const sent = result['2xx'];
  const done = await drained(log0, baseline + sent);
  const byThread = cpuSplit(threadsBefore, await cpuByThread(log0), sent);
  return {
    requests: sent,
    byThread,
    non2xx: result.non2xx + result.errors + result.timeouts,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    endToEnd: sent / ((done - started) / 1000),
  };
}

/** One full run (warm-up, batch phase, single-log phase) on a fresh `log0 up` with `env`. */
async function run(env: Record<string, string>) {
  const log0 = await startPlatformProcess({ env: { LOG0_LOG_LEVEL: 'error', ...env } });
  try {
    const gen = new LogGenerator(20);
    console.log(`log0 up (pid ${log0.child.pid}), data in ${log0.dataDir}`);
    // On a broker that served earlier runs, raw-logs does not start empty.
    const start = (await pipelineState(log0)).rawEnd;
    // Warm-up: JIT, caches, DuckDB/PGlite first writes.
    for (let w = 0; w < 20; w++) await postBatch(log0, gen.tenant(w), JSON.stringify(Array.from({ length: BATCH }, () => gen.next())));
    await drained(log0, start + 20 * BATCH);
    await settled(log0);

    const batch = await batchPhase(log0, gen, start + 20 * BATCH);
    await settled(log0);
    const { rawEnd } = await pipelineState(log0);
    console.log(`single-log phase: ${args.connections} connections for ${args.seconds} s…`);
    const single = await singlePhase(log0, gen, rawEnd);
    return { batch, single, rss: peakRssMb(log0.child.pid!) };
  } finally {
    await log0.stop();
    removeDir(log0.dataDir);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function report(title: string, { batch, single, rss }: Awaited<ReturnType<typeof run>>): void {
  console.log(`\nlog0 pipeline benchmark — ${title}`);
  console.log(`  batch phase      ${fmt(batch.logs)} logs in 1,000-log requests, ${args.concurrency} in flight`);
  console.log(`    end to end     ${fmt(batch.endToEnd)} logs/s  (POST → stored + clustered)`);
  console.log(`    accepted       ${fmt(batch.acceptRate)} logs/s at the gateway`);
  console.log(`    lag drain      ${fmt(batch.lagAtAccept)} records pending at the last 202, drained at ${fmt(batch.drainRate)} records/s`);
  console.log(`    platform CPU   ${batch.cpuMicrosPerLog.toFixed(0)} µs per log (all threads, POST → drained)`);
  console.log(`    by thread      ${batch.byThread} µs per log`);
  console.log(`    latency        p50 ${batch.p50.toFixed(1)} ms, p99 ${batch.p99.toFixed(1)} ms per 1,000-log request`);
  console.log(`  single-log phase ${fmt(single.requests)} requests, ${args.connections} connections, ${args.seconds} s`);
  console.log(`    throughput     ${fmt(single.rps)} requests/s (${single.non2xx} non-2xx/errors)`);
  console.log(`    latency        p50 ${single.p50} ms, p99 ${single.p99} ms`);
  console.log(`    by thread      ${single.byThread} µs per request (first request → drained)`);
  console.log(`    end to end     ${fmt(single.endToEnd)} logs/s  (first request → stored + clustered)`);
  console.log(`  peak RSS         ${rss.toFixed(0)} MB (log0 process)`);
}

const embedded = await run({});
let kafka: { brokers: string[]; result: Awaited<ReturnType<typeof run>> } | undefined;
if (args.kafka) {
  const brokers = await kafkaBrokers();
  console.log(`\nthe same on Apache Kafka at ${brokers.join(',')}`);
  kafka = { brokers, result: await run({ KAFKA_BROKERS: brokers.join(',') }) };
}
report('embedded bus, one process, this machine', embedded);
if (kafka) report(`Apache Kafka at ${kafka.brokers.join(',')} (log0 up on Kafka; the broker on the same machine)`, kafka.result);
