/**
 * GET /api/v1/logs with hostile filter values, on both log stores (embedded DuckDB, ClickHouse):
 * quotes, backslashes, NUL, SQL and ClickHouse syntax, LIKE metacharacters, unicode, very long
 * strings, malformed percent-encoding. Every request answers 200 with exactly the matching logs
 * of its own tenant, or 400 naming the offending field; never a 500, never another tenant's row.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import { registerLogRoutes } from '../../src/services/incidents/log-routes.js';
import { createClickHouseLogStore } from '../../src/storage/clickhouse/index.js';
import { createDuckDbLogStore } from '../../src/storage/duckdb/index.js';
import type { LogStore } from '../../src/storage/log-store.js';
import { clickHouseUrl, freshDatabaseName, urlWithDatabase } from '../support/clickhouse-server.js';
import { SQL_ADAPTERS } from '../support/sql-adapters.js';
import { HOSTILE_VALUES, matches } from '../contract/log-store.contract.js';

interface StoreUnderTest {
  name: string;
  open(): Promise<{ store: LogStore; cleanup: () => Promise<void> }>;
}

const STORES: StoreUnderTest[] = [
  {
    name: 'DuckDB',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'log0-hostile-'));
      const store = await createDuckDbLogStore({ path: join(dir, 'logs.duckdb') });
      return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'ClickHouse',
    async open() {
      const base = await clickHouseUrl();
      const database = freshDatabaseName();
      const store = await createClickHouseLogStore({ url: urlWithDatabase(base, database), batchRows: 5000, flushIntervalMs: 20 });
      const { createClient } = await import('@clickhouse/client');
      return {
        store,
        cleanup: async () => {
          await store.close();
          const admin = createClient({ url: base });
          await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
          await admin.close();
        },
      };
    },
  },
];

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const SEARCHED_PARAMS = { service: 'serviceName', environment: 'environment', level: 'level', q: 'text' } as const;

/** Percent-encodings a client may send that decode to nothing sensible. */
const RAW_ENCODED = ['%ED%A0%80', '%FF', '%C3', '%', '%zz', '%%', '%00%00', '%E2%80%AE', '+', '%2B', '%26x%3D1'];

let sequence = 0;
function logOf(tenantId: string, value: string): NormalizedLogEvent {
  sequence += 1;
  const short = value.length <= 255 && value.trim() !== '' ? value : 'plain';
  return {
    eventId: `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`,
    tenantId,
    serviceName: short,
    environment: short,
    timestamp: new Date(T0 + sequence).toISOString(),
    // Stored levels are upper case (normalization); the API upper-cases the filter too.
    level: short.length <= 32 ? short.toUpperCase() : 'INFO',
    message: `before ${value} after`,
    messageTemplate: 'before <*> after',
    fingerprint: createHash('sha256').update(value).digest('hex'),
    schemaVersion: 'v1',
  };
}

for (const kind of STORES) {
  describe(`log search with hostile filters on ${kind.name}`, { timeout: 120_000 }, () => {
    const tenant = randomUUID();
    const otherTenant = randomUUID();
    const stored: NormalizedLogEvent[] = [];
    let app: FastifyInstance;
    let cleanups: Array<() => Promise<void>> = [];

    before(async () => {
      const { store, cleanup } = await kind.open();
      const sql = await SQL_ADAPTERS[0].open();
      cleanups = [cleanup, sql.cleanup];
      // The same hostile logs in both tenants: any leak shows up as a row of the other tenant.
      for (const t of [tenant, otherTenant]) for (const value of HOSTILE_VALUES) stored.push(logOf(t, value));
      await store.append(stored);
      app = createHttpApp({ service: 'incident-service', logger: createLogger('silent'), checks: {} });
      registerLogRoutes(app, { db: sql.db, logStore: store });
      await app.ready();
    });

    after(async () => {
      await app?.close();
      for (const cleanup of cleanups) await cleanup();
    });

    async function search(rawQuery: string) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/logs?limit=1000&${rawQuery}`, headers: { 'x-tenant-id': tenant } });
      return { status: response.statusCode, body: response.json() as any };
    }

    function assertRefusedNaming(result: { status: number; body: any }, field: string, label: string): void {
      assert.equal(result.status, 400, `${label}: ${JSON.stringify(result.body).slice(0, 300)}`);
      assert.ok(
        result.body.issues.some((issue: { field: string }) => issue.field === field),
        `${label}: the 400 names ${field}: ${JSON.stringify(result.body).slice(0, 300)}`,
      );
    }

    test('text filters: exactly the matching logs of the tenant, or a 400 naming the field', async () => {
      let answered = 0;
      let refused = 0;
      for (const value of HOSTILE_VALUES) {
        for (const [param, field] of Object.entries(SEARCHED_PARAMS)) {
          const label = `${param}=${JSON.stringify(value.slice(0, 40))}${value.length > 40 ? `… (${value.length})` : ''}`;
          const result = await search(`${param}=${encodeURIComponent(value)}`);
          if (result.status === 400) {
            assertRefusedNaming(result, param, label);
            refused++;
            continue;
          }
          assert.equal(result.status, 200, `${label}: ${JSON.stringify(result.body).slice(0, 300)}`);
          const filterValue = param === 'level' ? value.toUpperCase() : value;
          const expected = stored
            .filter((log) => matches(log, { tenantId: tenant, [field]: filterValue }))
            .map((log) => log.eventId)
            .sort();
          const got = result.body.logs.map((log: NormalizedLogEvent) => log.eventId).sort();
          assert.deepEqual(got, expected, label);
          for (const log of result.body.logs) assert.equal(log.tenantId, tenant, `${label}: another tenant's log`);
          answered++;
        }
      }
      // Most values are legitimate filters; only empty or over-long ones may be refused.
      assert.ok(answered > refused * 4, `answered ${answered}, refused ${refused}`);
    });

    test('malformed percent-encoding and hostile values in structured parameters: 200 or a 400 naming the field, never a 500', async () => {
      for (const raw of RAW_ENCODED) {
        for (const param of ['service', 'environment', 'level', 'q', 'fingerprint', 'from', 'to', 'cursor', 'limit']) {
          const result = await search(`${param}=${raw}`);
          assert.ok(result.status === 200 || result.status === 400, `${param}=${raw}: ${result.status} ${JSON.stringify(result.body)}`);
          if (result.status === 400) assertRefusedNaming(result, param, `${param}=${raw}`);
          else for (const log of result.body.logs) assert.equal(log.tenantId, tenant);
        }
      }
      for (const value of ["' OR '1'='1", "1; DROP TABLE logs", '\u0000', 'x'.repeat(10_000), '2026-13-45', '-1', '1e309']) {
        for (const param of ['fingerprint', 'from', 'to', 'cursor', 'limit']) {
          assertRefusedNaming(await search(`${param}=${encodeURIComponent(value)}`), param, `${param}=${JSON.stringify(value.slice(0, 20))}`);
        }
      }
    });

    test('the tenant comes only from a valid X-TENANT-ID: anything else is 401, with no logs', async () => {
      for (const header of ["' OR 1=1 --", `${otherTenant}' OR '1'='1`, '', '\u0000', '%']) {
        const response = await app.inject({ method: 'GET', url: '/api/v1/logs', headers: { 'x-tenant-id': header } });
        assert.equal(response.statusCode, 401, JSON.stringify(header));
        assert.equal(response.json().logs, undefined);
      }
    });
  });
}
