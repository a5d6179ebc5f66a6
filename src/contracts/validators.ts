import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { dateTimeFormat } from './date-time.js';
import { contractRegExp } from './pattern-engine.js';
import { isUuid } from './uuid-format.js';
import { CONTRACT_BASE_URI, contractDocuments } from './source.js';
import { stringLengthKeyword } from './string-length.js';
import type { ContractSchemas, FingerprintRulesFile } from './types.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** One problem with an input, addressed by a path such as `message` or `[3].serviceName`. */
export interface ValidationIssue {
  field: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export type Validator<T> = (value: unknown) => ValidationResult<T>;

let ajv: Ajv | undefined;

function compiler(): Ajv {
  if (!ajv) {
    // strict off: the contract documents carry AsyncAPI/OpenAPI keywords (examples, x-*) around the schemas.
    ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, code: { regExp: contractRegExp } });
    addFormats(ajv);
    ajv.removeKeyword('maxLength').removeKeyword('minLength').addKeyword(stringLengthKeyword);
    // Same verdicts as ajv-formats' date-time, with a fast path for the toISOString form.
    const general = fullFormats['date-time'] as { validate: (text: string) => boolean; compare: (a: string, b: string) => number | undefined };
    ajv.addFormat('date-time', { type: 'string', validate: dateTimeFormat(general.validate), compare: general.compare });
    ajv.addFormat('uuid', { type: 'string', validate: isUuid });
    const { asyncapi, httpApi, fingerprintRules } = contractDocuments();
    for (const { file, doc } of [asyncapi, httpApi, fingerprintRules]) ajv.addSchema(doc, CONTRACT_BASE_URI + file);
  }
  return ajv;
}

/** `/items/3/message` (Ajv's instancePath) → `[3].message`. */
function fieldOf(error: ErrorObject): string {
  let path = '';
  for (const part of error.instancePath.split('/').slice(1)) {
    const name = part.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(name) ? `[${name}]` : path ? `.${name}` : name;
  }
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    path = path ? `${path}.${missing}` : missing;
  } else if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    path = path ? `${path}.${extra}` : extra;
  }
  return path || '(root)';
}

/** Ajv's errors as one issue per field; oneOf noise is folded into the branch errors it explains. */
export function issuesOf(errors: ErrorObject[] | null | undefined): ValidationIssue[] {
  const seen = new Set<string>();
  const issues: ValidationIssue[] = [];
  for (const error of errors ?? []) {
    if (error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const field = fieldOf(error);
    // A failed oneOf reports each branch; `type: null` is the nullable branch, never the useful message.
    if (error.keyword === 'type' && (error.params as { type: string }).type === 'null') continue;
    const message = error.message ?? 'is invalid';
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ field, message });
  }
  return issues;
}

function wrap<T>(validate: ValidateFunction): Validator<T> {
  return (value) => (validate(value) ? { ok: true, value: value as T } : { ok: false, issues: issuesOf(validate.errors) });
}

const compiled = new Map<string, Validator<unknown>>();

function validatorAt<T>(file: string, pointer: string): Validator<T> {
  const id = `${CONTRACT_BASE_URI}${file}#${pointer}`;
  let v = compiled.get(id);
  if (!v) {
    const fn = compiler().getSchema(id);
    if (!fn) throw new Error(`contract: no schema at ${file}#${pointer}`);
    v = wrap(fn);
    compiled.set(id, v);
  }
  return v as Validator<T>;
}

/** Validator of a message schema of asyncapi.yaml (components.schemas.<name>). */
export function messageValidator<N extends keyof ContractSchemas>(name: N): Validator<ContractSchemas[N]> {
  return validatorAt(contractDocuments().asyncapi.file, `/components/schemas/${name}`);
}

/** Validator of the fingerprint rules file (fingerprint-rules.yaml). */
export function fingerprintRulesValidator(): Validator<FingerprintRulesFile> {
  return validatorAt(contractDocuments().fingerprintRules.file, '/components/schemas/FingerprintRulesFile');
}

/** Validator of a request-body schema of http-api.yaml (components.schemas.<name>). */
export function httpBodyValidator<T>(name: string): Validator<T> {
  return validatorAt(contractDocuments().httpApi.file, `/components/schemas/${name}`);
}
