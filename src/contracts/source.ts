import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../runtime/package-root.js';

/** Base URI under which the contract documents are registered, so they can reference each other. */
export const CONTRACT_BASE_URI = 'https://log0.dev/contracts/';

export type JsonSchema = Record<string, unknown>;

export interface ContractDocument {
  /** File name inside contracts/, also its id relative to CONTRACT_BASE_URI. */
  file: string;
  doc: Record<string, any>;
}

interface ContractDocuments {
  asyncapi: ContractDocument;
  httpApi: ContractDocument;
  fingerprintRules: ContractDocument;
}

let cache: ContractDocuments | undefined;

/** The contract documents, read once from contracts/ (the single source of truth). */
export function contractDocuments(): ContractDocuments {
  if (!cache) {
    const dir = join(packageRoot(), 'contracts');
    const load = (file: string): ContractDocument => ({ file, doc: parse(readFileSync(join(dir, file), 'utf8')) });
    cache = { asyncapi: load('asyncapi.yaml'), httpApi: load('http-api.yaml'), fingerprintRules: load('fingerprint-rules.yaml') };
  }
  return cache;
}

export interface TopicContract {
  /** Channel address, i.e. the topic name. */
  topic: string;
  /** Name of the one message the topic carries. */
  message: string;
  /** Field of the message whose value is the record key. */
  keyField: string;
}

/** Topic → message → key field, read from the AsyncAPI channels. */
export function topicContracts(): TopicContract[] {
  const { doc } = contractDocuments().asyncapi;
  return Object.values<any>(doc.channels).map((channel) => {
    const refs = Object.values<any>(channel.messages);
    if (refs.length !== 1) throw new Error(`contract: channel ${channel.address} must carry exactly one message`);
    const name = String(refs[0].$ref).split('/').pop()!;
    const message = doc.components.messages[name];
    return { topic: channel.address, message: name, keyField: message['x-key-field'] };
  });
}
