/**
 * The seed's golden path, end to end through a real `log0 up` process: payment-service logs
 * "Connection timeout to payment-gateway after 30000ms" 2,400 times from 3 pods, with noise from
 * other services and a second tenant. One incident, the right severity, every occurrence counted,
 * nothing crossing tenants, logs searchable, notifications recorded, lifecycle over the API.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chunk, GOLDEN_MESSAGE, goldenPathLog, noiseLogs } from '../support/log-generator.js';
import {
  allLogs,
  eventually,
  getJson,
  postLogs,
  removeDir,
  startPlatformProcess,
  type PlatformProcess,
} from '../support/platform-process.js';

const TENANT_A = randomUUID();
const TENANT_B = randomUUID();
const PODS = 3;
const PER_POD = 800;

async function patch(url: string, tenantId: string, body?: unknown) {
  const response = await fetch(url, {
    method: 'PATCH',
    headers: { 'x-tenant-id': tenantId, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('golden path: 2,400 payment timeouts → one incident', { timeout: 180_000 }, () => {
  let log0: PlatformProcess;
  const acceptedA: string[] = [];
  const acceptedB: string[] = [];

  before(async () => {
    log0 = await startPlatformProcess({
      env: { LOG0_CLUSTER_WINDOW_SECONDS: '10', LOG0_CLUSTER_GRACE_SECONDS: '1', LOG0_CLUSTER_THRESHOLD: '10' },
    });
    // 3 pods post concurrently, 100 logs per request, timestamps spread as they are sent.
    const pods = Array.from({ length: PODS }, async (_, pod) => {
      for (const part of chunk(Array.from({ length: PER_POD }, () => 0), 100)) {
        const logs = part.map(() => goldenPathLog(pod, new Date()));
        const res = await postLogs(log0.gateway, TENANT_A, logs);
        assert.equal(res.status, 202, JSON.stringify(res.body));
        acceptedA.push(...res.body.eventIds);
      }
    });
    const noiseA = postLogs(log0.gateway, TENANT_A, noiseLogs(60, 5, new Date())).then((res) => {
      assert.equal(res.status, 202, JSON.stringify(res.body));
      acceptedA.push(...res.body.eventIds);
    });
    // Tenant B: the very same error (same fingerprint) 50 times, and its own noise.
    const tenantB = Promise.all([
      postLogs(log0.gateway, TENANT_B, Array.from({ length: 50 }, () => goldenPathLog(0, new Date()))),
      postLogs(log0.gateway, TENANT_B, noiseLogs(20, 3, new Date())),
    ]).then((responses) => {
      for (const res of responses) {
        assert.equal(res.status, 202, JSON.stringify(res.body));
        acceptedB.push(...res.body.eventIds);
      }
    });
    await Promise.all([...pods, noiseA, tenantB]);
  });

  after(async () => {
    if (log0) {
      const code = await log0.stop();
      assert.equal(code, 0, `log0 did not stop cleanly:\n${log0.output()}`);
      removeDir(log0.dataDir);
    }
  });

  test('every accepted log is stored and searchable, per tenant', async () => {
    assert.equal(acceptedA.length, PODS * PER_POD + 300);
    const logsA = await eventually(
      async () => {
        const logs = await allLogs(log0.incidents, TENANT_A);
        return logs.length >= acceptedA.length ? logs : undefined;
      },
      { what: 'tenant A logs stored' },
    );
    assert.deepEqual(new Set(logsA.map((l) => l.eventId)), new Set(acceptedA));
    assert.equal(logsA.length, acceptedA.length, 'a log is stored twice');
    assert.ok(logsA.every((l) => l.tenantId === TENANT_A));

    const logsB = await eventually(async () => {
      const logs = await allLogs(log0.incidents, TENANT_B);
      return logs.length >= acceptedB.length ? logs : undefined;
    });
    assert.deepEqual(new Set(logsB.map((l) => l.eventId)), new Set(acceptedB));

    const golden = logsA.find((l) => l.message === GOLDEN_MESSAGE);
    assert.equal(golden.level, 'ERROR');
    assert.equal(golden.messageTemplate, 'Connection timeout to payment-gateway after <number>ms');
    assert.equal(golden.exceptionType, 'java.net.SocketTimeoutException');
    const byFingerprint = await allLogs(log0.incidents, TENANT_A, `fingerprint=${golden.fingerprint}`);
    assert.equal(byFingerprint.length, PODS * PER_POD, 'pods with different line numbers must share one fingerprint');
    const textSearch = await getJson(`${log0.incidents}/api/v1/logs?q=PAYMENT-GATEWAY&service=payment-service&limit=5`, TENANT_B);
    assert.equal(textSearch.logs.length, 5);
    assert.ok(textSearch.logs.every((l: any) => l.tenantId === TENANT_B));
  });

  test('exactly one incident for tenant A: HIGH, counting all 2,400 occurrences', async () => {
    const incident = await eventually(
      async () => {
        const { incidents } = await getJson(`${log0.incidents}/api/v1/incidents`, TENANT_A);
        return incidents.length === 1 && incidents[0].occurrenceCount >= PODS * PER_POD ? incidents[0] : undefined;
      },
      { what: 'the incident count to reach 2,400', timeoutMs: 90_000 },
    );
    assert.equal(incident.occurrenceCount, PODS * PER_POD);
    assert.equal(incident.severity, 'HIGH');
    assert.equal(incident.status, 'NEW');
    assert.equal(incident.serviceName, 'payment-service');
    assert.deepEqual(incident.topMessages, [GOLDEN_MESSAGE]);

    const logs = await getJson(`${log0.incidents}/api/v1/incidents/${incident.id}/logs?limit=1000`, TENANT_A);
    assert.equal(logs.logs.length, 1000);
    assert.ok(logs.logs.every((l: any) => l.fingerprint === incident.fingerprint && l.tenantId === TENANT_A));
  });

  test('tenant B sees only its own incident and never tenant A’s', async () => {
    const { incidents: listA } = await getJson(`${log0.incidents}/api/v1/incidents`, TENANT_A);
    const incidentB = await eventually(async () => {
      const { incidents } = await getJson(`${log0.incidents}/api/v1/incidents`, TENANT_B);
      return incidents.length === 1 && incidents[0].occurrenceCount === 50 ? incidents[0] : undefined;
    });
    assert.equal(incidentB.fingerprint, listA[0].fingerprint, 'same error, same fingerprint');
    assert.notEqual(incidentB.id, listA[0].id);
    const foreign = await fetch(`${log0.incidents}/api/v1/incidents/${listA[0].id}`, { headers: { 'x-tenant-id': TENANT_B } });
    assert.equal(foreign.status, 404);
    const foreignLogs = await fetch(`${log0.incidents}/api/v1/incidents/${listA[0].id}/logs`, { headers: { 'x-tenant-id': TENANT_B } });
    assert.equal(foreignLogs.status, 404);
    const { notifications } = await getJson(`${log0.notifications}/api/v1/notifications`, TENANT_B);
    assert.ok(notifications.every((n: any) => n.tenantId === TENANT_B && n.incidentId === incidentB.id));
  });

  test('the notification is recorded, and the lifecycle runs over the API', async () => {
    const { incidents } = await getJson(`${log0.incidents}/api/v1/incidents`, TENANT_A);
    const id = incidents[0].id;
    const created = await eventually(async () => {
      const { notifications } = await getJson(`${log0.notifications}/api/v1/notifications?incidentId=${id}`, TENANT_A);
      return notifications.length >= 1 ? notifications : undefined;
    });
    assert.deepEqual(created.map((n: any) => n.notificationType), ['INCIDENT_CREATED']);
    assert.equal(created[0].event.severity, 'HIGH');

    const illegal = await patch(`${log0.incidents}/api/v1/incidents/${id}/acknowledge`, TENANT_A);
    assert.equal(illegal.status, 409);
    assert.deepEqual([...illegal.body.allowedActions].sort(), ['assign', 'resolve']);

    const engineer = randomUUID();
    const assigned = await patch(`${log0.incidents}/api/v1/incidents/${id}/assign`, TENANT_A, { assignedToUserId: engineer });
    assert.equal(assigned.status, 200, JSON.stringify(assigned.body));
    assert.equal(assigned.body.status, 'ASSIGNED');
    assert.equal((await patch(`${log0.incidents}/api/v1/incidents/${id}/acknowledge`, TENANT_A)).status, 200);
    const resolved = await patch(`${log0.incidents}/api/v1/incidents/${id}/resolve`, TENANT_A, { notes: 'gateway pool resized' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.status, 'RESOLVED');

    const detail = await getJson(`${log0.incidents}/api/v1/incidents/${id}`, TENANT_A);
    assert.deepEqual(
      detail.history.map((h: any) => h.toStatus),
      ['NEW', 'ASSIGNED', 'ACKNOWLEDGED', 'RESOLVED'],
    );
    const types = await eventually(async () => {
      const { notifications } = await getJson(`${log0.notifications}/api/v1/notifications?incidentId=${id}`, TENANT_A);
      return notifications.length >= 3 ? notifications.map((n: any) => n.notificationType).sort() : undefined;
    });
    assert.deepEqual(types, ['INCIDENT_ASSIGNED', 'INCIDENT_CREATED', 'INCIDENT_RESOLVED']);
  });

  test('/metrics shows the CPU each of log0’s threads used, the busy ones above zero', async () => {
    const text = await (await fetch(`${log0.gateway}/metrics`)).text();
    const seconds = Object.fromEntries(
      [...text.matchAll(/^log0_thread_cpu_seconds\{thread="([^"]+)"\} ([\d.e+-]+)$/gm)].map((m) => [m[1], Number(m[2])]),
    );
    assert.deepEqual(Object.keys(seconds).sort(), ['bus', 'log store', 'main', 'processing services']);
    // Every thread took part in the 2,400-log golden path and the noise around it.
    for (const [thread, s] of Object.entries(seconds)) assert.ok(s > 0, `${thread}: ${s} s`);
    // Parts of the whole: the process's own total, read afterwards, is at least their sum.
    const line = readFileSync(`/proc/${log0.child.pid}/stat`, 'utf8');
    const stat = line.slice(line.lastIndexOf(')') + 2).split(' ');
    const total = (Number(stat[11]) + Number(stat[12])) / 100;
    const threads = Object.values(seconds).reduce((a, b) => a + b, 0);
    assert.ok(threads <= total + 0.02, `threads ${threads} s, process ${total} s`);
  });
});
