/**
 * The LogStore contract: what every adapter (embedded DuckDB, ClickHouse) must do, tested
 * through the port only. An adapter's test file calls logStoreContractSuite with a factory
 * giving a fresh, empty store per test.
 *
 * Expected results come from a small in-memory model of the port (modelSearch / modelCount)
 * next to hand-written expectations for the properties that matter most (order, boundaries).
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import type { LogCursor, LogPage, LogQuery, LogStore } from '../../src/storage/log-store.js';

export interface LogStoreUnderTest {
  store: LogStore;
  /** Closes the store and opens it again on the same data; the returned store replaces `store`. */
  reopen?: () => Promise<LogStore>;
  /** Closes whichever store is current and removes its data. */
  cleanup: () => Promise<void>;
}

type LogFilter = Omit<LogQuery, 'limit' | 'after'>;

/** 2026-11-23T10:00:00.000Z */
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Filter values that must neither break a query nor leak rows: SQL and LIKE metacharacters,
 * injection attempts, control characters, NUL, non-ASCII, and the longest allowed message.
 * Each is stored inside messages (and as service name / environment / level where it fits),
 * then searched for.
 */
export const HOSTILE_VALUES: readonly string[] = [
  "'", "''", '"', '`', '\\', '\\\\', '%', '_', '%%', '%_%', '\\%', '\\_', 'a%b', 'a_b', '100%',
  '[a-z]', '.*', '^$', '*', '?', '$1', ':name', '@p0', '{}', '${x}',
  "' OR '1'='1", "'; DROP TABLE logs; --", '"; DROP TABLE logs; --', '/* c */', '--', ';',
  '\u0000', 'a\u0000b', '\n', '\r\n', '\t', ' ', '  padded  ',
  'É', 'école', 'ÉCOLE', 'Ωμέγα', 'ΩΜΈΓΑ', '日本語', '🔥', '👨‍👩‍👧', 'e\u0301', '\u200b', '\ufeff',
  'x'.repeat(10_000), 'X'.repeat(10_000),
];
/** Searched for but never stored: a lone surrogate has no UTF-8 form. */
const SEARCH_ONLY_HOSTILE_VALUES: readonly string[] = ['\ud800', 'no such text anywhere'];

// ---------------------------------------------------------------------------------------------
// Test data

let eventSequence = 0;
/** Unique, valid UUIDs; their string order is their creation order. */
function nextEventId(): string {
  eventSequence += 1;
  return `00000000-0000-4000-8000-${eventSequence.toString(16).padStart(12, '0')}`;
}

function fingerprintOf(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function makeLog(tenantId: string, overrides: Partial<NormalizedLogEvent> = {}): NormalizedLogEvent {
  return {
    eventId: nextEventId(),
    tenantId,
    serviceName: 'payment-service',
    environment: 'production',
    timestamp: iso(T0),
    level: 'INFO',
    message: 'order placed',
    messageTemplate: 'order placed',
    fingerprint: fingerprintOf('payment-service|order placed'),
    schemaVersion: 'v1',
    ...overrides,
  };
}

/** What the store must return for an appended log: null optional fields omitted, timestamp as toISOString(). */
function asStored(log: NormalizedLogEvent): NormalizedLogEvent {
  const stored: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(log)) {
    if (value !== null && value !== undefined) stored[key] = value;
  }
  stored.timestamp = iso(Date.parse(log.timestamp));
  return stored as unknown as NormalizedLogEvent;
}

/**
 * A varied data set for one tenant: 3 services x 2 environments x 4 levels x 2 templates,
 * spread over 2 hours with many identical timestamps (to exercise the eventId tie-break).
 */
function variedLogs(tenantId: string, count: number): NormalizedLogEvent[] {
  const services = ['payment-service', 'checkout', 'auth'];
  const environments = ['production', 'staging'];
  const levels = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
  const templates = ['Connection timeout to <host> after <number>ms', 'User <uuid> logged in'];
  const logs: NormalizedLogEvent[] = [];
  for (let i = 0; i < count; i++) {
    const serviceName = services[i % 3];
    const template = templates[Math.floor(i / 5) % 2];
    const message = template === templates[0] ? `Connection TIMEOUT to db-${i % 4} after ${i * 7}ms` : `User u-${i} logged in`;
    logs.push(
      makeLog(tenantId, {
        serviceName,
        environment: environments[Math.floor(i / 3) % 2],
        level: levels[Math.floor(i / 6) % 4],
        // Every 4 consecutive logs share a timestamp.
        timestamp: iso(T0 + Math.floor(i / 4) * MINUTE),
        message,
        messageTemplate: template,
        fingerprint: fingerprintOf(`${serviceName}|${template}`),
      }),
    );
  }
  return logs;
}

// ---------------------------------------------------------------------------------------------
// The model: the port's semantics over an array of stored logs

/** Whether a stored log matches the filter: the semantics every adapter (and the HTTP search) must have. */
export function matches(log: NormalizedLogEvent, filter: LogFilter): boolean {
  const ms = Date.parse(log.timestamp);
  return (
    log.tenantId === filter.tenantId &&
    (filter.serviceName === undefined || log.serviceName === filter.serviceName) &&
    (filter.environment === undefined || log.environment === filter.environment) &&
    (filter.level === undefined || log.level === filter.level) &&
    (filter.fingerprint === undefined || log.fingerprint === filter.fingerprint) &&
    (filter.from === undefined || ms >= filter.from) &&
    (filter.to === undefined || ms < filter.to) &&
    (filter.text === undefined || log.message.toLowerCase().includes(filter.text.toLowerCase()))
  );
}

function newestFirst(a: NormalizedLogEvent, b: NormalizedLogEvent): number {
  const byTime = Date.parse(b.timestamp) - Date.parse(a.timestamp);
  if (byTime !== 0) return byTime;
  return a.eventId < b.eventId ? 1 : a.eventId > b.eventId ? -1 : 0;
}

function isAfter(log: NormalizedLogEvent, cursor: LogCursor): boolean {
  const ms = Date.parse(log.timestamp);
  return ms < cursor.timestamp || (ms === cursor.timestamp && log.eventId < cursor.eventId);
}

function cursorOf(log: NormalizedLogEvent): LogCursor {
  return { timestamp: Date.parse(log.timestamp), eventId: log.eventId };
}

function modelSearch(appended: readonly NormalizedLogEvent[], query: LogQuery): LogPage {
  const after = query.after;
  const logs = appended
    .filter((log) => matches(log, query) && (after === undefined || isAfter(log, after)))
    .sort(newestFirst)
    .slice(0, query.limit)
    .map(asStored);
  return { logs, next: logs.length === query.limit ? cursorOf(logs[logs.length - 1]) : null };
}

function modelCount(appended: readonly NormalizedLogEvent[], filter: LogFilter): number {
  return appended.filter((log) => matches(log, filter)).length;
}

/** Every page of a query, following `next` until it is null. */
async function walkPages(store: LogStore, query: LogQuery): Promise<LogPage[]> {
  const pages: LogPage[] = [];
  let after: LogCursor | undefined;
  for (;;) {
    const page = await store.search({ ...query, after });
    pages.push(page);
    if (!page.next) return pages;
    assert.ok(pages.length < 10_000, 'pagination does not terminate');
    after = page.next;
  }
}

async function assertMatchesModel(store: LogStore, appended: readonly NormalizedLogEvent[], query: LogQuery): Promise<void> {
  const label = JSON.stringify(query).slice(0, 300);
  assert.deepEqual(await store.search(query), modelSearch(appended, query), `search ${label}`);
  const { limit: _limit, after: _after, ...filter } = query;
  assert.equal(await store.count(filter), modelCount(appended, filter), `count ${label}`);
}

// ---------------------------------------------------------------------------------------------

export function logStoreContractSuite(name: string, makeStore: () => Promise<LogStoreUnderTest>): void {
  describe(`LogStore contract: ${name}`, () => {
    let subject: LogStoreUnderTest;
    let store: LogStore;
    let tenantA: string;
    let tenantB: string;

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
      tenantA = randomUUID();
      tenantB = randomUUID();
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    async function reopen(): Promise<void> {
      assert.ok(subject.reopen, 'adapter has no reopen');
      store = await subject.reopen();
    }

    describe('append and search', () => {
      test('returns every field exactly as appended', async () => {
        const full = makeLog(tenantA, {
          timestamp: '2026-11-23T10:15:30.120Z',
          level: 'ERROR',
          message: 'Connection timeout to payment-gateway after 30000ms — café ☕',
          messageTemplate: 'Connection timeout to payment-gateway after <number>ms — café ☕',
          exceptionType: 'java.net.SocketTimeoutException',
          firstStackFrame: 'com.acme.payment.GatewayClient.charge(GatewayClient.java)',
          trace: 'java.net.SocketTimeoutException: Connect timed out\n    at com.acme.payment.GatewayClient.charge(GatewayClient.java:88)\n\tat x',
          attributes: { region: 'eu-west-1', retries: 3, nested: { ok: true, list: [1, 'two', null] } },
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        });
        const minimal = makeLog(tenantA, { timestamp: '2026-11-23T10:15:29.000Z', messageTemplate: '' });
        const explicitNulls = makeLog(tenantA, {
          timestamp: '2026-11-23T10:15:28.001Z',
          exceptionType: null,
          firstStackFrame: null,
          trace: null,
          traceId: null,
        });
        await store.append([minimal, full, explicitNulls]);

        const page = await store.search({ tenantId: tenantA, limit: 10 });
        assert.deepEqual(page.logs, [full, minimal, asStored(explicitNulls)]);
        assert.equal(page.next, null);
        assert.equal('exceptionType' in page.logs[2], false, 'null optional fields are omitted');
      });

      test('returns timestamps as ISO-8601 with milliseconds in UTC', async () => {
        const log = makeLog(tenantA, { timestamp: '2026-11-23T12:15:30+02:00' });
        await store.append([log]);
        const [stored] = (await store.search({ tenantId: tenantA, limit: 1 })).logs;
        assert.equal(stored.timestamp, '2026-11-23T10:15:30.000Z');
      });

      test('an empty batch stores nothing', async () => {
        await store.append([]);
        assert.equal(await store.count({ tenantId: tenantA }), 0);
        assert.deepEqual(await store.search({ tenantId: tenantA, limit: 10 }), { logs: [], next: null });
      });

      test('ping resolves', async () => {
        await store.ping();
      });
    });

    describe('filters', () => {
      let appended: NormalizedLogEvent[];

      beforeEach(async () => {
        // Tenant B holds the same data, so any filter that leaks across tenants shows.
        appended = [...variedLogs(tenantA, 120), ...variedLogs(tenantB, 40)];
        await store.append(appended);
      });

      const singleFilters: Array<[string, (logs: NormalizedLogEvent[]) => Partial<LogFilter>]> = [
        ['serviceName', () => ({ serviceName: 'checkout' })],
        ['environment', () => ({ environment: 'staging' })],
        ['level', () => ({ level: 'ERROR' })],
        ['fingerprint', (logs) => ({ fingerprint: logs[0].fingerprint })],
        ['from (inclusive)', () => ({ from: T0 + 10 * MINUTE })],
        ['to (exclusive)', () => ({ to: T0 + 10 * MINUTE })],
        ['text (case-insensitive substring)', () => ({ text: 'connection timeout' })],
      ];
      for (const [label, filterOf] of singleFilters) {
        test(`${label} alone`, async () => {
          const query: LogQuery = { tenantId: tenantA, limit: 1000, ...filterOf(appended) };
          const expected = modelCount(appended, query);
          assert.ok(expected > 0 && expected < 120, `the filter selects part of the data (${expected})`);
          await assertMatchesModel(store, appended, query);
        });
      }

      test('from is inclusive and to is exclusive at the exact millisecond', async () => {
        const at = T0 + 5 * MINUTE; // four logs carry exactly this timestamp
        const exactly = await store.search({ tenantId: tenantA, from: at, to: at + 1, limit: 100 });
        assert.equal(exactly.logs.length, 4);
        assert.ok(exactly.logs.every((log) => Date.parse(log.timestamp) === at));
        assert.equal(await store.count({ tenantId: tenantA, from: at, to: at }), 0);
        assert.equal((await store.search({ tenantId: tenantA, to: at, limit: 1000 })).logs.some((log) => Date.parse(log.timestamp) === at), false);
      });

      test('text matches case-insensitively anywhere in the message', async () => {
        for (const text of ['TIMEOUT', 'timeout', 'TimeOut', 'ms', 'db-3 after']) {
          const query: LogQuery = { tenantId: tenantA, text, limit: 1000 };
          assert.ok(modelCount(appended, query) > 0, text);
          await assertMatchesModel(store, appended, query);
        }
      });

      test('filters combine with AND', async () => {
        const combinations: Array<Partial<LogFilter>> = [
          { serviceName: 'checkout', level: 'ERROR' },
          { serviceName: 'auth', environment: 'production', from: T0 + 3 * MINUTE },
          { environment: 'staging', level: 'WARN', to: T0 + 20 * MINUTE },
          { fingerprint: appended[0].fingerprint, text: 'db-0', from: T0, to: T0 + 30 * MINUTE },
          { serviceName: 'payment-service', environment: 'production', level: 'INFO', fingerprint: appended[0].fingerprint, text: 'TIMEOUT', from: T0, to: T0 + 2 * 60 * MINUTE },
        ];
        for (const filter of combinations) {
          const query: LogQuery = { tenantId: tenantA, limit: 1000, ...filter };
          assert.ok(modelCount(appended, query) > 0, `combination selects something: ${JSON.stringify(filter)}`);
          await assertMatchesModel(store, appended, query);
        }
      });

      test('a filter matching nothing gives an empty page and a zero count', async () => {
        for (const filter of [{ serviceName: 'nope' }, { level: 'error' }, { text: 'absent text' }, { from: T0 + DAY }, { to: T0 }]) {
          const query: LogQuery = { tenantId: tenantA, limit: 10, ...filter };
          assert.deepEqual(await store.search(query), { logs: [], next: null }, JSON.stringify(filter));
          assert.equal(await store.count(query), 0, JSON.stringify(filter));
        }
      });

      test('count without filters counts the whole tenant', async () => {
        assert.equal(await store.count({ tenantId: tenantA }), 120);
        assert.equal(await store.count({ tenantId: tenantB }), 40);
      });
    });

    describe('order and pagination', () => {
      test('newest first, ties broken by eventId descending', async () => {
        const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
        const logs = [
          makeLog(tenantA, { eventId: id(1), timestamp: iso(T0) }),
          makeLog(tenantA, { eventId: id(2), timestamp: iso(T0 + 1) }),
          makeLog(tenantA, { eventId: id(3), timestamp: iso(T0) }),
          makeLog(tenantA, { eventId: id(4), timestamp: iso(T0 - 1) }),
          makeLog(tenantA, { eventId: id(5), timestamp: iso(T0) }),
        ];
        await store.append(logs);
        const page = await store.search({ tenantId: tenantA, limit: 10 });
        assert.deepEqual(page.logs.map((log) => log.eventId), [id(2), id(5), id(3), id(1), id(4)]);
      });

      test('pagination walks every row exactly once, in order', async () => {
        const appended = variedLogs(tenantA, 250);
        await store.append(appended);
        for (const query of [
          { tenantId: tenantA, limit: 7 },
          { tenantId: tenantA, limit: 4, level: 'ERROR' },
          { tenantId: tenantA, limit: 3, text: 'timeout', to: T0 + 40 * MINUTE },
        ]) {
          const pages = await walkPages(store, query);
          const walked = pages.flatMap((page) => page.logs);
          const expected = appended.filter((log) => matches(log, query)).sort(newestFirst).map(asStored);
          assert.ok(expected.length > query.limit * 3, 'several pages');
          assert.deepEqual(walked, expected, JSON.stringify(query));
          for (const page of pages.slice(0, -1)) {
            assert.equal(page.logs.length, query.limit);
            assert.deepEqual(page.next, cursorOf(page.logs[page.logs.length - 1]));
          }
          assert.equal(pages[pages.length - 1].next, null);
        }
      });

      test('next is set on a full page even when nothing follows, and null on a short one', async () => {
        await store.append(variedLogs(tenantA, 14));
        const first = await store.search({ tenantId: tenantA, limit: 7 });
        const second = await store.search({ tenantId: tenantA, limit: 7, after: first.next ?? undefined });
        assert.equal(second.logs.length, 7);
        assert.notEqual(second.next, null);
        assert.deepEqual(await store.search({ tenantId: tenantA, limit: 7, after: second.next ?? undefined }), { logs: [], next: null });
        const short = await store.search({ tenantId: tenantA, limit: 15 });
        assert.equal(short.logs.length, 14);
        assert.equal(short.next, null);
      });

      test('after is a position: strictly after it, whether or not a stored log sits there', async () => {
        const appended = variedLogs(tenantA, 40);
        await store.append(appended);
        const sortedIds = appended.map((log) => log.eventId).sort();
        for (const after of [
          { timestamp: T0 + 3 * MINUTE, eventId: sortedIds[14] },
          { timestamp: T0 + 3 * MINUTE, eventId: 'ffffffff' },
          { timestamp: T0 + 3 * MINUTE, eventId: '' },
          { timestamp: T0 + 3 * MINUTE + 30_000, eventId: sortedIds[0] },
          { timestamp: T0 + DAY, eventId: '' },
          { timestamp: T0 - DAY, eventId: 'ffffffff' },
        ]) {
          await assertMatchesModel(store, appended, { tenantId: tenantA, limit: 5, after });
        }
      });
    });

    describe('tenant isolation', () => {
      test('a tenant never sees another tenant’s logs, whatever the filters', async () => {
        const a = variedLogs(tenantA, 30);
        const b = a.map((log) => ({ ...log, tenantId: tenantB, eventId: nextEventId() }));
        await store.append([...a, ...b]);
        for (const filter of [{}, { serviceName: 'checkout' }, { fingerprint: a[0].fingerprint }, { text: 'timeout' }, { level: 'INFO', from: T0 }]) {
          for (const [tenantId, own] of [[tenantA, a], [tenantB, b]] as const) {
            const page = await store.search({ tenantId, limit: 1000, ...filter });
            assert.ok(page.logs.length > 0);
            assert.ok(page.logs.every((log) => log.tenantId === tenantId), JSON.stringify(filter));
            await assertMatchesModel(store, own, { tenantId, limit: 1000, ...filter });
          }
        }
        assert.deepEqual(await store.search({ tenantId: randomUUID(), limit: 10 }), { logs: [], next: null });
        assert.equal(await store.count({ tenantId: randomUUID() }), 0);
      });

      test('an eventId already stored for one tenant does not hide another tenant’s log', async () => {
        const a = makeLog(tenantA);
        const b = { ...a, tenantId: tenantB };
        await store.append([a]);
        await store.append([b]);
        assert.deepEqual((await store.search({ tenantId: tenantB, limit: 10 })).logs, [b]);
        assert.equal(await store.count({ tenantId: tenantA }), 1);
      });
    });

    describe('idempotency by eventId', () => {
      async function assertStoredOnce(appended: NormalizedLogEvent[]): Promise<void> {
        const unique = [...new Map(appended.map((log) => [log.eventId, log])).values()];
        assert.equal(await store.count({ tenantId: tenantA }), unique.length);
        const walked = (await walkPages(store, { tenantId: tenantA, limit: 1000 })).flatMap((page) => page.logs);
        assert.deepEqual(walked, unique.sort(newestFirst).map(asStored));
      }

      test('the same batch appended twice is stored once', async () => {
        const batch = variedLogs(tenantA, 50);
        await store.append(batch);
        await store.append(batch);
        await assertStoredOnce(batch);
      });

      test('a log repeated within one batch is stored once', async () => {
        const batch = variedLogs(tenantA, 20);
        await store.append([...batch, batch[3], batch[0], ...batch.slice(5, 9)]);
        await assertStoredOnce(batch);
      });

      test('a batch mixing stored and new logs adds only the new ones', async () => {
        const first = variedLogs(tenantA, 30);
        const second = [...first.slice(10), ...variedLogs(tenantA, 15)];
        await store.append(first);
        await store.append(second);
        await assertStoredOnce([...first, ...second]);
      });

      test('a batch appended as never stored keeps every field, drops repeats within it, and later checked appends of it add nothing', async () => {
        const batch = variedLogs(tenantA, 60);
        const full = makeLog(tenantA, {
          level: 'ERROR',
          message: 'timeout — café ☕',
          exceptionType: 'java.net.SocketTimeoutException',
          firstStackFrame: 'com.acme.Client.call(Client.java)',
          trace: 'java.net.SocketTimeoutException: timed out\n\tat com.acme.Client.call(Client.java:1)',
          attributes: { region: 'eu-west-1', retries: 3 },
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        });
        await store.append([...batch, full, batch[7], batch[0]], { neverStored: true });
        await assertStoredOnce([...batch, full]);
        await store.append([...batch.slice(20), full]);
        await assertStoredOnce([...batch, full]);
        const filter = { tenantId: tenantA, level: 'ERROR', from: T0 - DAY, to: T0 + 3 * DAY };
        assert.equal(await store.count(filter), modelCount([...batch, full], filter));
      });

      test('concurrent appends of the same batch store it once', async () => {
        const batch = variedLogs(tenantA, 200);
        await Promise.all([store.append(batch), store.append(batch), store.append(batch.slice(50, 120))]);
        await assertStoredOnce(batch);
      });

      test('holds for batches spanning days, with stragglers far from the rest', async () => {
        const batch = [
          ...variedLogs(tenantA, 40),
          makeLog(tenantA, { timestamp: iso(T0 - 30 * DAY) }),
          makeLog(tenantA, { timestamp: iso(T0 - DAY - 1) }),
          makeLog(tenantA, { timestamp: iso(T0 + 3 * DAY) }),
          makeLog(tenantA, { timestamp: iso(0) }),
        ];
        for (let i = 0; i < 12; i++) batch.push(makeLog(tenantA, { timestamp: iso(T0 - i * 7 * DAY + i) }));
        await store.append(batch);
        // Redelivered in a different order, split differently, mixed with new logs.
        const fresh = variedLogs(tenantA, 5);
        await store.append([...batch.slice(20).reverse(), ...fresh]);
        await store.append(batch.slice(0, 25));
        await assertStoredOnce([...batch, ...fresh]);
      });

      test('holds after a reopen', async (t) => {
        if (!subject.reopen) return t.skip('adapter has no reopen');
        const batch = variedLogs(tenantA, 60);
        await store.append(batch);
        await reopen();
        await store.append(batch);
        await store.append(batch.slice(0, 10));
        await assertStoredOnce(batch);
      });
    });

    describe('hostile filter values', () => {
      let appended: NormalizedLogEvent[];

      beforeEach(async () => {
        appended = [];
        for (const tenantId of [tenantA, tenantB]) {
          HOSTILE_VALUES.forEach((value, i) => {
            const message = value.length > 9_000 ? value : `hostile #${i} <${value}> end`;
            appended.push(makeLog(tenantId, { message, timestamp: iso(T0 + i) }));
            if (value.length <= 32) {
              appended.push(makeLog(tenantId, { serviceName: value, environment: value, level: value, message: 'plain', timestamp: iso(T0 + i) }));
            }
          });
        }
        await store.append(appended);
      });

      for (const [index, value] of [...HOSTILE_VALUES, ...SEARCH_ONLY_HOSTILE_VALUES].entries()) {
        const label = JSON.stringify(value.length > 40 ? `${value.slice(0, 10)}… (${value.length} chars)` : value);
        test(`value #${index} ${label} gives exact results in every filter`, async () => {
          const queries: LogQuery[] = [
            { tenantId: tenantA, limit: 1000, text: value },
            { tenantId: tenantA, limit: 1000, serviceName: value },
            { tenantId: tenantA, limit: 1000, environment: value },
            { tenantId: tenantA, limit: 1000, level: value },
            { tenantId: tenantA, limit: 1000, fingerprint: value },
            { tenantId: tenantA, limit: 1000, text: value, serviceName: value },
            { tenantId: tenantA, limit: 1000, after: { timestamp: T0 + 20, eventId: value } },
            { tenantId: value, limit: 1000 },
            { tenantId: value, limit: 1000, text: value },
          ];
          for (const query of queries) await assertMatchesModel(store, appended, query);
          if (HOSTILE_VALUES.includes(value)) {
            assert.ok(modelCount(appended, { tenantId: tenantA, text: value }) > 0, 'the value is found where it was stored');
          }
        });
      }
    });

    describe('query validation', () => {
      for (const limit of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        test(`limit ${limit} is rejected with an error naming limit`, async () => {
          await assert.rejects(store.search({ tenantId: tenantA, limit }), /limit/);
        });
      }

      test('limits 1 and 1000 are accepted', async () => {
        await store.append(variedLogs(tenantA, 3));
        assert.equal((await store.search({ tenantId: tenantA, limit: 1 })).logs.length, 1);
        assert.equal((await store.search({ tenantId: tenantA, limit: 1000 })).logs.length, 3);
      });
    });

    describe('atomicity and durability', () => {
      test('a concurrent reader sees each batch entirely or not at all', async () => {
        const batchSize = 2_000;
        let appending = true;
        const counts: number[] = [];
        const pageSizes: number[] = [];
        const reader = (async () => {
          while (appending) {
            counts.push(await store.count({ tenantId: tenantA }));
            pageSizes.push((await store.search({ tenantId: tenantA, limit: 1000, level: 'ERROR' })).logs.length);
          }
        })();
        try {
          for (let i = 0; i < 8; i++) {
            const batch = variedLogs(tenantA, batchSize).map((log) => ({ ...log, timestamp: iso(Date.parse(log.timestamp) + i * DAY) }));
            await store.append(batch);
          }
        } finally {
          appending = false;
          await reader;
        }
        assert.ok(counts.length > 0, 'the reader ran');
        for (const count of counts) assert.equal(count % batchSize, 0, `count ${count} shows a partial batch`);
        assert.equal(await store.count({ tenantId: tenantA }), 8 * batchSize);
      });

      test('a reopened store keeps every log, exactly', async (t) => {
        if (!subject.reopen) return t.skip('adapter has no reopen');
        const appended = [...variedLogs(tenantA, 300), makeLog(tenantA, { trace: 'x\ny', exceptionType: 'E', attributes: { k: 'v' } })];
        await store.append(appended.slice(0, 100));
        await store.append(appended.slice(100));
        await reopen();
        await store.ping();
        const walked = (await walkPages(store, { tenantId: tenantA, limit: 1000 })).flatMap((page) => page.logs);
        assert.deepEqual(walked, [...appended].sort(newestFirst).map(asStored));
        const more = variedLogs(tenantA, 5);
        await store.append(more);
        assert.equal(await store.count({ tenantId: tenantA }), appended.length + 5);
      });
    });
  });
}
