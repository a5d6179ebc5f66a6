import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storableJson, storableText } from '../../src/storage/sql/storable-text.js';

test('storableText: U+0000 and unpaired surrogates become U+FFFD; everything else stays', () => {
  assert.equal(storableText('plain'), 'plain');
  assert.equal(storableText('a\u0000b'), 'a\ufffdb');
  assert.equal(storableText('lone \ud800 high, lone \udc00 low, end \ud83d'), 'lone \ufffd high, lone \ufffd low, end \ufffd');
  assert.equal(storableText('pair 😀 \ud83d\ude00'), 'pair 😀 😀');
  assert.equal(storableText('\udc00\ud800'), '\ufffd\ufffd', 'a low before a high is no pair');
});

test('storableJson: the same in values and keys, escaped backslashes untouched', () => {
  const value = { 'k\u0000': ['a\u0000', 'b\ud800', 'ok 😀'], literal: '\\u0000 and \\\\ud800 are text', nested: { x: '\\\u0000' } };
  const json = storableJson(value);
  assert.deepEqual(JSON.parse(json), {
    'k\ufffd': ['a\ufffd', 'b\ufffd', 'ok 😀'],
    literal: '\\u0000 and \\\\ud800 are text',
    nested: { x: '\\\ufffd' },
  });
  assert.equal(storableJson({ a: 'plain' }), JSON.stringify({ a: 'plain' }));
});
