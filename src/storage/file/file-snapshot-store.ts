/**
 * SnapshotStore on local files: `<dir>/<name>.json`, replaced atomically (temp file, fsync,
 * rename, directory fsync). Names are the caller's fixed identifiers; anything that could leave
 * the directory is refused.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, writeFileAtomic } from '../../runtime/durable-files.js';
import type { SnapshotStore } from '../snapshot-store.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export class FileSnapshotStore implements SnapshotStore {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly dir: string) {}

  async load(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(name), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async save(name: string, text: string): Promise<void> {
    const path = this.pathOf(name);
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready.catch((error: unknown) => {
      this.ready = undefined; // try again next time
      throw error;
    });
    await writeFileAtomic(path, text);
  }

  private pathOf(name: string): string {
    if (!SAFE_NAME.test(name) || name.includes('..')) throw new RangeError(`snapshot name ${JSON.stringify(name)} is not a safe file name`);
    return join(this.dir, `${name}.json`);
  }
}
