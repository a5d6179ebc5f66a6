/**
 * Child process of the kill -9 test in log-store-duckdb.test.ts: appends deterministic batches
 * to a DuckDB log store forever and prints `ack <batch>` after each append resolves.
 * Each batch also redelivers the tail of the previous one, as an at-least-once consumer would.
 *
 * Usage: node log-store-duckdb.crash-helper.js <db path> <tenant id>
 */
import { pathToFileURL } from 'node:url';
import type { NormalizedLogEvent } from '../../src/contracts/types.js';
import { createDuckDbLogStore } from '../../src/storage/duckdb/index.js';

export const CRASH_BATCH_SIZE = 500;
/** Logs of the previous batch sent again at the start of each batch. */
export const CRASH_REDELIVERED = 100;
const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

export function crashEventId(batch: number, index: number): string {
  return `00000000-0000-4000-8000-${(batch * CRASH_BATCH_SIZE + index).toString(16).padStart(12, '0')}`;
}

/** The new logs of batch `batch` (without the redelivered ones). */
export function crashBatchLogs(tenantId: string, batch: number): NormalizedLogEvent[] {
  return Array.from({ length: CRASH_BATCH_SIZE }, (_, index) => ({
    eventId: crashEventId(batch, index),
    tenantId,
    serviceName: 'crash-test',
    environment: 'test',
    timestamp: new Date(T0 + batch * 1_000 + (index % 50)).toISOString(),
    level: index % 10 === 0 ? 'ERROR' : 'INFO',
    message: `batch ${batch} log ${index}`,
    messageTemplate: 'batch <number> log <number>',
    fingerprint: 'c'.repeat(64),
    trace: index % 5 === 0 ? null : `Error: boom ${batch}/${index}\n    at f (x.js:${index})`.repeat(15),
    schemaVersion: 'v1',
  }));
}

async function main(path: string, tenantId: string): Promise<void> {
  // A small WAL threshold checkpoints every few batches, so the kill often lands in a checkpoint.
  const store = await createDuckDbLogStore({ path, checkpointThreshold: '1MB' });
  let previous: NormalizedLogEvent[] = [];
  for (let batch = 0; ; batch++) {
    const logs = crashBatchLogs(tenantId, batch);
    await store.append([...previous.slice(-CRASH_REDELIVERED), ...logs]);
    process.stdout.write(`ack ${batch}\n`);
    previous = logs;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, tenantId] = process.argv.slice(2);
  main(path, tenantId).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
