import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeLevel, severityOfLevel } from '../../../src/services/normalization/level.js';

describe('normalizeLevel', () => {
  const cases: Array<[string | null | undefined, string]> = [
    ['error', 'ERROR'],
    ['  Warn\t', 'WARN'],
    ['INFO', 'INFO'],
    ['debug', 'DEBUG'],
    ['notice', 'NOTICE'],
    ['custom-level', 'CUSTOM-LEVEL'],
    ['', 'INFO'],
    ['   ', 'INFO'],
    [null, 'INFO'],
    [undefined, 'INFO'],
  ];
  for (const [raw, expected] of cases) {
    test(`${JSON.stringify(raw)} → ${expected}`, () => assert.equal(normalizeLevel(raw), expected));
  }
});

describe('severityOfLevel', () => {
  const cases: Array<[string, 'HIGH' | 'MEDIUM' | 'LOW']> = [
    ['ERROR', 'HIGH'],
    ['FATAL', 'HIGH'],
    ['ERR', 'HIGH'],
    ['CRITICAL', 'HIGH'],
    ['CRIT', 'HIGH'],
    ['EMERG', 'HIGH'],
    ['EMERGENCY', 'HIGH'],
    ['ALERT', 'HIGH'],
    ['PANIC', 'HIGH'],
    ['SEVERE', 'HIGH'],
    ['WARN', 'MEDIUM'],
    ['WARNING', 'MEDIUM'],
    ['INFO', 'LOW'],
    ['NOTICE', 'LOW'],
    ['DEBUG', 'LOW'],
    ['TRACE', 'LOW'],
    ['VERBOSE', 'LOW'],
    ['ERRORS', 'LOW'],
    ['50', 'LOW'],
  ];
  for (const [level, expected] of cases) {
    test(`${level} → ${expected}`, () => assert.equal(severityOfLevel(level), expected));
  }

  test('raw levels are normalized first', () => {
    assert.equal(severityOfLevel(' error '), 'HIGH');
    assert.equal(severityOfLevel('Warning'), 'MEDIUM');
    assert.equal(severityOfLevel(''), 'LOW');
    assert.equal(severityOfLevel(null), 'LOW');
  });
});
