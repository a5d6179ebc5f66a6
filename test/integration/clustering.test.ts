/**
 * The clustering service on the real embedded bus, with an injected clock: threshold and final
 * events per window, and window state surviving a restart, a lost publish and a partition move.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createEmbeddedBus, type EmbeddedBus } from '../../src/bus/embedded/index.js';
import type { Bus, ProduceRecord } from '../../src/bus/port.js';
import { loadConfig } from '../../src/config/config.js';
import { TOPIC } from '../../src/contracts/topics.js';
import type { IncidentEvent, NormalizedLogEvent } from '../../src/contracts/types.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { createLogger } from '../../src/runtime/logger.js';
import { CLUSTERING_GROUP, startClusteringService, type ClusteringOptions } from '../../src/services/clustering/index.js';
import { decodeSnapshot, encodeSnapshot, snapshotName } from '../../src/services/clustering/snapshot.js';
import { FileSnapshotStore } from '../../src/storage/file/file-snapshot-store.js';
import type { SnapshotStore } from '../../src/storage/snapshot-store.js';
import { tenantsOnDistinctPartitions as tenantsOnDistinctPartitionsOf } from '../support/tenants.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const WINDOW = 5 * MINUTE;
const GRACE = 30 * SECOND;
const THRESHOLD = 10;
const PARTITIONS = 3;
/** A window boundary: 2026-11-23T10:15:00Z. */
const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const GOLDEN = 'Connection timeout to payment-gateway after 30000ms';
const FP_GOLDEN = fingerprintOf('payment-service|golden');

const validateIncident = messageValidator('IncidentEvent');

function fingerprintOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Tenants on distinct partitions, so partition moves are exercised. */
const tenantsOnDistinctPartitions = (count: number) => tenantsOnDistinctPartitionsOf(count, PARTITIONS);

function normalizedLog(tenantId: string, at: number, overrides: Partial<NormalizedLogEvent> = {}): NormalizedLogEvent {
  return {
    eventId: randomUUID(),
    tenantId,
    serviceName: 'payment-service',
    environment: 'production',
    timestamp: new Date(at).toISOString(),
    level: 'ERROR',
    message: GOLDEN,
    messageTemplate: 'Connection timeout to payment-gateway after <number>ms',
    fingerprint: FP_GOLDEN,
    schemaVersion: 'v1',
    ...overrides,
  };
}

/** A Bus whose incident-events publishes can be made to fail, as if the broker were unreachable. */
class FlakyPublishBus implements Bus {
  failIncidentPublishes = false;
  constructor(private readonly inner: Bus) {}
  ensureTopics: Bus['ensureTopics'] = (t) => this.inner.ensureTopics(t);
  partitionCount: Bus['partitionCount'] = (t) => this.inner.partitionCount(t);
  produce: Bus['produce'] = async (topic, records) => {
    if (topic === TOPIC.incidentEvents && this.failIncidentPublishes) throw new Error('incident-events: broker unreachable');
    return this.inner.produce(topic, records);
  };
  consume: Bus['consume'] = (o) => this.inner.consume(o);
  groupPositions: Bus['groupPositions'] = (g, t) => this.inner.groupPositions(g, t);
  seekGroupToTimestamp: Bus['seekGroupToTimestamp'] = (g, t, ts) => this.inner.seekGroupToTimestamp(g, t, ts);
  offsetForTimestamp: Bus['offsetForTimestamp'] = (t, p, ts) => this.inner.offsetForTimestamp(t, p, ts);
  partitionBounds: Bus['partitionBounds'] = (t, p) => this.inner.partitionBounds(t, p);
  read: Bus['read'] = (t, p, f, to) => this.inner.read(t, p, f, to);
  ping: Bus['ping'] = () => this.inner.ping();
  close: Bus['close'] = () => this.inner.close();
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('clustering service on the embedded bus', { timeout: 60_000 }, () => {
  let dataDir: string;
  let bus: EmbeddedBus;
  /** The injected wall clock. */
  let clock: number;
  const running: Array<{ stop(): Promise<void> }> = [];

  const defaults = loadConfig({});
  const config = { ...defaults, clustering: { ...defaults.clustering, windowMs: WINDOW, threshold: THRESHOLD, graceMs: GRACE } };
  const logger = createLogger('silent');

  async function start(onBus: Bus = bus, options: ClusteringOptions = {}) {
    const service = await startClusteringService({ bus: onBus, logger, config }, { now: () => clock, tickMs: 5, idleMs: SECOND, upstream: null, ...options });
    running.push(service);
    return service;
  }

  async function stop(service: { stop(): Promise<void> }) {
    running.splice(running.indexOf(service), 1);
    await service.stop();
  }

  /** Publishes logs as normalization would, the record timestamp being the (injected) clock. */
  async function publish(logs: NormalizedLogEvent[], records: ProduceRecord[] = []) {
    await bus.produce(TOPIC.normalizedLogs, [
      ...logs.map((log) => ({ key: log.tenantId, value: JSON.stringify(log), timestamp: clock })),
      ...records,
    ]);
  }

  async function consumedAll(): Promise<void> {
    await eventually(async () => {
      const positions = await bus.groupPositions(CLUSTERING_GROUP, TOPIC.normalizedLogs);
      return positions.every((p) => p.lag === 0) ? true : undefined;
    }, 'the clustering group to consume everything');
  }

  async function incidentEvents(): Promise<IncidentEvent[]> {
    const events: IncidentEvent[] = [];
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const { earliest, latest } = await bus.partitionBounds(TOPIC.incidentEvents, partition);
      for await (const batch of bus.read(TOPIC.incidentEvents, partition, earliest, latest)) {
        for (const record of batch) {
          const event = JSON.parse(record.value.toString('utf8'));
          const valid = validateIncident(event);
          assert.ok(valid.ok, `invalid IncidentEvent ${record.value}: ${JSON.stringify(valid.ok || valid.issues)}`);
          assert.equal(record.key, event.tenantId, 'incident-events are keyed by tenantId');
          events.push(event);
        }
      }
    }
    return events;
  }

  async function eventsWhen(done: (events: IncidentEvent[]) => boolean, what: string): Promise<IncidentEvent[]> {
    return eventually(async () => {
      const events = await incidentEvents();
      return done(events) ? events : undefined;
    }, what);
  }

  /** Snapshots in the test's data dir; `frozen` drops saves, as a crash before them would. */
  function snapshotStore(): SnapshotStore & { frozen: boolean; saves: number; files: FileSnapshotStore } {
    const files = new FileSnapshotStore(join(dataDir, 'clustering'));
    return {
      files,
      frozen: false,
      saves: 0,
      load: (name) => files.load(name),
      async save(name, text) {
        if (this.frozen) return;
        this.saves++;
        await files.save(name, text);
      },
    };
  }

  const thresholds = (events: IncidentEvent[], tenantId: string) => events.filter((e) => e.tenantId === tenantId && !e.final);
  const finals = (events: IncidentEvent[], tenantId: string) => events.filter((e) => e.tenantId === tenantId && e.final);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'log0-clustering-'));
    bus = await createEmbeddedBus({ dataDir, retryBackoff: { initialMs: 5, maxMs: 20 }, onWarning: () => {} });
    await bus.ensureTopics(
      [TOPIC.normalizedLogs, TOPIC.incidentEvents, TOPIC.dlq].map((name) => ({ name, partitions: PARTITIONS })),
    );
    clock = T0;
  });

  afterEach(async () => {
    for (const service of running.splice(0)) await service.stop();
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('2,400 occurrences in 3 minutes across two windows: one threshold event per window, finals summing to 2,400', async () => {
    const [tenantA, tenantB] = tenantsOnDistinctPartitions(2);
    const service = await start();
    // 10:19:00 → 10:22:00 spans the windows 10:15–10:20 and 10:20–10:25.
    const begin = T0 + 4 * MINUTE;
    const steps = 180;
    const expectedPerWindow = new Map<string, number>();
    for (let step = 0; step < steps; step++) {
      clock = begin + step * SECOND;
      // 2,400 in all (13 or 14 per second), event times a little behind the bus clock.
      const logs = Array.from({ length: Math.floor(2400 / steps) + (step < 2400 % steps ? 1 : 0) }, (_, i) =>
        normalizedLog(tenantA, clock - 200 - i, { level: i % 3 === 0 ? 'FATAL' : 'ERROR' }),
      );
      for (const log of logs) {
        const start = new Date(Math.floor(Date.parse(log.timestamp) / WINDOW) * WINDOW).toISOString();
        expectedPerWindow.set(start, (expectedPerWindow.get(start) ?? 0) + 1);
      }
      if (step % 10 === 0) {
        // Noise: a different fingerprint every 10 s, twice each, never reaching the threshold.
        const fp = fingerprintOf(`noise ${step}`);
        logs.push(...Array.from({ length: 2 }, () => normalizedLog(tenantA, clock, { fingerprint: fp, level: 'INFO', message: `noise ${fp}` })));
        // Tenant B: the same error 5 times per 10 s, its own windows.
        logs.push(...Array.from({ length: 5 }, () => normalizedLog(tenantB, clock)));
      }
      await publish(logs);
    }
    await consumedAll();
    clock = T0 + 2 * WINDOW + GRACE + 2 * SECOND; // both windows closed (idle partitions: wall clock)
    const events = await eventsWhen((all) => finals(all, tenantA).length === 2 && finals(all, tenantB).length === 2, 'final events');

    const goldenA = events.filter((e) => e.tenantId === tenantA);
    assert.ok(goldenA.every((e) => e.fingerprint === FP_GOLDEN), 'noise never reaches the threshold');
    assert.deepEqual(
      thresholds(events, tenantA).map((e) => [e.windowStart, e.occurrenceCount]),
      [
        ['2026-11-23T10:15:00.000Z', THRESHOLD],
        ['2026-11-23T10:20:00.000Z', THRESHOLD],
      ],
    );
    const finalA = finals(events, tenantA).sort((a, b) => a.windowStart!.localeCompare(b.windowStart!));
    assert.deepEqual(
      finalA.map((e) => e.windowStart),
      ['2026-11-23T10:15:00.000Z', '2026-11-23T10:20:00.000Z'],
    );
    assert.equal(finalA[0].occurrenceCount + finalA[1].occurrenceCount, 2400);
    assert.deepEqual(
      finalA.map((e) => e.occurrenceCount),
      [expectedPerWindow.get('2026-11-23T10:15:00.000Z'), expectedPerWindow.get('2026-11-23T10:20:00.000Z')],
    );
    for (const e of finalA) {
      assert.equal(e.severity, 'HIGH');
      assert.deepEqual(e.topMessages, [GOLDEN]);
      assert.equal(e.serviceName, 'payment-service');
    }
    assert.equal(finalA[1].lastSeenAt, new Date(begin + (steps - 1) * SECOND - 200).toISOString());

    const totalB = finals(events, tenantB).reduce((sum, e) => sum + e.occurrenceCount, 0);
    assert.equal(totalB, 5 * (steps / 10));
    assert.equal(thresholds(events, tenantB).length, 2);

    const status = service.status();
    assert.equal(status.windowsFired, 4);
    assert.equal(status.finalsPublished, 4);
    assert.equal(status.eventsPublished, events.length);
    assert.equal(status.openWindows, 0);
    assert.equal(status.lateLogs, 0);
  });

  test('restart mid-window: no second threshold event, exact final count, late logs still not counted', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const first = await start();
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 45 }, (_, i) => normalizedLog(tenant, clock - i)));
    // A record the consume loop dead-letters: the replay must skip it as well.
    await publish([], [{ key: tenant, value: '{"not":"a log"}', timestamp: clock }]);
    await eventsWhen((all) => thresholds(all, tenant).length === 1, 'the threshold event');
    await consumedAll();
    await stop(first);

    clock = T0 + 2 * MINUTE;
    const second = await start();
    assert.ok(second.status().recoveredRecords >= 45, `replayed ${second.status().recoveredRecords} records`);
    assert.equal(second.status().openWindows, 1);
    await publish(Array.from({ length: 30 }, (_, i) => normalizedLog(tenant, clock - i)));
    await consumedAll();
    await stop(second);

    // A third instance, after the window closed by the record clock of a later log.
    clock = T0 + WINDOW + GRACE + 5 * SECOND;
    const third = await start();
    await publish([normalizedLog(tenant, T0 + 3 * MINUTE)]); // late: its window closed at 10:20:30
    await publish([normalizedLog(tenant, clock)]); // next window
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    await consumedAll();
    assert.deepEqual(
      thresholds(events, tenant).map((e) => [e.windowStart, e.occurrenceCount]),
      [['2026-11-23T10:15:00.000Z', THRESHOLD]],
    );
    assert.equal(finals(events, tenant)[0].occurrenceCount, 75);
    assert.equal(third.status().lateLogs, 1);
    assert.equal(third.status().openWindows, 1, 'only the next window is open');
  });

  test('a final lost with a crashed process is sent by the next one', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const flaky = new FlakyPublishBus(bus);
    const first = await start(flaky);
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 25 }, () => normalizedLog(tenant, clock)));
    await eventsWhen((all) => thresholds(all, tenant).length === 1, 'the threshold event');
    await consumedAll();

    flaky.failIncidentPublishes = true;
    clock = T0 + WINDOW + GRACE + 2 * SECOND; // the idle timer closes the window; its final cannot be published
    await eventually(async () => (first.status().eventsPending === 1 ? true : undefined), 'the final to be pending');
    await stop(first); // gives up on the pending final, like a crash would lose it

    await start();
    clock += 2 * SECOND; // idle past idleMs: the rebuilt window closes again
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the re-sent final');
    assert.equal(finals(events, tenant)[0].occurrenceCount, 25);
    assert.equal(thresholds(events, tenant).length, 1);
  });

  test('a failed publish redelivers the batch without counting it twice', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const flaky = new FlakyPublishBus(bus);
    // Without eventId deduplication, so the offset bookkeeping alone must prevent double counting.
    const service = await start(flaky, { recentEventIds: 0 });
    flaky.failIncidentPublishes = true;
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 15 }, () => normalizedLog(tenant, clock)));
    await eventually(async () => (service.status().eventsPending === 1 ? true : undefined), 'the threshold event to be pending');
    await sleep(50); // a few redeliveries
    flaky.failIncidentPublishes = false;
    await consumedAll();
    await publish(Array.from({ length: 5 }, () => normalizedLog(tenant, clock)));
    await consumedAll();
    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    assert.equal(thresholds(events, tenant).length, 1);
    assert.equal(finals(events, tenant)[0].occurrenceCount, 20);
  });

  test('partitions moving to a second process keep their windows', async () => {
    const tenants = tenantsOnDistinctPartitions(PARTITIONS);
    const first = await start();
    clock = T0 + MINUTE;
    await publish(tenants.flatMap((tenant) => Array.from({ length: 12 }, () => normalizedLog(tenant, clock))));
    await eventsWhen((all) => tenants.every((t) => thresholds(all, t).length === 1), 'a threshold event per tenant');
    await consumedAll();

    const second = await start(); // joins the group: some partitions move to it and are rebuilt there
    await eventually(async () => (second.status().partitions.length > 0 ? true : undefined), 'a rebalance');
    assert.equal(first.status().partitions.length + second.status().partitions.length, PARTITIONS);
    clock = T0 + 2 * MINUTE;
    await publish(tenants.flatMap((tenant) => Array.from({ length: 8 }, () => normalizedLog(tenant, clock))));
    await consumedAll();

    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    const events = await eventsWhen((all) => tenants.every((t) => finals(all, t).length === 1), 'a final per tenant');
    for (const tenant of tenants) {
      assert.equal(thresholds(events, tenant).length, 1, 'no second threshold event after the move');
      assert.equal(finals(events, tenant)[0].occurrenceCount, 20);
    }
  });

  test('a re-published batch of the same eventIds is counted once', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    await start();
    clock = T0 + MINUTE;
    const logs = Array.from({ length: 12 }, () => normalizedLog(tenant, clock));
    await publish(logs);
    await publish(logs); // normalization crashed after publishing, before committing
    await consumedAll();
    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    assert.equal(finals(events, tenant)[0].occurrenceCount, 12);
  });

  test('a quiet partition with an upstream backlog is not closed by the wall clock; its backlog counts', async () => {
    // The normalizer's group on raw-logs has records pending for the tenant's partition, as when
    // a normalization process crashed and its partitions wait for a new owner.
    const [tenant] = tenantsOnDistinctPartitions(1);
    const UPSTREAM = 'test-upstream.normalizer';
    await bus.ensureTopics([{ name: TOPIC.rawLogs, partitions: PARTITIONS }]);
    await bus.produce(TOPIC.rawLogs, Array.from({ length: 5 }, () => ({ key: tenant, value: '{}' })));
    await start(bus, { upstream: { groupId: UPSTREAM, topic: TOPIC.rawLogs }, maxUpstreamWaitMs: 10 * MINUTE });

    clock = T0 + MINUTE;
    await publish(Array.from({ length: 12 }, () => normalizedLog(tenant, clock)));
    await consumedAll();
    // Far past the window's end + grace, the partition idle, but upstream still pending.
    clock = T0 + WINDOW + GRACE + 2 * MINUTE;
    await sleep(100); // many ticks
    assert.equal(finals(await incidentEvents(), tenant).length, 0, 'closed while upstream had a backlog');

    // The backlog arrives, stamped with its ingest time (normalization keeps the raw timestamp).
    await bus.produce(
      TOPIC.normalizedLogs,
      Array.from({ length: 3 }, () => {
        const log = normalizedLog(tenant, T0 + 2 * MINUTE);
        return { key: tenant, value: JSON.stringify(log), timestamp: T0 + 2 * MINUTE };
      }),
    );
    await consumedAll();
    clock += 2 * SECOND; // idle again
    // Upstream catches up: now the wall clock closes the window, with the backlog counted.
    const subscription = await bus.consume({ groupId: UPSTREAM, topics: [TOPIC.rawLogs], handler: async () => {} });
    await eventually(async () => ((await bus.groupPositions(UPSTREAM, TOPIC.rawLogs)).every((p) => p.lag === 0) ? true : undefined), 'upstream caught up');
    await subscription.stop();
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    assert.equal(finals(events, tenant)[0].occurrenceCount, 15);
  });

  test('an upstream backlog holds the wall clock back at most maxUpstreamWaitMs', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    await bus.ensureTopics([{ name: TOPIC.rawLogs, partitions: PARTITIONS }]);
    await bus.produce(TOPIC.rawLogs, [{ key: tenant, value: '{}' }]);
    await start(bus, { upstream: { groupId: 'test-upstream.stuck', topic: TOPIC.rawLogs }, maxUpstreamWaitMs: 10 * MINUTE });
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 12 }, () => normalizedLog(tenant, clock)));
    await consumedAll();
    clock = T0 + MINUTE + 10 * MINUTE + SECOND; // quiet for longer than the bound
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event despite the stuck upstream');
    assert.equal(finals(events, tenant)[0].occurrenceCount, 12);
  });

  test('with window snapshots, a restart replays only the records after the last snapshot, and counts exactly', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const snapshots = snapshotStore();
    const first = await start(bus, { snapshots, snapshotIntervalMs: MINUTE });
    clock = T0 + 2 * MINUTE; // past the interval
    await publish(Array.from({ length: 45 }, (_, i) => normalizedLog(tenant, clock - i)));
    await eventsWhen((all) => thresholds(all, tenant).length === 1, 'the threshold event');
    await consumedAll();
    // The next batch saves the windows as they stand before it: the 45 counted logs.
    await publish(Array.from({ length: 5 }, (_, i) => normalizedLog(tenant, clock - i)));
    await consumedAll();
    await eventually(async () => (first.status().snapshotsSaved === 1 ? true : undefined), 'the snapshot');
    snapshots.frozen = true; // from here on the process saves nothing, as if it crashed
    await publish(Array.from({ length: 30 }, (_, i) => normalizedLog(tenant, clock - i)));
    await consumedAll();
    await stop(first);

    const second = await start(bus, { snapshots, snapshotIntervalMs: MINUTE });
    assert.equal(second.status().rebuildsFromSnapshot, 1);
    assert.equal(second.status().recoveredRecords, 35, 'only the records after the snapshot are replayed');
    assert.equal(second.status().openWindows, 1);
    await publish(Array.from({ length: 5 }, () => normalizedLog(tenant, clock)));
    await consumedAll();
    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    assert.deepEqual(
      thresholds(events, tenant).map((e) => [e.windowStart, e.occurrenceCount]),
      [['2026-11-23T10:15:00.000Z', THRESHOLD]],
    );
    assert.equal(finals(events, tenant)[0].occurrenceCount, 85);
  });

  test('a group rewound behind its snapshot counts its records again: a snapshot ahead of the committed offset is not used', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const snapshots = snapshotStore();
    // Without eventId deduplication, so the offsets alone decide what is counted again.
    const first = await start(bus, { snapshots, recentEventIds: 0 });
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 25 }, () => normalizedLog(tenant, clock)));
    await eventsWhen((all) => thresholds(all, tenant).length === 1, 'the threshold event');
    await consumedAll();
    await stop(first); // saves the windows at the committed offset
    assert.equal(snapshots.saves, 1);
    // An operator rewinds the group to count the partition again (as when a commit was lost).
    await bus.seekGroupToTimestamp(CLUSTERING_GROUP, TOPIC.normalizedLogs, 0);

    const second = await start(bus, { snapshots, recentEventIds: 0 });
    assert.equal(second.status().rebuildsFromSnapshot, 0);
    await publish(Array.from({ length: 5 }, () => normalizedLog(tenant, clock)));
    await consumedAll();
    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    // Counted again from the rewind: the window fires again (the incident service keeps the
    // largest count per window, so nothing is counted twice there) and ends with every log once.
    assert.equal(thresholds(events, tenant).length, 2);
    assert.equal(finals(events, tenant)[0].occurrenceCount, 30);
  });

  test('a snapshot that does not fit is not used: windows are rebuilt from the bus, counts exact', async () => {
    const [tenant] = tenantsOnDistinctPartitions(1);
    const snapshots = snapshotStore();
    const first = await start(bus, { snapshots });
    clock = T0 + MINUTE;
    await publish(Array.from({ length: 45 }, () => normalizedLog(tenant, clock)));
    await eventsWhen((all) => thresholds(all, tenant).length === 1, 'the threshold event');
    await consumedAll();
    await stop(first);
    const saved = await Promise.all([0, 1, 2].map((p) => snapshots.load(snapshotName(TOPIC.normalizedLogs, p))));
    assert.equal(saved.filter((text) => text !== undefined).length, 1, 'the partition that counted saved its windows on stop');

    const unfit: Array<[string, (text: string) => string, ClusteringOptions]> = [
      ['from another incarnation of the topic', (text) => encodeSnapshot({ ...decodeSnapshot(text), lastRecord: { ...decodeSnapshot(text).lastRecord, sha256: '0'.repeat(64) } }), {}],
      ['damaged', (text) => text.slice(0, text.length / 2), {}],
      ['counted with other settings', (text) => text, { recentEventIds: 100 }],
    ];
    for (const [what, spoil, options] of unfit) {
      for (let p = 0; p < PARTITIONS; p++) {
        const saved = await snapshots.load(snapshotName(TOPIC.normalizedLogs, p));
        if (saved !== undefined) await snapshots.files.save(snapshotName(TOPIC.normalizedLogs, p), spoil(saved));
      }
      const next = await start(bus, { snapshots, ...options });
      assert.equal(next.status().rebuildsFromSnapshot, 0, `a snapshot ${what} was used`);
      assert.equal(next.status().recoveredRecords, 45, `a snapshot ${what}: the windows are rebuilt from the bus`);
      await stop(next); // saves fresh snapshots (of the rebuilt windows)
    }
    clock = T0 + WINDOW + GRACE + 2 * SECOND;
    await start(bus, { snapshots });
    clock += 2 * SECOND; // idle past idleMs: the wall clock closes the window
    const events = await eventsWhen((all) => finals(all, tenant).length === 1, 'the final event');
    assert.equal(thresholds(events, tenant).length, 1, 'no rebuild fired the window again');
    assert.equal(finals(events, tenant)[0].occurrenceCount, 45);
  });
});
