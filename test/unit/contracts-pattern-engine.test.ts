import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { contractRegExp } from '../../src/contracts/pattern-engine.js';
import { contractDocuments } from '../../src/contracts/source.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { normalizedPaymentLog } from '../support/log-generator.js';

const FINGERPRINT = '^[0-9a-f]{64}$';

describe('contract pattern engine', () => {
  test('the fingerprint pattern gives the RegExp\'s verdict on digests and on a mutation at every position', () => {
    const engine = contractRegExp(FINGERPRINT, 'u');
    const regExp = new RegExp(FINGERPRINT, 'u');
    assert.ok(!(engine instanceof RegExp), 'the hand-written check is used for this pattern');
    const digest = createHash('sha256').update('log0').digest('hex');
    const candidates = [digest, '', digest.slice(1), `${digest}0`, `${digest}\n`, `\n${digest.slice(1)}`, digest.toUpperCase(), 'g'.repeat(64)];
    for (let i = 0; i < 64; i++) {
      for (const c of ['0', '9', 'a', 'f', 'A', 'F', 'g', '/', ':', '`', '-', ' ', '\u00e9', '\uff10', '\ud83d']) {
        candidates.push(digest.slice(0, i) + c + digest.slice(i + 1));
      }
    }
    for (const text of candidates) assert.equal(engine.test(text), regExp.test(text), JSON.stringify(text));
    assert.equal(String(engine), '/^[0-9a-f]{64}$/u');
  });

  test('the contracts\' Fingerprint schema gets the hand-written check (a changed pattern text would lose it silently)', () => {
    const fingerprints: string[] = [];
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Fingerprint' && typeof value === 'object' && value !== null && 'pattern' in value) fingerprints.push(String(value.pattern));
        walk(value);
      }
    };
    walk(contractDocuments().asyncapi.doc);
    assert.ok(fingerprints.length > 0, 'the AsyncAPI document defines a Fingerprint schema with a pattern');
    for (const pattern of fingerprints) assert.ok(!(contractRegExp(pattern, 'u') instanceof RegExp), pattern);
  });

  test('any other pattern is a RegExp with the flags Ajv asked for', () => {
    const rx = contractRegExp('^a+$', 'u');
    assert.ok(rx instanceof RegExp);
    assert.equal((rx as RegExp).flags, 'u');
  });

  test('validators reject a bad fingerprint, naming the field', () => {
    const validate = messageValidator('NormalizedLogEvent');
    const log = { ...normalizedPaymentLog(randomUUID(), 1), fingerprint: createHash('sha256').update('x').digest('hex') };
    assert.equal(validate(log).ok, true);
    const bad = validate({ ...log, fingerprint: log.fingerprint.toUpperCase() });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.issues.some((issue) => issue.field === 'fingerprint'), JSON.stringify(bad));
  });
});
