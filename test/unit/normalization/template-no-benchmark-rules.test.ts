/**
 * Guard: templating rules are general rules of logging, never rules for the systems log0 is benchmarked on
 * (bench/grouping.ts, the LogPAI Loghub samples). No template source file may name one of those systems or
 * the benchmark, nor use vocabulary found only in its sample logs (host, user and program names of the
 * traces). A rule that needs such a word is fitted to the benchmark, not to logs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const normalization = join(repoRoot, 'src', 'services', 'normalization');

/** The 16 systems of the benchmark, the benchmark's names, and words peculiar to its traces. */
const FORBIDDEN = [
  'HDFS', 'Hadoop', 'Spark', 'Zookeeper', 'BGL', 'HPC', 'Thunderbird', 'Windows', 'Linux', 'Android', 'HealthApp',
  'Apache', 'Proxifier', 'OpenSSH', 'OpenStack', 'Mac',
  'loghub', 'logpai', 'Khan', 'LogBatcher', 'LILAC', 'Drain',
  'cuhk', 'fareast', 'msra', 'mininit', 'tbird', 'bglio', 'ciod', 'calvisitor', 'cloudlab', 'labsz', 'sosp', 'curi', 'niff',
  'tencent', 'huawei', 'apple', 'blk', 'rdd', 'jk2', 'mod_jk', 'workerEnv', 'vCores', 'ARPT', 'AWDL', 'RAS',
];

function templateSources(): string[] {
  const folder = join(normalization, 'template');
  return [join(normalization, 'template.ts'), ...readdirSync(folder).filter((f) => f.endsWith('.ts')).map((f) => join(folder, f))];
}

test('the template rules name no benchmark system and use none of its vocabulary', () => {
  const files = templateSources();
  assert.ok(files.length >= 5, `template sources not found under ${normalization}`);
  const findings: string[] = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      for (const word of FORBIDDEN) {
        // A whole word, in any case; `_` joins words (`blk_1` holds `blk`).
        const pattern = new RegExp(`(?<![A-Za-z0-9])${word}(?![A-Za-z0-9])`, 'i');
        if (pattern.test(line)) findings.push(`${relative(repoRoot, file)}:${index + 1}: "${word}" in ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(findings, []);
});

test('the guard sees a forbidden word when there is one', () => {
  const pattern = (word: string) => new RegExp(`(?<![A-Za-z0-9])${word}(?![A-Za-z0-9])`, 'i');
  assert.ok(pattern('hdfs').test('if (text.startsWith("HDFS"))'));
  assert.ok(pattern('blk').test('// blk_123 is a block'));
  assert.ok(!pattern('mac').test('machine and macro'));
});
