import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messageTemplate } from '../../../src/services/normalization/template.js';

/** One test per row: message → expected template (of `templateOf`, messageTemplate by default). */
export function table(rows: ReadonlyArray<readonly [string, string]>, templateOf: (message: string) => string = messageTemplate): void {
  for (const [message, expected] of rows) {
    test(JSON.stringify(message), () => assert.equal(templateOf(message), expected));
  }
}

/** Messages that must share one template (one incident), and differ from each other group's template. */
export function sameTemplate(name: string, messages: readonly string[]): void {
  test(name, () => {
    const templates = new Set(messages.map((m) => messageTemplate(m)));
    assert.equal(templates.size, 1, `expected one template, got:\n${[...templates].join('\n')}`);
  });
}

/** Messages that must get different templates (different problems, different incidents). */
export function differentTemplates(name: string, messages: readonly string[]): void {
  test(name, () => {
    const templates = messages.map((m) => messageTemplate(m));
    assert.equal(new Set(templates).size, messages.length, `expected ${messages.length} templates, got:\n${templates.join('\n')}`);
  });
}
