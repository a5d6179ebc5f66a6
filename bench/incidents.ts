/**
 * `npm run bench:incidents`: the cost of applying IncidentEvents to the incident store (embedded
 * PGlite in its worker thread, or PostgreSQL; real migrations, durable commits), and of what
 * follows them:
 *  - opening: N events, each a new (tenant, fingerprint), over 20 tenants,
 *  - new window: N events, each a further window of an open incident,
 *  - repeated window: N events, each the closing report of a window already counted (max count),
 *  - outbox relay: publishing the N INCIDENT_CREATED notifications to an in-memory bus,
 *  - notification service: recording those N deliveries.
 * Events are applied in consumer-sized batches (applyIncidentEvents, one transaction each).
 * CPU is the whole process (every thread: PGlite's worker included); "main" is the main thread.
 * Options: --events N (default 3500), --batch B (default 100), --tenants T (default 20),
 * --store pglite|postgres (default pglite; postgres: a throwaway database on the server named by
 * LOG0_TEST_POSTGRES_URL, default the local one, dropped afterwards).
 * Not a test: it prints figures, it asserts nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { TOPIC } from '../src/contracts/topics.js';
import type { IncidentEvent } from '../src/contracts/types.js';
import { createHttpApp } from '../src/runtime/http.js';
import { createLogger } from '../src/runtime/logger.js';
import { applyIncidentEvents, type ApplyResult } from '../src/services/incidents/apply-incident-event.js';
import { createOutboxRelay } from '../src/services/incidents/outbox-relay.js';
import { NOTIFICATION_GROUP, startNotificationService } from '../src/services/notifications/index.js';
import { openPgliteDatabase } from '../src/storage/pglite/index.js';
import { openPostgresDatabase } from '../src/storage/postgres/index.js';
import { migrate } from '../src/storage/sql/migrate.js';
import type { SqlDatabase } from '../src/storage/sql-database.js';
import { MemoryBus } from '../test/support/memory-bus.js';
import { createTestDatabase } from '../test/support/postgres.js';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '3500' },
    batch: { type: 'string', default: '100' },
    tenants: { type: 'string', default: '20' },
    store: { type: 'string', default: 'pglite' },
  },
});
if (args.store !== 'pglite' && args.store !== 'postgres') throw new Error(`--store must be pglite or postgres, got ${args.store}`);
const EVENTS = Number(args.events);
const BATCH = Number(args.batch);
const TENANTS = Number(args.tenants);

const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const WINDOW_MS = 5 * 60_000;
const at = (ms: number) => new Date(ms).toISOString();

function tenantId(t: number): string {
  return `00000000-0000-4000-8000-${String(t + 1).padStart(12, '0')}`;
}

/** Window `w` of incident `i`: `count` occurrences so far. */
function windowEvent(i: number, w: number, count: number, final: boolean): IncidentEvent {
  const tenant = tenantId(i % TENANTS);
  const windowStart = T0 + w * WINDOW_MS;
  return {
    tenantId: tenant,
    fingerprint: createHash('sha256').update(`${tenant}/${i}`).digest('hex'),
    serviceName: `service-${i % 7}`,
    environment: 'production',
    severity: i % 3 === 0 ? 'HIGH' : 'MEDIUM',
    occurrenceCount: count,
    firstSeenAt: at(windowStart + 1000),
    lastSeenAt: at(windowStart + 1000 + count * 100),
    topMessages: [`Connection timeout to upstream-${i % 11} after 30000ms`, `retrying request ${w}`],
    windowStart: at(windowStart),
    windowEnd: at(windowStart + WINDOW_MS),
    ...(final ? { final: true } : {}),
  };
}

/** CPU time of the calling (main) thread in ms; Linux only, NaN elsewhere. */
function mainThreadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

interface Measured {
  wallMs: number;
  cpuMs: number;
  mainCpuMs: number;
}

async function measure(work: () => Promise<void>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, mainCpuMs: mainThreadCpuMs() - main };
}

function report(label: string, count: number, m: Measured): void {
  const perEvent = (ms: number) => (ms / count).toFixed(3);
  console.log(
    `${label.padEnd(24)} ${String(count).padStart(6)} in ${(m.wallMs / 1000).toFixed(2).padStart(6)} s: ` +
      `${Math.round(count / (m.wallMs / 1000)).toLocaleString().padStart(7)}/s, ` +
      `wall ${perEvent(m.wallMs)} ms, CPU ${perEvent(m.cpuMs)} ms (main thread ${perEvent(m.mainCpuMs)}, other threads ${perEvent(m.cpuMs - m.mainCpuMs)}) per event`,
  );
}

async function applyInBatches(db: SqlDatabase, events: IncidentEvent[]): Promise<Map<string, number>> {
  const outcomes = new Map<string, number>();
  for (let i = 0; i < events.length; i += BATCH) {
    const results: ApplyResult[] = await applyIncidentEvents(db, events.slice(i, i + BATCH));
    for (const r of results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  }
  return outcomes;
}

async function phase(db: SqlDatabase, label: string, events: IncidentEvent[]): Promise<void> {
  let outcomes = new Map<string, number>();
  const m = await measure(async () => {
    outcomes = await applyInBatches(db, events);
  });
  report(label, events.length, m);
  console.log(`${''.padEnd(24)} outcomes: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'log0-bench-incidents-'));
  const logger = createLogger('silent');
  const bus = new MemoryBus();
  await bus.ensureTopics(Object.values(TOPIC).map((name) => ({ name, partitions: 3 })));
  const server = args.store === 'postgres' ? await createTestDatabase() : null;
  const db = server ? await openPostgresDatabase({ url: server.url }) : await openPgliteDatabase(join(dir, 'pg'));
  try {
    await migrate(db);
    console.log(`${args.store}: ${EVENTS} events per phase, ${TENANTS} tenants, batches of ${BATCH} (one transaction each)`);

    const ids = Array.from({ length: EVENTS }, (_, i) => i);
    await phase(db, 'opening', ids.map((i) => windowEvent(i, 0, 10, false)));
    await phase(db, 'new window', ids.map((i) => windowEvent(i, 1, 12, false)));
    await phase(db, 'repeated window', ids.map((i) => windowEvent(i, 0, 25, true)));

    const relay = createOutboxRelay({ db, bus, logger });
    let published = 0;
    report('outbox relay', EVENTS, await measure(async () => void (published = await relay.publishPending())));
    await relay.stop();
    if (published !== EVENTS) console.log(`${''.padEnd(24)} published ${published}, expected ${EVENTS}`);

    const app = createHttpApp({ service: 'notification-service', logger, checks: {} });
    let notifications: { stop(): Promise<void> } | undefined;
    report(
      'notification service',
      EVENTS,
      await measure(async () => {
        notifications = await startNotificationService({ bus, logger, config: loadConfig({}), db, app });
        await bus.drained(NOTIFICATION_GROUP, TOPIC.notificationEvents, 600_000);
      }),
    );
    await notifications?.stop();
    await app.close();
  } finally {
    await db.close();
    await server?.drop();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
