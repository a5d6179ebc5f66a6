/**
 * The ingestion gateway over HTTP, on the real embedded bus: status codes, error bodies naming
 * fields, all-or-nothing batches, and 202 only once raw-logs holds the logs.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createEmbeddedBus } from '../../src/bus/embedded/index.js';
import { partitionForKey } from '../../src/bus/partitioner.js';
import type { Bus, BusRecord } from '../../src/bus/port.js';
import { loadConfig } from '../../src/config/config.js';
import { TOPIC } from '../../src/contracts/topics.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { pipelineTopics } from '../../src/platform.js';
import { createHttpApp } from '../../src/runtime/http.js';
import { createLogger } from '../../src/runtime/logger.js';
import { MAX_BODY_BYTES, startGatewayService } from '../../src/services/gateway/index.js';
import { removeDir, tempDataDir } from '../support/platform-process.js';

const TENANT = randomUUID();
const log = { serviceName: 'payment-service', environment: 'production', level: 'error', message: 'boom 42' };

describe('ingestion gateway HTTP API', () => {
  let dir: string;
  let bus: Bus;
  let app: FastifyInstance;

  before(async () => {
    dir = tempDataDir('log0-gateway-');
    bus = await createEmbeddedBus({ dataDir: dir });
    const config = loadConfig({ LOG0_BUS_PARTITIONS: '4' });
    await bus.ensureTopics(pipelineTopics(config));
    const logger = createLogger('silent');
    app = createHttpApp({ service: 'ingestion-gateway', logger, checks: { bus: () => bus.ping() }, bodyLimit: MAX_BODY_BYTES });
    await startGatewayService({ bus, logger, config, app });
    await app.ready();
  });

  after(async () => {
    await app.close();
    await bus.close().catch(() => {});
    removeDir(dir);
  });

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/logs',
      headers: { 'content-type': 'application/json', 'x-tenant-id': TENANT, ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  async function rawLogsEnd(): Promise<number> {
    let total = 0;
    for (let p = 0; p < 4; p++) total += (await bus.partitionBounds(TOPIC.rawLogs, p)).latest;
    return total;
  }

  async function readAll(): Promise<BusRecord[]> {
    const records: BusRecord[] = [];
    for (let p = 0; p < 4; p++) {
      const { earliest, latest } = await bus.partitionBounds(TOPIC.rawLogs, p);
      for await (const batch of bus.read(TOPIC.rawLogs, p, earliest, latest)) records.push(...batch);
    }
    return records;
  }

  test('202 with eventIds in order; raw-logs holds valid RawLogEvents keyed and partitioned by tenant', async () => {
    const batch = [log, { ...log, message: 'second' }, { ...log, message: 'third', trace: 'x' }];
    const res = await post(batch);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json();
    assert.equal(body.accepted, 3);
    assert.equal(body.eventIds.length, 3);
    const records = await readAll();
    const byId = new Map(records.map((r) => [JSON.parse(r.value.toString()).eventId, r]));
    body.eventIds.forEach((id: string, i: number) => {
      const record = byId.get(id);
      assert.ok(record, `eventId ${id} not on raw-logs`);
      const event = JSON.parse(record.value.toString());
      assert.ok(messageValidator('RawLogEvent')(event).ok);
      assert.equal(event.message, batch[i].message);
      assert.equal(record.key, TENANT);
      assert.equal(record.partition, partitionForKey(TENANT, 4));
    });
  });

  test('a single object is accepted too; headers fill serviceName and environment', async () => {
    const res = await post({ message: 'from headers' }, { 'x-service-name': 'svc-h', 'x-environment': 'dev' });
    assert.equal(res.statusCode, 202, res.body);
    const [id] = res.json().eventIds;
    const event = (await readAll()).map((r) => JSON.parse(r.value.toString())).find((e) => e.eventId === id);
    assert.equal(event.serviceName, 'svc-h');
    assert.equal(event.environment, 'dev');
  });

  test('400 names every bad field with its index, and nothing is published', async () => {
    const before = await rawLogsEnd();
    const res = await post([log, { ...log, message: '' }, { ...log, environment: 7, trace: 't'.repeat(100_001) }]);
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error, 'validation_failed');
    const fields = body.issues.map((i: { field: string }) => i.field).sort();
    assert.deepEqual(fields, ['[1].message', '[2].environment', '[2].trace']);
    assert.equal(await rawLogsEnd(), before);
  });

  test('401 without a tenant or with a tenant that is not a UUID', async () => {
    for (const tenant of [undefined, 'acme-corp']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/logs',
        headers: { 'content-type': 'application/json', ...(tenant ? { 'x-tenant-id': tenant } : {}) },
        payload: JSON.stringify(log),
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().field, 'X-TENANT-ID');
    }
  });

  test('413 over 5 MB or over 1,000 logs; 415 for other content types; malformed JSON is 400', async () => {
    const huge = await post([{ ...log, message: 'x'.repeat(9000) }].concat(Array.from({ length: 600 }, () => ({ ...log, message: 'y'.repeat(9000) }))));
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error, 'payload_too_large');
    const many = await post(Array.from({ length: 1001 }, () => log));
    assert.equal(many.statusCode, 413);
    assert.match(many.json().message, /1000/);
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/logs',
      headers: { 'content-type': 'text/plain', 'x-tenant-id': TENANT },
      payload: 'hello',
    });
    assert.equal(text.statusCode, 415);
    // JSON is UTF-8: another declared charset is refused, not decoded wrongly.
    const before = await rawLogsEnd();
    for (const [charset, payload] of [
      ['latin1', Buffer.from(`{"serviceName":"s","environment":"e","message":"caf\xe9"}`, 'latin1')],
      ['"utf-16le"', Buffer.from(JSON.stringify(log), 'utf16le')],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/logs',
        headers: { 'content-type': `application/json; charset=${charset}`, 'x-tenant-id': TENANT },
        payload,
      });
      assert.equal(res.statusCode, 415, `charset=${charset}: ${res.body}`);
      assert.equal(res.json().error, 'unsupported_media_type');
      assert.match(res.json().message, /must be JSON in UTF-8/);
    }
    assert.equal(await rawLogsEnd(), before, 'nothing published');
    for (const charset of ['utf-8', 'UTF8', '"utf-8"', 'us-ascii']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/logs',
        headers: { 'content-type': `application/json; charset=${charset}`, 'x-tenant-id': TENANT },
        payload: JSON.stringify(log),
      });
      assert.equal(res.statusCode, 202, `charset=${charset}: ${res.body}`);
    }
    for (const broken of ['{"serviceName": ', '[1,2', '', 'null']) {
      const res = await post(broken);
      assert.equal(res.statusCode, 400, `${JSON.stringify(broken)} → ${res.statusCode} ${res.body}`);
      assert.ok(res.json().error);
    }
  });

  test('/health and /ready', async () => {
    assert.equal((await app.inject({ url: '/health' })).statusCode, 200);
    const ready = await app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { bus: 'ok' });
  });

  test('bus unavailable: 503 with Retry-After, never a 202', async () => {
    await bus.close();
    const res = await post(log);
    assert.equal(res.statusCode, 503);
    assert.ok(Number(res.headers['retry-after']) > 0);
    assert.equal(res.json().error, 'bus_unavailable');
    assert.equal((await app.inject({ url: '/ready' })).statusCode, 503);
  });
});
