import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Parser } from '@asyncapi/parser';
import { generateContractTypes, GENERATED_TYPES_PATH } from '../../scripts/gen-contract-types.js';
import { contractDocuments, topicContracts } from '../../src/contracts/source.js';
import { recordKey, TOPIC } from '../../src/contracts/topics.js';
import type { ContractSchemas } from '../../src/contracts/types.js';
import { messageValidator } from '../../src/contracts/validators.js';
import { packageRoot } from '../../src/runtime/package-root.js';

const MESSAGES = ['RawLogEvent', 'NormalizedLogEvent', 'IncidentEvent', 'NotificationEvent', 'DlqEvent'] as const;
const { doc } = contractDocuments().asyncapi;

describe('contracts/asyncapi.yaml', () => {
  test('parses with @asyncapi/parser: no errors, no warnings', async () => {
    const source = readFileSync(join(packageRoot(), 'contracts/asyncapi.yaml'), 'utf8');
    const { document, diagnostics } = await new Parser().parse(source);
    // Severity 0 = error, 1 = warning; 2/3 are information and hints (e.g. "3.1.0 exists").
    const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    assert.deepEqual(serious, []);
    assert.ok(document, 'parser returned no document');
    assert.equal(document.version(), '3.0.0');
    assert.deepEqual(
      document.channels().all().map((c) => c.address()).sort(),
      ['incident-events', 'normalized-logs', 'notification-events', 'raw-logs', 'raw-logs-dlq'],
    );
  });

  test('each topic carries one message keyed as seed 001 decides', () => {
    const keys = Object.fromEntries(topicContracts().map((t) => [t.topic, [t.message, t.keyField]]));
    assert.deepEqual(keys, {
      'raw-logs': ['RawLogEvent', 'tenantId'],
      'normalized-logs': ['NormalizedLogEvent', 'tenantId'],
      'incident-events': ['IncidentEvent', 'tenantId'],
      'notification-events': ['NotificationEvent', 'incidentId'],
      'raw-logs-dlq': ['DlqEvent', 'eventId'],
    });
  });

  test('recordKey reads the key field and refuses a message without it', () => {
    assert.equal(recordKey(TOPIC.notificationEvents, { incidentId: 'abc', tenantId: 't' }), 'abc');
    assert.throws(() => recordKey(TOPIC.rawLogs, { eventId: 'x' }), /tenantId/);
  });

  for (const name of MESSAGES) {
    describe(name, () => {
      const validate = messageValidator(name as keyof ContractSchemas);
      const examples: Array<{ name: string; payload: Record<string, unknown> }> = doc.components.messages[name].examples;

      test('has examples, and every example validates', () => {
        assert.ok(examples.length > 0);
        for (const example of examples) {
          const result = validate(example.payload);
          assert.ok(result.ok, `${example.name}: ${JSON.stringify(!result.ok && result.issues)}`);
        }
      });

      test('omitting any required field is rejected, naming the field', () => {
        const required: string[] = doc.components.schemas[name].required;
        assert.ok(required.length > 0);
        for (const field of required) {
          const payload = { ...examples[0].payload };
          delete payload[field];
          const result = validate(payload);
          assert.equal(result.ok, false, `${field} omitted but accepted`);
          assert.ok(!result.ok && result.issues.some((i) => i.field === field), `issue does not name ${field}`);
        }
      });

      test('unknown fields are rejected', () => {
        const result = validate({ ...examples[0].payload, surprise: 1 });
        assert.ok(!result.ok && result.issues.some((i) => i.field === 'surprise'));
      });
    });
  }

  test('seed 000 limits: message ≤ 10,000 chars, trace ≤ 100,000 chars', () => {
    const validate = messageValidator('RawLogEvent');
    const base = doc.components.messages.RawLogEvent.examples[0].payload;
    assert.ok(validate({ ...base, message: 'x'.repeat(10_000), trace: 't'.repeat(100_000) }).ok);
    const long = validate({ ...base, message: 'x'.repeat(10_001) });
    assert.ok(!long.ok && long.issues.some((i) => i.field === 'message'));
    const longTrace = validate({ ...base, trace: 't'.repeat(100_001) });
    assert.ok(!longTrace.ok && longTrace.issues.some((i) => i.field === 'trace'));
  });

  test('lengths count characters (code points), not UTF-16 units: astral characters at and past each limit', () => {
    const validate = messageValidator('RawLogEvent');
    const base = doc.components.messages.RawLogEvent.examples[0].payload;
    const emoji = '\u{1F525}'; // two UTF-16 units, one character
    const verdict = (patch: Record<string, unknown>) => {
      const result = validate({ ...base, ...patch });
      return result.ok ? 'ok' : result.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
    };
    assert.equal(verdict({ message: emoji.repeat(10_000) }), 'ok', '10,000 characters in 20,000 units');
    assert.equal(verdict({ message: emoji.repeat(10_001) }), 'message: must NOT have more than 10000 characters');
    assert.equal(verdict({ message: 'x' + emoji.repeat(9_999) }), 'ok');
    assert.equal(verdict({ message: 'xx' + emoji.repeat(9_999) }), 'message: must NOT have more than 10000 characters');
    // A lone high surrogate is one character, as Ajv counts it.
    assert.equal(verdict({ message: '\uD83D'.repeat(10_000) }), 'ok');
    assert.equal(verdict({ serviceName: emoji }), 'ok', 'one character meets minLength 1');
    assert.equal(verdict({ serviceName: '' }), 'serviceName: must NOT have fewer than 1 characters');
    assert.equal(verdict({ serviceName: emoji.repeat(255) }), 'ok');
    assert.equal(verdict({ serviceName: emoji.repeat(256) }), 'serviceName: must NOT have more than 255 characters');
  });

  test('enums: severity, status, notificationType, failedAt reject unknown values', () => {
    const notification = doc.components.messages.NotificationEvent.examples[0].payload;
    for (const [field, bad] of [['severity', 'CRITICAL'], ['status', 'OPEN'], ['notificationType', 'INCIDENT_ACKNOWLEDGED']]) {
      const result = messageValidator('NotificationEvent')({ ...notification, [field]: bad });
      assert.ok(!result.ok && result.issues.some((i) => i.field === field), field);
    }
    const dlq = doc.components.messages.DlqEvent.examples[0].payload;
    const result = messageValidator('DlqEvent')({ ...dlq, failedAt: 'somewhere' });
    assert.ok(!result.ok && result.issues.some((i) => i.field === 'failedAt'));
  });
});

test('src/contracts/types.generated.ts is up to date with the contracts (npm run contracts:gen)', async () => {
  assert.equal(readFileSync(GENERATED_TYPES_PATH, 'utf8'), await generateContractTypes());
});
