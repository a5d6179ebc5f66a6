/**
 * kill -9 mid-stream: while clients post logs, the log0 process is killed without warning.
 * After a restart on the same data directory every eventId that got a 202 is in the log store
 * exactly once, and the incident is not duplicated.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { goldenPathLog, noiseLogs } from '../support/log-generator.js';
import { allLogs, eventually, getJson, postLogs, removeDir, startPlatformProcess } from '../support/platform-process.js';

const TENANT = randomUUID();

test('kill -9 mid-stream loses no accepted log and duplicates nothing', { timeout: 240_000 }, async () => {
  const env = { LOG0_CLUSTER_WINDOW_SECONDS: '60', LOG0_CLUSTER_GRACE_SECONDS: '1' };
  const first = await startPlatformProcess({ env });
  const accepted: string[] = [];
  let sending = true;

  // Four clients post continuously until the process dies under them.
  const clients = Array.from({ length: 4 }, async (_, client) => {
    for (let i = 0; sending; i++) {
      const logs = [...Array.from({ length: 40 }, () => goldenPathLog(client % 3, new Date())), ...noiseLogs(2, 5, new Date())];
      let res;
      try {
        res = await postLogs(first.gateway, TENANT, logs);
      } catch {
        return; // connection reset by the kill: not acknowledged, so nothing was promised
      }
      if (res.status !== 202) throw new Error(`gateway answered ${res.status}: ${JSON.stringify(res.body)}`);
      accepted.push(...res.body.eventIds);
    }
  });

  await eventually(async () => (accepted.length >= 6000 ? true : undefined), { what: '6,000 accepted logs' });
  await first.kill9();
  sending = false;
  await Promise.all(clients);
  const acceptedBeforeCrash = accepted.length;

  const second = await startPlatformProcess({ dataDir: first.dataDir, env });
  try {
    const logs = await eventually(
      async () => {
        const all = await allLogs(second.incidents, TENANT);
        return all.length >= acceptedBeforeCrash ? all : undefined;
      },
      { what: 'every accepted log stored after restart', timeoutMs: 120_000 },
    );
    const stored = new Map<string, number>();
    for (const log of logs) stored.set(log.eventId, (stored.get(log.eventId) ?? 0) + 1);
    const missing = accepted.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], `${missing.length} accepted logs lost`);
    const duplicated = [...stored].filter(([, n]) => n > 1);
    assert.deepEqual(duplicated, [], `${duplicated.length} logs stored more than once`);

    // The incident pipeline (clustering → incidents) may still be catching up after the log store:
    // wait for the incident and for every group to catch up, then check there is exactly one.
    const paymentIncidents = async () =>
      (await getJson(`${second.incidents}/api/v1/incidents`, TENANT)).incidents.filter((i: any) => i.serviceName === 'payment-service');
    try {
      await eventually(async () => ((await paymentIncidents()).length > 0 ? true : undefined), { what: 'the payment-service incident' });
    } catch (err) {
      // Say where the pipeline stands, so a failure here can be told apart from a slow machine.
      const metrics = await (await fetch(`${second.gateway}/metrics`)).text();
      const lags = metrics.split('\n').filter((line) => /^log0_(consumer_lag|topic_end_offset)/.test(line));
      throw new Error(`${String(err)}\n${lags.join('\n')}\nlog0 output:\n${second.output().slice(-5000)}`);
    }
    await eventually(
      async () => {
        const metrics = await (await fetch(`${second.gateway}/metrics`)).text();
        const lags = [...metrics.matchAll(/^log0_consumer_lag\{[^}]*\} (\d+)$/gm)].map((m) => Number(m[1]));
        return lags.length > 0 && lags.every((lag) => lag === 0) ? true : undefined;
      },
      { what: 'every consumer group caught up' },
    );
    const payment = await paymentIncidents();
    assert.equal(payment.length, 1, `payment-service incidents: ${JSON.stringify(payment)}`);
    assert.ok(payment[0].occurrenceCount >= 10);
  } finally {
    assert.equal(await second.stop(), 0, second.output());
    removeDir(first.dataDir);
  }
});
