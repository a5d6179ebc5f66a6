import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../src/runtime/package-root.js';
import { removeDir, startPlatformProcess, tempDataDir } from '../support/platform-process.js';

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
      env: { ...process.env, LOG0_DATA_DIR: dataDir, LOG0_CLUSTER_THRESHOLD: 'ten' },
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
