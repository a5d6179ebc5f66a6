/**
 * Guards a data directory against being opened by two buses at once (two writers would interleave
 * frames in the same files). The lock is a `LOCK` file holding the owner's pid; a lock whose
 * process no longer exists (e.g. after kill -9) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirLock {
  private constructor(private readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const path = join(dataDir, 'LOCK');
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
        const who = owner === process.pid ? 'this process' : `process ${owner}`;
        throw new Error(`embedded bus: ${dataDir} is already open by ${who} (lock file ${path})`);
      }
      await unlink(path).catch(() => undefined); // stale: its owner is gone
    }
    throw new Error(`embedded bus: cannot lock ${dataDir} (lock file ${path} keeps reappearing)`);
  }

  async release(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
