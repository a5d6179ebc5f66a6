/**
 * Durable small files: a directory fsync, an atomic replace, and the missing-file test. Shared by
 * the embedded bus (topic specs, segments) and the snapshot store.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

let tempFiles = 0;

/**
 * Makes a directory's entries (files just created, renamed or deleted in it) durable.
 * Without it a crash can forget a freshly created segment file even though its data was fsynced.
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await fs.promises.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces a file's content atomically: write a temp file, fsync it, rename it over, fsync the folder. */
export async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  // Unique per writer: two processes sharing a directory never write into one temp file.
  const temp = `${path}.${process.pid}-${threadId}-${++tempFiles}.tmp`;
  const handle = await fs.promises.open(temp, 'wx', 0o644);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, path);
  } catch (error) {
    await fs.promises.rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(dirname(path));
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
