import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { genericTemplate, messageTemplate, TEMPLATE_PLACEHOLDERS } from '../../../src/services/normalization/template.js';
import { table } from './template-table.js';

describe('messageTemplate: UUIDs', () => {
  table([
    ['order 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 shipped', 'order <uuid> shipped'],
    ['GET /api/orders/5b1f8f0e-3f6a-4a8e-9f0e-1c2d3e4f5a6b/items failed', 'GET <path> failed'],
    ['req_0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 and order-5b1f8f0e-3f6a-4a8e-9f0e-1c2d3e4f5a6b', 'req_<uuid> and order-<uuid>'],
    // The nil UUID is all digits: it must come out as one <uuid>, not five numbers.
    ['00000000-0000-0000-0000-000000000000', '<uuid>'],
    ['12345678-1234-1234-1234-123456789012 failed', '<uuid> failed'],
    ['[instance: 4c1d9e2a-7b3f-4a8e-b6d5-0e9f8a7b6c5d] Terminating instance', '[instance: <uuid>] Terminating instance'],
    // Two UUIDs glued by a hyphen, and many: each is one placeholder.
    ['0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70-5b1f8f0e-3f6a-4a8e-9f0e-1c2d3e4f5a6b', '<uuid>-<uuid>'],
  ]);

  describe('not UUIDs', () => {
    for (const message of [
      'id 0191f3a2f-7c4e-7b1a-9c1d-2b3c4d5e6f70',
      'id 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70x',
      'id x0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70',
      'id 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f7',
      'id 0191g3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70',
    ]) {
      test(JSON.stringify(message), () => assert.doesNotMatch(messageTemplate(message), /<uuid>/));
    }
  });
});

describe('messageTemplate: addresses are <host>', () => {
  table([
    ['connected to 10.0.0.1', 'connected to <host>'],
    ['from 192.168.1.254 and 255.255.255.0', 'from <host> and <host>'],
    ['peer 0.0.0.0 closed', 'peer <host> closed'],
    // The port is part of the endpoint: one value.
    ['postgres at 10.42.7.19:5432 refused', 'postgres at <host> refused'],
    ['client 172.16.0.3, cidr 10.0.0.0/8.', 'client <host>, cidr <host>/<number>.'],
    ['from 2001:0db8:85a3:0000:0000:8a2e:0370:7334', 'from <host>'],
    ['from 2001:db8::8a2e:370:7334 via fe80::1', 'from <host> via <host>'],
    ['listening on ::1', 'listening on <host>'],
    ['connect to ::1: connection refused', 'connect to <host>: connection refused'],
    ['link-local fe80::1%eth0 and fe80::a00:27ff:fe4e:66a1%en0.', 'link-local <host> and <host>.'],
    ['mapped ::ffff:192.168.1.1 connected', 'mapped <host> connected'],
    ['upstream [2001:db8::1]:8443 timed out', 'upstream <host> timed out'],
  ]);

  describe('not addresses', () => {
    table([
      ['Cache::add failed', 'Cache::add failed'],
      ['calling ::face on std::vector', 'calling ::face on std::vector'],
      ['bound to [::]:8080', 'bound to [::]:<number>'],
      ['step 1 :: done', 'step <number> :: done'],
      ['build v10.0.0.1 deployed', 'build <version> deployed'],
    ]);
  });
});

describe('messageTemplate: numbers', () => {
  table([
    ['retry 3 of 5', 'retry <number> of <number>'],
    ['ratio 0.9731, balance -42.50, delta -5', 'ratio <number>, balance <number>, delta <number>'],
    ['threshold 1e-9 exceeded by 2.5E3', 'threshold <number> exceeded by <number>'],
    ['HTTP/1.1 500 Internal Server Error', 'HTTP/<number> <number> Internal Server Error'],
    ['user-123 failed (#42)', 'user-<number> failed (#<number>)'],
    ['range 1-10', 'range <number>-<number>'],
  ]);

  describe('units are kept', () => {
    table([
      ['Connection timeout to payment-gateway after 30000ms', 'Connection timeout to payment-gateway after <number>ms'],
      ['took 12.5s', 'took <number>s'],
      ['heap 512MB of 4GiB', 'heap <number>MB of <number>GiB'],
      ['waited -3ms', 'waited <number>ms'],
      ['cpu at 87.5%', 'cpu at <number>%'],
      ['Flushed segment 12 in 160 ms', 'Flushed segment <number> in <number> ms'],
    ]);
  });

  describe('digits inside words are kept', () => {
    table([
      ['log4j and slf4j loaded', 'log4j and slf4j loaded'],
      ['sha256 mismatch for utf8 payload', 'sha256 mismatch for utf8 payload'],
      ['arch x86_64, api v2, bucket s3', 'arch x86_64, api v2, bucket s3'],
      ['версия2 ok, größe3 ok', 'версия2 ok, größe3 ok'],
      ['Accepted publickey for deploy from 198.51.100.20 port 50022 ssh2', 'Accepted publickey for deploy from <host> port <number> ssh2'],
    ]);
  });
});

describe('messageTemplate: rules combined', () => {
  table([
    [
      'GET /api/v1/orders/0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 completed with status 200 in 45ms from 10.42.7.19',
      'GET <path> completed with status <number> in <number>ms from <host>',
    ],
    [
      'User 12345 logged in from [2001:db8::7]:51234 with session 7d444840-9dc0-11d1-b245-5ffdce74fad2',
      'User <user> logged in from <host> with session <uuid>',
    ],
    ['', ''],
    ['   ', ''],
    ['no variables here', 'no variables here'],
    // White space: runs become one space, the ends go.
    ['  boot \t (command   1911)\n', 'boot (command <number>)'],
  ]);

  test('messages differing only in variable values share a template', () => {
    const a = messageTemplate('Payment 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 to 10.0.0.1:443 failed after 30000ms (attempt 3)');
    const b = messageTemplate('Payment 5b1f8f0e-3f6a-4a8e-9f0e-1c2d3e4f5a6b to gw.example.com:8443 failed after 120ms (attempt 1)');
    assert.equal(a, b);
  });

  test('deterministic, and idempotent: a template is its own template', () => {
    const message = 'job 42 on 10.0.0.7 took 12.5s for 0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 via fe80::1%eth0';
    const template = messageTemplate(message);
    assert.equal(messageTemplate(message), template);
    assert.equal(messageTemplate(template), template);
  });

  test('linear time on hostile 100,000-character messages', () => {
    const size = 100_000;
    for (const message of [
      '1'.repeat(size), '1.'.repeat(size / 2), '1:'.repeat(size / 2), '1' + ':'.repeat(size), '::1 '.repeat(size / 4),
      '1-'.repeat(size / 2), 'f:'.repeat(size / 2) + '1', '0000-'.repeat(size / 5), 'a='.repeat(size / 2), 'a=('.repeat(size / 3),
      'a:'.repeat(size / 2), '-'.repeat(size), '('.repeat(size), 'x="'.repeat(size / 3), 'user '.repeat(size / 5),
      '0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70-'.repeat(size / 37), 'a..1'.repeat(size / 4), '{"a":' + '['.repeat(size / 2),
      'Jan 1 10:00:00 '.repeat(size / 15), 'blk_1 '.repeat(size / 6), '/a'.repeat(size / 2), 'a@b.com '.repeat(size / 8),
    ]) {
      const started = performance.now();
      messageTemplate(message);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 500, `${elapsed.toFixed(0)} ms on ${JSON.stringify(message.slice(0, 20))}…`);
    }
  });
});

describe('genericTemplate', () => {
  table(
    [
      ['connection from <host> (<host>) at <datetime>', 'connection from <*> (<*>) at <*>'],
      ['timeout after <number>ms', 'timeout after <*>'],
      ['uid=<*> user=<user>', 'uid=<*> user=<*>'],
      ['no placeholders', 'no placeholders'],
    ],
    genericTemplate,
  );

  test('maps every placeholder messageTemplate writes', () => {
    for (const placeholder of TEMPLATE_PLACEHOLDERS) assert.equal(genericTemplate(`a ${placeholder} b`), 'a <*> b');
  });
});
