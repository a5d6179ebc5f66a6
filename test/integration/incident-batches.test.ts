/**
 * Applying IncidentEvents in batches (set-based statements, in rounds per fingerprint) against a
 * real PGlite: a batch must leave exactly what applying its events one by one leaves, stay all or
 * nothing, and keep the race handling of opening an incident. Each test works in its own tenants.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { IncidentEvent } from '../../src/contracts/types.js';
import { applyIncidentEvent, applyIncidentEvents, type ApplyResult } from '../../src/services/incidents/apply-incident-event.js';
import { applyReports } from '../../src/services/incidents/apply-reports.js';
import { transitionIncident } from '../../src/services/incidents/transitions.js';
import { reportOf } from '../../src/services/incidents/window-report.js';
import { openPgliteDatabase } from '../../src/storage/pglite/index.js';
import { migrate } from '../../src/storage/sql/migrate.js';
import type { SqlDatabase, SqlExecutor } from '../../src/storage/sql-database.js';

const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const WINDOW = 5 * 60_000;
const at = (ms: number) => new Date(ms).toISOString();

let dir: string;
let db: SqlDatabase;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'log0-incident-batches-'));
  db = await openPgliteDatabase(join(dir, 'pg'));
  await migrate(db);
});

after(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function fingerprintOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

/** Window w of fingerprint `name`, `count` occurrences so far. */
function windowEvent(tenantId: string, name: string, w: number, count: number, extra: Partial<IncidentEvent> = {}): IncidentEvent {
  const windowStart = T0 + w * WINDOW;
  return {
    tenantId,
    fingerprint: fingerprintOf(name),
    serviceName: 'payment-service',
    environment: 'production',
    severity: 'MEDIUM',
    occurrenceCount: count,
    firstSeenAt: at(windowStart + 1000),
    lastSeenAt: at(windowStart + 1000 + count * 100),
    topMessages: [`${name} failed`],
    windowStart: at(windowStart),
    windowEnd: at(windowStart + WINDOW),
    ...extra,
  };
}

async function resolveActive(tenantId: string, name: string): Promise<void> {
  const [row] = await db.query<{ id: string }>(
    `select id from incidents where tenant_id = $1 and fingerprint = $2 and status <> 'RESOLVED'`,
    [tenantId, fingerprintOf(name)],
  );
  const result = await transitionIncident(db, { tenantId, incidentId: row.id, action: 'resolve', actor: null });
  assert.equal(result.kind, 'done');
}

/**
 * Everything the tenant's events left in the database, with incidents named by fingerprint and
 * opening order instead of their random ids, and without the wall-clock columns.
 */
async function stateOf(tenantId: string) {
  const incidents = await db.query<{
    id: string;
    fingerprint: string;
    status: string;
    severity: string;
    occurrence_count: number;
    first_seen_at: Date;
    last_seen_at: Date;
    top_messages: string[];
    previous_incident_id: string | null;
    resolved: boolean;
  }>(
    `select id, fingerprint, status, severity, occurrence_count, first_seen_at, last_seen_at, top_messages,
            previous_incident_id, resolved_at is not null as resolved
       from incidents where tenant_id = $1 order by id`,
    [tenantId],
  );
  const names = new Map<string, string>();
  const perFingerprint = new Map<string, number>();
  for (const row of incidents) {
    const n = (perFingerprint.get(row.fingerprint) ?? 0) + 1;
    perFingerprint.set(row.fingerprint, n);
    names.set(row.id, `${row.fingerprint.slice(0, 8)}#${n}`);
  }
  const name = (id: unknown) => (id === null ? null : names.get(String(id)));
  const windows = await db.query<Record<string, unknown>>(
    `select fingerprint, window_start, window_end, incident_id, occurrence_count, first_seen_at, last_seen_at, final
       from incident_windows where tenant_id = $1 order by fingerprint, window_start`,
    [tenantId],
  );
  const history = await db.query<Record<string, unknown>>(
    `select incident_id, from_status, to_status, actor from incident_state_history where tenant_id = $1 order by id`,
    [tenantId],
  );
  const outbox = await db.query<{ incident_id: string; notification_type: string; payload: Record<string, unknown> }>(
    `select incident_id, notification_type, payload from incident_outbox where tenant_id = $1 order by seq`,
    [tenantId],
  );
  return {
    incidents: incidents.map(({ id, previous_incident_id, ...rest }) => ({ ...rest, name: name(id), previous: name(previous_incident_id) })),
    windows: windows.map(({ incident_id, ...rest }) => ({ ...rest, incident: name(incident_id) })),
    history: history.map(({ incident_id, ...rest }) => ({ ...rest, incident: name(incident_id) })),
    outbox: outbox.map(({ incident_id, notification_type, payload }) => ({
      incident: name(incident_id),
      type: notification_type,
      payload: { ...payload, tenantId: undefined, incidentId: name(payload.incidentId) },
    })),
  };
}

function outcomes(results: ApplyResult[]): string[] {
  return results.map((r) => r.outcome);
}

describe('applying a batch of incident events', () => {
  test('leaves exactly what applying its events one by one leaves, whatever the mix', async () => {
    // The steps of one story; between them, the incidents of some fingerprints get resolved.
    const steps = (tenant: string): IncidentEvent[][] => [
      [
        windowEvent(tenant, 'a', 0, 10),
        windowEvent(tenant, 'orphan', 0, 5, { continuation: true, final: true }),
        windowEvent(tenant, 'a', 0, 25, { final: true }),
        windowEvent(tenant, 'a', 0, 7),
        windowEvent(tenant, 'c', 0, 10),
        windowEvent(tenant, 'a', 1, 12, { severity: 'HIGH', topMessages: ['a failed', 'a timed out'] }),
        windowEvent(tenant, 'c', 0, 10),
        windowEvent(tenant, 'd', 0, 10, { topMessages: Array.from({ length: 12 }, (_, i) => `d message ${i}`) }),
        windowEvent(tenant, 'a', 2, 3, { continuation: true, final: true }),
        windowEvent(tenant, 'e', 0, 10, { severity: 'LOW' }),
        windowEvent(tenant, 'e', 1, 5, { severity: 'HIGH' }),
        (({ windowStart: _s, windowEnd: _e, ...seed000 }) => seed000)(windowEvent(tenant, 'f', 0, 10)),
      ],
      [
        windowEvent(tenant, 'c', 0, 40, { final: true }),
        windowEvent(tenant, 'c', 3, 15),
        windowEvent(tenant, 'c', 4, 2, { continuation: true }),
        windowEvent(tenant, 'orphan', 1, 5, { continuation: true }),
        windowEvent(tenant, 'a', 1, 12, { severity: 'HIGH', topMessages: ['a failed', 'a timed out'] }),
      ],
      [windowEvent(tenant, 'c', 5, 4, { continuation: true }), windowEvent(tenant, 'c', 6, 11), windowEvent(tenant, 'c', 6, 11)],
    ];
    const resolvedBefore: string[][] = [[], ['c'], ['c']];

    const batched = randomUUID();
    const oneByOne = randomUUID();
    const batchedResults: string[][] = [];
    const oneByOneResults: string[][] = [];
    for (const [k, step] of steps(batched).entries()) {
      for (const name of resolvedBefore[k]) await resolveActive(batched, name);
      batchedResults.push(outcomes(await applyIncidentEvents(db, step)));
    }
    for (const [k, step] of steps(oneByOne).entries()) {
      for (const name of resolvedBefore[k]) await resolveActive(oneByOne, name);
      const results: ApplyResult[] = [];
      for (const event of step) results.push(await applyIncidentEvent(db, event));
      oneByOneResults.push(outcomes(results));
    }

    assert.deepEqual(batchedResults, [
      ['opened', 'skipped', 'updated', 'unchanged', 'opened', 'updated', 'unchanged', 'opened', 'updated', 'opened', 'updated', 'opened'],
      ['updated', 'opened', 'updated', 'skipped', 'unchanged'],
      ['skipped', 'opened', 'unchanged'],
    ]);
    assert.deepEqual(batchedResults, oneByOneResults);

    const state = await stateOf(batched);
    assert.deepEqual(state, await stateOf(oneByOne));
    // Spot checks of the story itself.
    const a = state.incidents.find((i) => i.fingerprint === fingerprintOf('a'))!;
    assert.deepEqual([a.occurrence_count, a.severity, a.top_messages], [25 + 12 + 3, 'HIGH', ['a failed', 'a timed out']]);
    const c = state.incidents.filter((i) => i.fingerprint === fingerprintOf('c'));
    assert.deepEqual(
      c.map((i) => [i.name, i.status, i.occurrence_count, i.previous]),
      [
        [c[0].name, 'RESOLVED', 40, null],
        [c[1].name, 'RESOLVED', 17, c[0].name],
        [c[2].name, 'NEW', 11, c[1].name],
      ],
    );
    assert.equal(state.incidents.filter((i) => i.fingerprint === fingerprintOf('orphan')).length, 0);
    assert.equal(state.incidents.find((i) => i.fingerprint === fingerprintOf('d'))!.top_messages.length, 10);
    assert.deepEqual(
      state.outbox.map((o) => o.type),
      ['INCIDENT_CREATED', 'INCIDENT_CREATED', 'INCIDENT_CREATED', 'INCIDENT_CREATED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED', 'INCIDENT_CREATED'],
    );
  });

  test('results line up with the events, and the same fingerprint in two tenants is two incidents', async () => {
    const one = randomUUID();
    const other = randomUUID();
    const events = [windowEvent(one, 'shared', 0, 10), windowEvent(other, 'shared', 0, 20), windowEvent(one, 'own', 0, 30)];
    const results = await applyIncidentEvents(db, events);
    assert.deepEqual(
      results.map((r) => (r.outcome === 'opened' ? [r.incident.tenantId, r.incident.fingerprint, r.incident.occurrenceCount] : r.outcome)),
      events.map((e) => [e.tenantId, e.fingerprint, e.occurrenceCount]),
    );
    for (const [tenant, count] of [
      [one, 2],
      [other, 1],
    ] as const) {
      const [row] = await db.query<{ n: number }>('select count(*)::int as n from incidents where tenant_id = $1', [tenant]);
      assert.equal(row.n, count);
    }
  });

  test('is all or nothing: one event the database refuses leaves no trace of the others', async () => {
    const tenant = randomUUID();
    const refused = { ...windowEvent(tenant, 'refused', 0, 10), fingerprint: 'F'.repeat(64) };
    await assert.rejects(
      applyIncidentEvents(db, [windowEvent(tenant, 'fine', 0, 10), refused]),
      (err: { code?: string }) => err.code === '23514',
    );
    for (const table of ['incidents', 'incident_windows', 'incident_state_history', 'incident_outbox']) {
      const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table} where tenant_id = $1`, [tenant]);
      assert.equal(row.n, 0, table);
    }
  });

  test('a report whose incident another consumer opens between our read and our insert joins that incident', async () => {
    const tenant = randomUUID();
    const contested = windowEvent(tenant, 'contested', 0, 10);
    const uncontested = windowEvent(tenant, 'uncontested', 0, 20);
    const competitor = randomUUID();
    // Another consumer's commit, as PostgreSQL would show it to our insert: it lands just before it.
    const results = await db.transaction(async (tx) => {
      let raced = false;
      const racing: SqlExecutor = {
        exec: (sql) => tx.exec(sql),
        async query<Row>(sql: string, params?: unknown[]) {
          if (!raced && sql.trimStart().startsWith('insert into incidents')) {
            raced = true;
            await tx.query(
              `insert into incidents (id, tenant_id, fingerprint, service_name, environment, severity, status, occurrence_count, first_seen_at, last_seen_at)
               values ($1, $2, $3, 'payment-service', 'production', 'LOW', 'NEW', 1, $4, $4)`,
              [competitor, tenant, contested.fingerprint, contested.firstSeenAt],
            );
          }
          return tx.query<Row>(sql, params);
        },
      };
      return applyReports(racing, [reportOf(contested), reportOf(uncontested)]);
    });

    assert.equal(results[0].outcome, 'updated');
    assert.ok(results[0].outcome === 'updated');
    assert.equal(results[0].incident.id, competitor);
    assert.equal(results[0].incident.occurrenceCount, 10, 'the window is counted into the competitor’s incident');
    assert.equal(results[0].incident.severity, 'MEDIUM');
    assert.equal(results[1].outcome, 'opened');
    const incidents = await db.query<{ fingerprint: string }>('select fingerprint from incidents where tenant_id = $1 order by fingerprint', [tenant]);
    assert.deepEqual(incidents.map((i) => i.fingerprint), [contested.fingerprint, uncontested.fingerprint].sort());
    const outbox = await db.query<{ incident_id: string }>('select incident_id from incident_outbox where tenant_id = $1', [tenant]);
    assert.equal(outbox.length, 1, 'only the incident we opened is announced by us');
    assert.notEqual(outbox[0].incident_id, competitor);
  });
});
