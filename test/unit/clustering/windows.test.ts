import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { IncidentEvent, NormalizedLogEvent } from '../../../src/contracts/types.js';
import { messageValidator } from '../../../src/contracts/validators.js';
import { firstOpenWindowStart } from '../../../src/services/clustering/recovery.js';
import { parseDateTime } from '../../../src/contracts/date-time.js';
import { WindowCapacity, WindowCounter, type WindowCounterOptions } from '../../../src/services/clustering/windows.js';

const MINUTE = 60_000;
const WINDOW = 5 * MINUTE;
const GRACE = 30_000;
/** 2026-11-23T10:15:00Z, a window boundary for 5-minute windows. */
const T0 = Date.parse('2026-11-23T10:15:00.000Z');
const TENANT_A = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const TENANT_B = '0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70';
const FP_1 = '3f0c1f6bdb1d2b8e4ab4d3ad1b6d1a0c8a1f6c3b9e2d7f40a8c5b2e1d9f7a6c4';
const FP_2 = 'a'.repeat(64);

const validateIncident = messageValidator('IncidentEvent');

function log(at: number, overrides: Partial<NormalizedLogEvent> = {}): NormalizedLogEvent {
  return {
    eventId: randomUUID(),
    tenantId: TENANT_A,
    serviceName: 'payment-service',
    environment: 'production',
    timestamp: new Date(at).toISOString(),
    level: 'ERROR',
    message: 'Connection timeout to payment-gateway after 30000ms',
    messageTemplate: 'Connection timeout to payment-gateway after <number>ms',
    fingerprint: FP_1,
    schemaVersion: 'v1',
    ...overrides,
  };
}

function counter(options: Partial<WindowCounterOptions> = {}): WindowCounter {
  return new WindowCounter({ windowMs: WINDOW, threshold: 10, graceMs: GRACE, ...options });
}

/** Adds each log and returns the events, checking every one against the contract. */
function addAll(c: WindowCounter, logs: NormalizedLogEvent[]): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (const l of logs) {
    const event = c.add(l);
    if (event) events.push(checked(event));
  }
  return events;
}

function closeDue(c: WindowCounter, now: number): IncidentEvent[] {
  return c.closeDue(now).map(checked);
}

function checked(event: IncidentEvent): IncidentEvent {
  const result = validateIncident(event);
  assert.ok(result.ok, `invalid IncidentEvent: ${JSON.stringify(result.ok ? [] : result.issues)}`);
  return event;
}

function times(n: number, make: (i: number) => NormalizedLogEvent): NormalizedLogEvent[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

describe('window alignment', () => {
  test('windows are aligned to event time, and the event names its window', () => {
    const c = counter({ threshold: 3 });
    const events = addAll(c, times(3, (i) => log(T0 + 2 * MINUTE + 17_345 + i)));
    assert.equal(events.length, 1);
    assert.equal(events[0].windowStart, '2026-11-23T10:15:00.000Z');
    assert.equal(events[0].windowEnd, '2026-11-23T10:20:00.000Z');
    assert.equal(events[0].firstSeenAt, new Date(T0 + 2 * MINUTE + 17_345).toISOString());
    assert.equal(events[0].lastSeenAt, new Date(T0 + 2 * MINUTE + 17_347).toISOString());
  });

  test('a log at exactly windowEnd belongs to the next window; one at windowEnd − 1 ms to this one', () => {
    const c = counter({ threshold: 2 });
    assert.deepEqual(addAll(c, [log(T0), log(T0 + WINDOW)]), [], 'two logs in two windows do not reach 2');
    const [event] = addAll(c, [log(T0 + WINDOW - 1)]);
    assert.equal(event.windowStart, new Date(T0).toISOString());
    assert.equal(event.occurrenceCount, 2);
    const [next] = addAll(c, [log(T0 + 2 * WINDOW - 1)]);
    assert.equal(next.windowStart, new Date(T0 + WINDOW).toISOString());
  });

  test('the last window of year 9999 ends at the last instant a date-time can name', () => {
    const c = counter({ threshold: 2 });
    const last = Date.parse('9999-12-31T23:59:59.999Z');
    const [event] = addAll(c, [log(last), log(last - 1)]); // checked against the contract
    assert.equal(event.windowStart, '9999-12-31T23:55:00.000Z');
    assert.equal(event.windowEnd, '9999-12-31T23:59:59.999Z');
  });

  test('timestamps with an offset are placed by their instant', () => {
    const c = counter({ threshold: 1 });
    const [event] = addAll(c, [log(0, { timestamp: '2026-11-23T11:19:59.999+01:00' })]);
    assert.equal(event.windowStart, '2026-11-23T10:15:00.000Z');
    assert.equal(event.firstSeenAt, '2026-11-23T10:19:59.999Z');
  });
});

describe('threshold', () => {
  test('fires exactly once, when the count reaches the threshold', () => {
    const c = counter({ threshold: 10 });
    const fired: number[] = [];
    for (let i = 1; i <= 250; i++) if (c.add(log(T0 + i))) fired.push(i);
    assert.deepEqual(fired, [10]);
    assert.equal(c.stats.windowsFired, 1);
  });

  test('the threshold event carries the count at the threshold', () => {
    const c = counter({ threshold: 10 });
    const [event] = addAll(c, times(12, (i) => log(T0 + i * 1000)));
    assert.equal(event.occurrenceCount, 10);
    assert.equal(event.final, false);
    assert.equal(event.tenantId, TENANT_A);
    assert.equal(event.fingerprint, FP_1);
    assert.equal(event.serviceName, 'payment-service');
    assert.equal(event.environment, 'production');
  });

  test('below the threshold nothing is emitted, not even when the window closes', () => {
    const c = counter({ threshold: 10 });
    assert.deepEqual(addAll(c, times(9, (i) => log(T0 + i))), []);
    assert.deepEqual(closeDue(c, T0 + WINDOW + GRACE), []);
    assert.equal(c.openWindows, 0);
  });

  test('threshold 1 fires on the first log', () => {
    const c = counter({ threshold: 1 });
    const events = addAll(c, [log(T0), log(T0 + 1)]);
    assert.equal(events.length, 1);
    assert.equal(events[0].occurrenceCount, 1);
  });

  test('fingerprints and tenants are counted independently', () => {
    const c = counter({ threshold: 3 });
    const logs = [
      ...times(2, (i) => log(T0 + i, { fingerprint: FP_1, tenantId: TENANT_A })),
      ...times(2, (i) => log(T0 + i, { fingerprint: FP_2, tenantId: TENANT_A })),
      ...times(2, (i) => log(T0 + i, { fingerprint: FP_1, tenantId: TENANT_B })),
    ];
    assert.deepEqual(addAll(c, logs), [], 'two of each is below 3 for every pair');
    const events = addAll(c, [log(T0 + 5, { fingerprint: FP_2, tenantId: TENANT_A }), log(T0 + 5, { fingerprint: FP_1, tenantId: TENANT_B })]);
    assert.deepEqual(
      events.map((e) => [e.tenantId, e.fingerprint, e.occurrenceCount]),
      [
        [TENANT_A, FP_2, 3],
        [TENANT_B, FP_1, 3],
      ],
    );
    assert.equal(c.openWindows, 3);
  });
});

describe('event content', () => {
  test('topMessages: distinct, in first-seen order, at most 10', () => {
    const c = counter({ threshold: 20 });
    const messages = Array.from({ length: 14 }, (_, i) => `timeout after ${i}ms`);
    const order = [3, 3, 1, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0, 1, 2];
    const [event] = addAll(c, order.map((m, i) => log(T0 + i, { message: messages[m] })));
    assert.deepEqual(event.topMessages, [3, 1, 0, 2, 4, 5, 6, 7, 8, 9].map((m) => messages[m]));
  });

  test('severity is the highest seen in the window', () => {
    const c = counter({ threshold: 3 });
    const [first] = addAll(c, [log(T0, { level: 'INFO' }), log(T0 + 1, { level: 'DEBUG' }), log(T0 + 2, { level: 'WARN' })]);
    assert.equal(first.severity, 'MEDIUM');
    addAll(c, [log(T0 + 3, { level: 'FATAL' }), log(T0 + 4, { level: 'INFO' })]);
    const [final] = closeDue(c, T0 + WINDOW + GRACE);
    assert.equal(final.severity, 'HIGH');

    const low = counter({ threshold: 2 });
    const [lowEvent] = addAll(low, [log(T0, { level: 'INFO' }), log(T0 + 1, { level: 'TRACE' })]);
    assert.equal(lowEvent.severity, 'LOW');
  });

  test('firstSeenAt/lastSeenAt are the earliest and latest event times, whatever the arrival order', () => {
    const c = counter({ threshold: 3 });
    const [event] = addAll(c, [log(T0 + 5000), log(T0 + 1000), log(T0 + 9000)]);
    assert.equal(event.firstSeenAt, new Date(T0 + 1000).toISOString());
    assert.equal(event.lastSeenAt, new Date(T0 + 9000).toISOString());
  });
});

describe('closing', () => {
  test('a fired window that kept counting sends a final event with its final count', () => {
    const c = counter({ threshold: 10 });
    addAll(c, times(37, (i) => log(T0 + i * 1000, { message: i === 20 ? 'other text' : 'Connection timeout' })));
    const finals = closeDue(c, T0 + WINDOW + GRACE);
    assert.equal(finals.length, 1);
    assert.equal(finals[0].final, true);
    assert.equal(finals[0].occurrenceCount, 37);
    assert.equal(finals[0].lastSeenAt, new Date(T0 + 36_000).toISOString());
    assert.deepEqual(finals[0].topMessages, ['Connection timeout', 'other text']);
    assert.equal(finals[0].windowStart, new Date(T0).toISOString());
    assert.equal(c.stats.finalsEmitted, 1);
  });

  test('a window that fired and did not grow closes silently', () => {
    const c = counter({ threshold: 10 });
    assert.equal(addAll(c, times(10, (i) => log(T0 + i))).length, 1);
    assert.deepEqual(closeDue(c, T0 + WINDOW + GRACE), []);
    assert.equal(c.openWindows, 0);
  });

  test('windows close at end + grace, not before, and are evicted', () => {
    const c = counter({ threshold: 2 });
    addAll(c, [log(T0), log(T0 + 1), log(T0 + 2), log(T0 + WINDOW)]);
    assert.deepEqual(closeDue(c, T0 + WINDOW + GRACE - 1), []);
    assert.equal(c.openWindows, 2);
    const finals = closeDue(c, T0 + WINDOW + GRACE);
    assert.deepEqual(
      finals.map((e) => [e.windowStart, e.occurrenceCount]),
      [[new Date(T0).toISOString(), 3]],
    );
    assert.equal(c.openWindows, 1, 'the next window stays open');
    assert.deepEqual(closeDue(c, T0 + WINDOW + GRACE + 1), [], 'a closed window is gone');
  });

  test('the clock never goes back', () => {
    const c = counter({ threshold: 2 });
    closeDue(c, T0 + WINDOW + GRACE);
    closeDue(c, T0);
    assert.equal(c.add(log(T0 + 1)), undefined);
    assert.equal(c.stats.lateLogs, 1);
  });
});

describe('late logs', () => {
  test('a log within grace is counted in its window', () => {
    const c = counter({ threshold: 3 });
    addAll(c, [log(T0), log(T0 + 1)]);
    closeDue(c, T0 + WINDOW + GRACE - 1);
    const [event] = addAll(c, [log(T0 + 2)]);
    assert.equal(event.occurrenceCount, 3);
  });

  test('a log for a closed window is not counted and does not reopen it', () => {
    const c = counter({ threshold: 3 });
    const fired = addAll(c, times(5, (i) => log(T0 + i)));
    assert.equal(fired.length, 1);
    assert.equal(closeDue(c, T0 + WINDOW + GRACE)[0].occurrenceCount, 5);
    // Without the late rule these would open a window with a smaller count that fires again.
    assert.deepEqual(addAll(c, times(5, (i) => log(T0 + 10 + i))), []);
    assert.equal(c.stats.lateLogs, 5);
    assert.equal(c.openWindows, 0);
    assert.deepEqual(closeDue(c, T0 + 10 * WINDOW), []);
  });

  test('late logs for one window do not affect the next one', () => {
    const c = counter({ threshold: 2 });
    closeDue(c, T0 + WINDOW + GRACE);
    const events = addAll(c, [log(T0 + 1), log(T0 + WINDOW + 1), log(T0 + 2), log(T0 + WINDOW + 2)]);
    assert.deepEqual(
      events.map((e) => e.windowStart),
      [new Date(T0 + WINDOW).toISOString()],
    );
    assert.equal(c.stats.lateLogs, 2);
  });
});

describe('duplicates', () => {
  test('the same eventId delivered twice is counted once', () => {
    const c = counter({ threshold: 3 });
    const batch = [log(T0), log(T0 + 1)];
    assert.deepEqual(addAll(c, [...batch, ...batch.map((l) => ({ ...l }))]), []);
    assert.equal(c.stats.duplicateLogs, 2);
    assert.equal(addAll(c, [log(T0 + 2)]).length, 1);
  });

  test('only the last recentEventIds ids are remembered', () => {
    const c = counter({ threshold: 1000, recentEventIds: 4 });
    const logs = times(6, (i) => log(T0 + i));
    addAll(c, logs);
    addAll(c, [logs[0], logs[5]]); // logs[0] is forgotten, logs[5] is not
    assert.equal(c.stats.duplicateLogs, 1);
  });
});

describe('memory bound', () => {
  test('at maxOpenWindows the oldest window that has not fired is evicted', () => {
    const capacity = new WindowCapacity(3, 1_000_000);
    const c = counter({ threshold: 2, capacity });
    const fps = ['1', '2', '3', '4'].map((d) => d.repeat(64));
    addAll(c, [log(T0, { fingerprint: fps[0] }), log(T0, { fingerprint: fps[0] })]); // fires
    addAll(c, [log(T0, { fingerprint: fps[1] }), log(T0, { fingerprint: fps[2] })]);
    assert.equal(capacity.openWindows, 3);
    addAll(c, [log(T0, { fingerprint: fps[3] })]);
    assert.equal(capacity.openWindows, 3);
    assert.equal(c.stats.windowsEvicted, 1);
    // fps[1] was evicted (oldest unfired): its count starts over; fps[0] (fired) is kept.
    assert.deepEqual(addAll(c, [log(T0 + 1, { fingerprint: fps[1] })]), []);
    assert.equal(c.stats.windowsEvicted, 2);
    assert.deepEqual(addAll(c, [log(T0 + 1, { fingerprint: fps[0] })]), [], 'fired window kept counting, no second event');
    assert.equal(closeDue(c, T0 + WINDOW + GRACE)[0].occurrenceCount, 3);
    assert.equal(capacity.openWindows, 0);
  });

  test('when every window has fired, new windows are not opened and the log is counted as dropped', () => {
    const capacity = new WindowCapacity(2, 1_000_000);
    const c = counter({ threshold: 1, capacity });
    assert.equal(addAll(c, [log(T0, { fingerprint: FP_1 }), log(T0, { fingerprint: FP_2 })]).length, 2);
    assert.deepEqual(addAll(c, [log(T0, { fingerprint: 'c'.repeat(64) })]), []);
    assert.equal(c.stats.droppedAtCapacity, 1);
    assert.equal(capacity.openWindows, 2);
  });

  test('the counter holding the most windows gives them up, not its neighbour', () => {
    const capacity = new WindowCapacity(4, 1_000_000);
    const quiet = counter({ threshold: 5, capacity });
    const noisy = counter({ threshold: 5, capacity });
    quiet.add(log(T0, { fingerprint: FP_1 }));
    for (let i = 0; i < 10; i++) noisy.add(log(T0, { fingerprint: i.toString(16).padStart(64, '0') }));
    assert.equal(quiet.openWindows, 1);
    assert.equal(noisy.openWindows, 3);
    quiet.add(log(T0, { fingerprint: FP_2 }));
    assert.equal(quiet.openWindows, 2);
    assert.equal(noisy.openWindows, 2);
    noisy.dispose();
    assert.equal(capacity.openWindows, 2);
  });

  test('retained message text is bounded: windows keep counting without collecting more examples', () => {
    const capacity = new WindowCapacity(100, 50);
    const c = counter({ threshold: 3, capacity });
    const [event] = addAll(c, [log(T0, { message: 'a'.repeat(30) }), log(T0, { message: 'b'.repeat(30) }), log(T0, { message: 'c'.repeat(10) })]);
    assert.deepEqual(event.topMessages, ['a'.repeat(30), 'c'.repeat(10)]);
    assert.equal(event.occurrenceCount, 3);
    assert.equal(capacity.retainedChars, 40);
    closeDue(c, T0 + WINDOW + GRACE);
    assert.equal(capacity.retainedChars, 0);
  });

  test('logs that open no window leave nothing behind, and evicting a window frees its interval', () => {
    const capacity = new WindowCapacity(1, 1_000_000);
    const c = counter({ threshold: 1, capacity });
    c.add(log(T0));
    // Far-future timestamps, each its own interval: dropped at capacity (the one window has fired).
    for (let i = 1; i <= 100; i++) c.add(log(T0 + i * 1000 * WINDOW));
    assert.equal(c.stats.droppedAtCapacity, 100);
    assert.equal(c.openIntervals, 1);

    const d = counter({ threshold: 5, capacity: new WindowCapacity(1, 1_000_000) });
    for (let i = 0; i < 100; i++) d.add(log(T0 + i * WINDOW));
    assert.equal(d.stats.windowsEvicted, 99);
    assert.equal(d.openIntervals, 1);
  });

  test('dispose releases every window', () => {
    const capacity = new WindowCapacity(100, 1_000_000);
    const c = counter({ capacity });
    addAll(c, times(7, (i) => log(T0 + i * WINDOW, { fingerprint: i.toString(16).padStart(64, '0') })));
    assert.equal(capacity.openWindows, 7);
    c.dispose();
    assert.equal(capacity.openWindows, 0);
    assert.equal(capacity.retainedChars, 0);
    assert.throws(() => c.add(log(T0)));
  });
});

describe('inputs', () => {
  test('an unreadable timestamp is counted, not thrown', () => {
    const c = counter({ threshold: 1 });
    assert.equal(c.add(log(0, { timestamp: '2026-11-23T23:59:60Z' })), undefined);
    assert.equal(c.stats.unreadableTimestamps, 1);
  });

  test('settings are checked', () => {
    assert.throws(() => counter({ threshold: 0 }), RangeError);
    assert.throws(() => counter({ windowMs: 0 }), RangeError);
    assert.throws(() => counter({ graceMs: -1 }), RangeError);
  });
});

describe('firstOpenWindowStart', () => {
  test('is the start of the oldest window not yet closed at that clock', () => {
    // 10:22:00 − 5 min − 30 s = 10:16:30 → windows from 10:20 are open; 10:15–10:20 closed at 10:20:30.
    assert.equal(firstOpenWindowStart(T0 + 7 * MINUTE, WINDOW, GRACE), T0 + WINDOW);
    // Exactly at a close instant the window is closed.
    assert.equal(firstOpenWindowStart(T0 + WINDOW + GRACE, WINDOW, GRACE), T0 + WINDOW);
    assert.equal(firstOpenWindowStart(T0 + WINDOW + GRACE - 1, WINDOW, GRACE), T0);
  });
});

describe('parseDateTime', () => {
  test('agrees with Date.parse, fast path or not', () => {
    const samples = [
      '2026-11-23T10:15:30.120Z',
      '2026-11-23T10:15:30Z',
      '2024-02-29T23:59:59.999Z', // leap day
      '2023-02-29T00:00:00.000Z', // not a leap year: NaN
      '2100-02-29T00:00:00Z', // century, not a leap year: NaN
      '2000-02-29T00:00:00Z', // 400-year leap
      '2026-04-31T00:00:00.000Z', // no such day: NaN
      '2026-11-23T24:00:00.000Z',
      '2026-11-23T23:60:00.000Z',
      '2026-11-23T23:59:60.000Z', // leap second: NaN, like Date.parse
      '1969-12-31T23:59:59.999Z',
      '0000-01-01T00:00:00.000Z',
      '2026-11-23T10:15:30.120+01:00',
      '2026-11-23T10:15:30.123456Z',
      '2026-11-23T10:15:30.1Z',
      '2026-11-23t10:15:30.120z',
      '2026-11-23 10:15:30.120Z',
      '2026-1a-23T10:15:30.120Z',
      '2026-11-23T10:15:30,120Z',
    ];
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor(Math.random() * 8e12) - 1e12;
      const text = new Date(ms).toISOString();
      samples.push(text, text.replace(/\.\d{3}Z$/, 'Z'));
    }
    for (const sample of samples) assert.deepEqual(parseDateTime(sample), Date.parse(sample), sample);
  });
});

describe('continuations: quieter windows of a fingerprint that fired keep counting', () => {
  test('a window below the threshold after a fired one reports its count at close, as a continuation', () => {
    const c = counter();
    assert.equal(addAll(c, times(10, (i) => log(T0 + i))).length, 1, 'the first window fires');
    addAll(c, times(3, (i) => log(T0 + WINDOW + i)));
    const closed = closeDue(c, T0 + 2 * WINDOW + GRACE);
    const continuation = closed.find((e) => e.windowStart === new Date(T0 + WINDOW).toISOString());
    assert.ok(continuation, `no continuation in ${JSON.stringify(closed)}`);
    assert.equal(continuation.occurrenceCount, 3);
    assert.equal(continuation.continuation, true);
    assert.equal(continuation.final, true);
    assert.equal(c.stats.continuationsEmitted, 1);
  });

  test('a fingerprint that never fired, or another tenant’s, reports nothing below the threshold', () => {
    const c = counter();
    addAll(c, times(10, (i) => log(T0 + i)));
    addAll(c, times(3, (i) => log(T0 + WINDOW + i, { fingerprint: FP_2 })));
    addAll(c, times(3, (i) => log(T0 + WINDOW + i, { tenantId: TENANT_B })));
    const closed = closeDue(c, T0 + 2 * WINDOW + GRACE);
    assert.deepEqual(closed.filter((e) => e.continuation), []);
  });

  test('each continuation extends the period; past it, quiet windows report nothing', () => {
    const c = counter({ continuationMs: 2 * WINDOW });
    addAll(c, times(10, (i) => log(T0 + i)));
    // Windows 1 and 2 are within 2 windows of the fired window's end; 2 extends to window 4.
    addAll(c, [log(T0 + 2 * WINDOW)]);
    assert.equal(closeDue(c, T0 + 3 * WINDOW + GRACE).filter((e) => e.continuation).length, 1);
    addAll(c, [log(T0 + 4 * WINDOW)]);
    assert.equal(closeDue(c, T0 + 5 * WINDOW + GRACE).filter((e) => e.continuation).length, 1);
    // Window 7 starts after window 4's end + 2 windows: the fingerprint has cooled.
    addAll(c, [log(T0 + 7 * WINDOW)]);
    assert.deepEqual(closeDue(c, T0 + 8 * WINDOW + GRACE), []);
  });

  test('continuationMs 0 turns continuations off; a negative one is refused', () => {
    const off = counter({ continuationMs: 0 });
    addAll(off, times(10, (i) => log(T0 + i)));
    addAll(off, [log(T0 + WINDOW)]);
    assert.deepEqual(closeDue(off, T0 + 2 * WINDOW + GRACE), []);
    assert.throws(() => counter({ continuationMs: -1 }), /continuationMs/);
  });
});
