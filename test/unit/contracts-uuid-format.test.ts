/**
 * The contracts' fast uuid format (src/contracts/uuid-format.ts) gives ajv-formats' verdict on
 * every string: valid ids in any case, with and without the urn:uuid: prefix, and mutations of
 * them at every position.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isUuid } from '../../src/contracts/uuid-format.js';
import { seededRandom } from '../support/seeded-random.js';

const reference = fullFormats.uuid as RegExp;

test('same verdict as ajv-formats for valid ids, their prefixes and cases', () => {
  for (let i = 0; i < 200; i++) {
    const id = randomUUID();
    for (const text of [id, id.toUpperCase(), `urn:uuid:${id}`, `URN:UUID:${id.toUpperCase()}`, `uRn:UuId:${id}`, `urn:uuid ${id}`, `urn:uuid:${id}x`, id.slice(1), `${id}0`, ` ${id}`]) {
      assert.equal(isUuid(text), reference.test(text), JSON.stringify(text));
    }
  }
  assert.equal(isUuid(''), false);
  assert.equal(isUuid('urn:uuid:'), false);
});

test('same verdict as ajv-formats for every single-character mutation', () => {
  const random = seededRandom(7);
  // Neighbours of the accepted ranges in both cases, separators, and non-ASCII look-alikes.
  const alphabet = '0123456789abcdefABCDEF/:@G`g-_{[ \u0660\uff10\u0430\u00e9';
  const id = 'urn:uuid:0192f5a4-7c3e-7d1b-9a2f-3c4d5e6f7a8b';
  for (const base of [id, id.slice(9)]) {
    for (let at = 0; at < base.length; at++) {
      for (const c of alphabet) {
        const text = base.slice(0, at) + c + base.slice(at + 1);
        assert.equal(isUuid(text), reference.test(text), JSON.stringify(text));
      }
    }
  }
  for (let i = 0; i < 20_000; i++) {
    const length = random() < 0.5 ? 36 : 45;
    const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    assert.equal(isUuid(text), reference.test(text), JSON.stringify(text));
  }
});
