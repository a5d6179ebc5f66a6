/**
 * Durable small files: a directory fsync, an atomic replace, and the missing-file test. Shared by
 * the embedded bus (topic specs, segments) and the snapshot store.
 */
import * as fs from 'node:fs';
import { dirname } from 'node:path';

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
  const temp = `${path}.tmp`;
  const handle = await fs.promises.open(temp, 'w', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temp, path);
  await fsyncDirectory(dirname(path));
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
