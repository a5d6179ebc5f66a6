/**
 * Window snapshots (services/clustering/snapshot.ts): a counter restored from a snapshot goes on
 * exactly as the counter it was taken from, whatever it held at the time; damaged or foreign
 * snapshots are refused with a reason.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncidentEvent, NormalizedLogEvent } from '../../../src/contracts/types.js';
import { RecentEventIds } from '../../../src/services/clustering/recent-event-ids.js';
import { countLog } from '../../../src/services/clustering/recovery.js';
import {
  countingSettings,
  decodeSnapshot,
  encodeSnapshot,
  settingsMismatch,
  SNAPSHOT_VERSION,
  type PartitionSnapshot,
} from '../../../src/services/clustering/snapshot.js';
import { WindowCapacity, WindowCounter, type WindowCounterOptions } from '../../../src/services/clustering/windows.js';
import { seededRandom } from '../../support/seeded-random.js';

const SECOND = 1000;
const WINDOW = 60 * SECOND;
const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const TENANTS = ['7d444840-9dc0-11d1-b245-5ffdce74fad2', '0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70', '11111111-2222-4333-8444-555555555555'];
const LEVELS = ['ERROR', 'WARN', 'INFO', 'FATAL'];

interface Fed {
  log: NormalizedLogEvent;
  clock: number;
}

/** A day of traffic in a few minutes: tenants sharing fingerprints, bursts, quiet spells, late logs, duplicates. */
function traffic(seed: number, count: number): Fed[] {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const fed: Fed[] = [];
  let clock = T0;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    clock += random() < 0.02 ? int(4 * WINDOW) : int(400); // now and then a quiet spell: windows close
    const fingerprint = String(int(6)).repeat(64);
    const eventId =
      ids.length > 0 && random() < 0.05
        ? ids[int(ids.length)] // a redelivered log
        : random() < 0.1
          ? `custom-id-${i}` // not a UUID: kept as a string by the id ring
          : `${(i + 1).toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-${String(seed).padStart(12, '0')}`;
    ids.push(eventId);
    const skew = random() < 0.1 ? -int(2 * WINDOW) : -int(2 * SECOND); // some late, some very late
    fed.push({
      clock,
      log: {
        eventId,
        tenantId: TENANTS[int(TENANTS.length)],
        serviceName: `svc-${fingerprint[0]}`,
        environment: random() < 0.5 ? 'production' : 'staging',
        timestamp: new Date(clock + skew).toISOString(),
        level: LEVELS[int(LEVELS.length)],
        message: `message ${int(15)}`,
        messageTemplate: 'message <number>',
        fingerprint,
        schemaVersion: 'v1',
      },
    });
  }
  return fed;
}

function feed(counter: WindowCounter, fed: Fed[]): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (const { log, clock } of fed) countLog(counter, log, clock, events);
  return events;
}

const options = (capacity = new WindowCapacity()): WindowCounterOptions => ({
  windowMs: WINDOW,
  threshold: 5,
  graceMs: 10 * SECOND,
  continuationMs: 3 * WINDOW,
  recentEventIds: 64,
  capacity,
});

function snapshotOf(counter: WindowCounter, offset: number): PartitionSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    topic: 'normalized-logs',
    partition: 0,
    offset,
    lastRecord: { timestamp: T0, sha256: 'a'.repeat(64) },
    settings: countingSettings(options()),
    savedAt: new Date().toISOString(),
    counter: counter.state(),
  };
}

describe('window snapshots', () => {
  test('a restored counter emits the same events, in order, as the counter it was saved from', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const fed = traffic(seed, 3_000);
      for (const split of [0, 1, 777, 1_500, 2_999]) {
        const original = new WindowCounter(options());
        const before = feed(original, fed.slice(0, split));
        // Through the text a file holds, and its validation.
        const saved = decodeSnapshot(encodeSnapshot(snapshotOf(original, split + 1)));
        const restored = WindowCounter.restore(options(), saved.counter);
        assert.deepEqual(restored.state(), original.state(), `seed ${seed}, split ${split}: the state reads back as saved`);
        const rest = fed.slice(split);
        const expected = feed(original, rest);
        assert.deepEqual(feed(restored, rest), expected, `seed ${seed}, split ${split}: the same events after the restore`);
        assert.ok(before.length + expected.length > 20, 'the traffic fires, finalises and continues windows');
        assert.deepEqual(restored.state(), original.state());
      }
    }
  });

  test('the restored state holds open windows, hot fingerprints and recent ids', () => {
    const counter = new WindowCounter(options());
    feed(counter, traffic(9, 1_000));
    const state = counter.state();
    assert.ok(state.windows.length > 0, 'open windows');
    assert.ok(state.windows.some((w) => w.reportedCount > 0), 'fired windows');
    assert.ok(state.hot.length > 0, 'hot fingerprints');
    assert.equal(state.recentEventIds.length, 64);
    assert.ok(state.recentEventIds.some((id) => id.startsWith('custom-id-')) && state.recentEventIds.some((id) => /^[0-9a-f-]{36}$/.test(id)));
  });

  test('restored windows take their room in the process-wide capacity', () => {
    const counter = new WindowCounter(options());
    feed(counter, traffic(11, 500));
    const capacity = new WindowCapacity();
    const restored = WindowCounter.restore(options(capacity), counter.state());
    assert.equal(capacity.openWindows, counter.openWindows);
    assert.equal(restored.openWindows, counter.openWindows);
    restored.dispose();
    assert.equal(capacity.openWindows, 0);
    assert.equal(capacity.retainedChars, 0);
  });

  test('restored under capacity pressure: unfired windows give way as live, fired ones stay reachable, nothing leaks', () => {
    // One bucket: a fired window of G, then fingerprint F of two tenants, the first unfired, the second fired.
    // Making room for the second F window evicts the first, the tail of F's chain at that moment.
    const at = T0 + SECOND;
    const logOf = (tenantId: string, fingerprint: string, i: number): NormalizedLogEvent => ({
      eventId: `${tenantId}-${fingerprint[0]}-${i}`,
      tenantId,
      serviceName: 'svc',
      environment: 'production',
      timestamp: new Date(at).toISOString(),
      level: 'ERROR',
      message: `m ${i % 3}`,
      messageTemplate: 'm <number>',
      fingerprint,
      schemaVersion: 'v1',
    });
    const F = 'f'.repeat(64);
    const G = 'g'.repeat(64);
    const source = new WindowCounter(options());
    const fed = (tenant: string, fp: string, n: number) => Array.from({ length: n }, (_, i) => ({ log: logOf(tenant, fp, i), clock: at }));
    feed(source, [...fed(TENANTS[0], G, 6), ...fed(TENANTS[0], F, 2), ...fed(TENANTS[1], F, 6)]);
    const state = source.state();
    assert.deepEqual(state.windows.map((w) => [w.fingerprint[0], w.reportedCount]), [['g', 5], ['f', 0], ['f', 5]]);

    // Room for three windows, one of them already taken by another partition's counter.
    const capacity = new WindowCapacity(3);
    const neighbour = new WindowCounter(options(capacity));
    feed(neighbour, fed(TENANTS[1], G, 1));
    const restored = WindowCounter.restore(options(capacity), state);
    const windows = restored.state().windows;
    assert.equal(restored.openWindows, windows.length, 'every counted window is reachable');
    assert.ok(windows.some((w) => w.tenantId === TENANTS[1] && w.fingerprint === F && w.reportedCount === 5), 'the fired F window survived');
    assert.ok(windows.some((w) => w.fingerprint === G && w.reportedCount === 5), 'the fired G window survived');
    restored.dispose();
    neighbour.dispose();
    assert.equal(capacity.openWindows, 0, 'no room is lost');
    assert.equal(capacity.retainedChars, 0);
  });

  test('damaged or foreign snapshots are refused, saying why', () => {
    const counter = new WindowCounter(options());
    feed(counter, traffic(7, 200));
    const good = snapshotOf(counter, 201);
    assert.throws(() => decodeSnapshot(encodeSnapshot(good).slice(0, 100)), /not JSON/);
    assert.throws(() => decodeSnapshot(JSON.stringify({ ...good, version: 2 })), /not a window snapshot of version 1: version/);
    assert.throws(() => decodeSnapshot(JSON.stringify({ ...good, offset: 'x' })), /offset must be integer/);
    const badWindow = { ...good, counter: { ...good.counter, windows: [{ ...good.counter.windows[0], count: 0 }] } };
    assert.throws(() => decodeSnapshot(JSON.stringify(badWindow)), /count must be >= 1/);

    const settings = countingSettings(options());
    assert.equal(settingsMismatch(good, 'normalized-logs', 0, settings), undefined);
    assert.equal(settingsMismatch(good, 'normalized-logs', 1, settings), 'it is of normalized-logs/0');
    assert.equal(settingsMismatch(good, 'normalized-logs', 0, { ...settings, threshold: 6 }), 'it was counted with threshold 5, now 6');
    assert.equal(
      settingsMismatch(good, 'normalized-logs', 0, countingSettings({ windowMs: WINDOW, threshold: 5, graceMs: 10 * SECOND })),
      'it was counted with continuationMs 180000, now 720000',
    );
  });
});

describe('RecentEventIds.ids', () => {
  test('lists the remembered ids oldest first; remembering them in that order rebuilds the same ring', () => {
    const ring = new RecentEventIds(5);
    const ids = ['a', 'b', '7d444840-9dc0-11d1-b245-5ffdce74fad2', 'c', 'd', 'e', '00000000-0000-4000-8000-00000000000f'];
    for (const id of ids) ring.seenBefore(id);
    assert.deepEqual(ring.ids(), ids.slice(2));
    const copy = new RecentEventIds(5);
    for (const id of ring.ids()) copy.seenBefore(id);
    assert.deepEqual(copy.ids(), ring.ids());
    assert.equal(copy.seenBefore('c'), true);
    assert.equal(copy.seenBefore('b'), false, 'b had been forgotten');
    assert.deepEqual(new RecentEventIds(3).ids(), []);
  });
});
