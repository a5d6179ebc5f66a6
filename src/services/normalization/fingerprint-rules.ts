/**
 * Per-tenant fingerprint rules (contracts/fingerprint-rules.yaml), as Sentry's fingerprint rules:
 * a tenant may group all logs a rule matches into one fixed fingerprint, or mask more of their
 * message template before the fingerprint is computed.
 *
 * For a log, the rules of its tenant are tried in order, then the allTenants rules. Every matching
 * rule's masks are applied to the template, in order; the first matching rule with a fingerprint
 * decides the fingerprint and ends the search. Matching uses globs (`*` any run, `?` one
 * character, whole value), ANDed; `level` is compared upper-case, as stored.
 *
 * Loading validates the whole file first (schema, then every glob and regular expression), and
 * fails with every problem named by its path (`tenants.<id>[2].masks[0].pattern: …`): a file is
 * used entirely or not at all. Rules are configuration, so the result stays a pure function of the
 * log and the file: the same log gets the same fingerprint on any process, after any restart.
 * Patterns are the operator's own regular expressions, run on every log they match: keep them
 * simple (no nested quantifiers).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../../config/config.js';
import type { FingerprintMatch, FingerprintRule, FingerprintRulesFile, NormalizedLogEvent } from '../../contracts/types.js';
import { fingerprintRulesValidator } from '../../contracts/validators.js';

/** A rules file that cannot be used: startup stops, naming every problem. */
export class FingerprintRulesError extends ConfigError {
  override readonly name = 'FingerprintRulesError';
}

/** What the rules need of a log, after log0's own templating (a missing exception or frame is null). */
export type LogFacts = Pick<NormalizedLogEvent, 'tenantId' | 'serviceName' | 'environment' | 'level' | 'message' | 'messageTemplate'> & {
  exceptionType: string | null;
  firstStackFrame: string | null;
};

export interface RulesOutcome {
  messageTemplate: string;
  /** Set by a rule with a fingerprint: the grouping key replacing template, exception and frame. */
  fixedFingerprint: string | null;
  /** Names (or positions) of the rules that matched, for `log0 normalize`. */
  applied: string[];
}

type FactName = keyof Omit<LogFacts, 'tenantId'>;
const MATCH_FIELDS: Record<keyof FingerprintMatch, FactName> = {
  service: 'serviceName',
  environment: 'environment',
  level: 'level',
  message: 'message',
  messageTemplate: 'messageTemplate',
  exceptionType: 'exceptionType',
  firstStackFrame: 'firstStackFrame',
};

interface CompiledRule {
  label: string;
  conditions: Array<{ fact: FactName; glob: RegExp }>;
  masks: Array<{ pattern: RegExp; replacement: string }>;
  fingerprint: string | null;
}

/** `*` → any run, `?` → one character, anything else literal; anchored; `s`: `*` spans line breaks. */
export function globToRegExp(glob: string, ignoreCase = false): RegExp {
  let source = '';
  for (const ch of glob) {
    source += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'isu' : 'su');
}

export class FingerprintRules {
  private constructor(
    private readonly byTenant: ReadonlyMap<string, readonly CompiledRule[]>,
    private readonly allTenants: readonly CompiledRule[],
  ) {}

  /** No rules: log0's own grouping only. */
  static readonly none = new FingerprintRules(new Map(), []);

  /** Reads and validates a rules file (YAML or JSON). */
  static load(path: string): FingerprintRules {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new FingerprintRulesError(`fingerprint rules ${path}: cannot read the file (${(err as Error).message})`);
    }
    return FingerprintRules.parse(text, path);
  }

  /** Validates and compiles the rules in `text`; `source` names the file in errors. */
  static parse(text: string, source = 'fingerprint rules'): FingerprintRules {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      throw new FingerprintRulesError(`${source}: not valid YAML or JSON: ${(err as Error).message}`);
    }
    const checked = fingerprintRulesValidator()(doc ?? {});
    if (!checked.ok) {
      throw new FingerprintRulesError(`${source}: ${checked.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
    }
    const problems: string[] = [];
    const compileAll = (rules: readonly FingerprintRule[] | undefined, path: string) =>
      (rules ?? []).map((rule, i) => compileRule(rule, `${path}[${i}]`, problems));
    const byTenant = new Map<string, CompiledRule[]>();
    for (const [tenant, rules] of Object.entries((checked.value as FingerprintRulesFile).tenants ?? {})) {
      byTenant.set(tenant.toLowerCase(), compileAll(rules, `tenants.${tenant}`));
    }
    const allTenants = compileAll(checked.value.allTenants, 'allTenants');
    if (problems.length > 0) throw new FingerprintRulesError(`${source}: ${problems.join('; ')}`);
    return new FingerprintRules(byTenant, allTenants);
  }

  get isEmpty(): boolean {
    return this.byTenant.size === 0 && this.allTenants.length === 0;
  }

  apply(facts: LogFacts): RulesOutcome {
    const outcome: RulesOutcome = { messageTemplate: facts.messageTemplate, fixedFingerprint: null, applied: [] };
    const own = this.byTenant.get(facts.tenantId.toLowerCase());
    for (const rules of own ? [own, this.allTenants] : [this.allTenants]) {
      for (const rule of rules) {
        if (!matches(rule, facts, outcome.messageTemplate)) continue;
        outcome.applied.push(rule.label);
        for (const mask of rule.masks) outcome.messageTemplate = outcome.messageTemplate.replace(mask.pattern, mask.replacement);
        if (rule.fingerprint !== null) {
          outcome.fixedFingerprint = rule.fingerprint;
          return outcome;
        }
      }
    }
    return outcome;
  }
}

/** Whether every condition holds; `template` is the template as earlier rules' masks left it. */
function matches(rule: CompiledRule, facts: LogFacts, template: string): boolean {
  for (const { fact, glob } of rule.conditions) {
    const value = fact === 'messageTemplate' ? template : facts[fact];
    if (value === null || !glob.test(value)) return false;
  }
  return true;
}

function compileRule(rule: FingerprintRule, path: string, problems: string[]): CompiledRule {
  const conditions = Object.entries(rule.match ?? {}).map(([field, glob]) => ({
    fact: MATCH_FIELDS[field as keyof FingerprintMatch],
    glob: globToRegExp(glob as string, field === 'level'),
  }));
  const masks = (rule.masks ?? []).flatMap((mask, i) => {
    let pattern: RegExp;
    try {
      pattern = new RegExp(mask.pattern, 'gu');
    } catch (err) {
      problems.push(`${path}.masks[${i}].pattern: not a valid regular expression (${(err as Error).message})`);
      return [];
    }
    if (pattern.test('')) {
      problems.push(`${path}.masks[${i}].pattern: matches the empty string, which would insert placeholders everywhere`);
      return [];
    }
    pattern.lastIndex = 0;
    return [{ pattern, replacement: mask.replacement }];
  });
  return { label: rule.name ?? path, conditions, masks, fingerprint: rule.fingerprint ?? null };
}
