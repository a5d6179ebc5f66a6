import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runtime/package-root.js';
import { embeddedEnv, removeDir, startPlatformProcess, tempDataDir } from '../support/platform-process.js';

const CLI = join(packageRoot(), 'dist/src/cli/main.js');

test('log0 --help lists the commands', () => {
  const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: log0/);
  assert.match(result.stdout, /up\s+start the whole platform/);
});

test('a bad setting stops startup with a message naming the variable', () => {
  const dataDir = tempDataDir();
  try {
    const result = spawnSync(process.execPath, [CLI, 'up'], {
      encoding: 'utf8',
      env: { ...embeddedEnv(), LOG0_DATA_DIR: dataDir, LOG0_CLUSTER_THRESHOLD: 'ten' },
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /LOG0_CLUSTER_THRESHOLD must be an integer/);
  } finally {
    removeDir(dataDir);
  }
});

test('a second log0 on the same data directory is refused, the first keeps running', { timeout: 90_000 }, async () => {
  const first = await startPlatformProcess();
  try {
    await assert.rejects(startPlatformProcess({ dataDir: first.dataDir }), /already open by process \d+/);
    assert.equal((await fetch(`${first.gateway}/health`)).status, 200);
  } finally {
    assert.equal(await first.stop(), 0, first.output());
    removeDir(first.dataDir);
  }
});

test('log0 normalize: one JSON object per input line, raw text or JSON logs; equal templates give equal fingerprints', () => {
  const input = [
    'Connection timeout to payment-gateway after 30000ms',
    'Connection timeout to payment-gateway after 5ms',
    '',
    JSON.stringify({ serviceName: 'api', level: 'error', message: 'boom', trace: 'java.lang.IllegalStateException: boom\n\tat com.acme.Orders.place(Orders.java:42)' }),
    '{not json, a raw line',
  ].join('\n');
  const result = spawnSync(process.execPath, [CLI, 'normalize', '--service', 'payments'], { input, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4, 'the blank line is skipped');
  for (const line of lines) assert.deepEqual(Object.keys(line), ['level', 'messageTemplate', 'exceptionType', 'firstStackFrame', 'fingerprint']);
  assert.equal(lines[0].fingerprint, lines[1].fingerprint);
  assert.equal(lines[0].level, 'INFO');
  assert.equal(lines[2].level, 'ERROR');
  assert.equal(lines[2].exceptionType, 'java.lang.IllegalStateException');
  assert.match(lines[2].firstStackFrame, /^com\.acme\.Orders\.place\(Orders\.java\)$/);
  assert.equal(lines[3].messageTemplate, '{not json, a raw line');
});

test('log0 normalize --rules --tenant: the tenant’s rules apply and are named; a bad rules file stops log0 up', () => {
  const dir = tempDataDir('log0-rules-');
  try {
    const tenant = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, `tenants:\n  ${tenant}:\n    - name: carts\n      masks: [{ pattern: 'cart-[a-z]+', replacement: '<cart>' }]\n`);
    const args = [CLI, 'normalize', '--rules', rules];
    const own = spawnSync(process.execPath, [...args, '--tenant', tenant], { input: 'cart-abc failed\n', encoding: 'utf8' });
    assert.equal(own.status, 0, own.stderr);
    assert.deepEqual(JSON.parse(own.stdout).messageTemplate, '<cart> failed');
    assert.deepEqual(JSON.parse(own.stdout).rules, ['carts']);
    const other = spawnSync(process.execPath, args, { input: 'cart-abc failed\n', encoding: 'utf8' });
    assert.equal(JSON.parse(other.stdout).messageTemplate, 'cart-abc failed');

    writeFileSync(rules, `tenants:\n  ${tenant}:\n    - masks: [{ pattern: '(', replacement: '<x>' }]\n`);
    const up = spawnSync(process.execPath, [CLI, 'up'], { encoding: 'utf8', env: { ...embeddedEnv(), LOG0_DATA_DIR: dir, LOG0_FINGERPRINT_RULES: rules } });
    assert.equal(up.status, 1);
    assert.match(up.stderr, /configuration error: .*rules\.yaml: tenants\.7d444840-9dc0-11d1-b245-5ffdce74fad2\[0\]\.masks\[0\]\.pattern: not a valid regular expression/);
  } finally {
    removeDir(dir);
  }
});
