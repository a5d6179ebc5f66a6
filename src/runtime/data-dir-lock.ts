/**
 * One writer per data directory: the embedded bus and stores are single-writer, and two processes
 * on one directory would corrupt them. The lock file holds the owner's pid; a lock whose process
 * no longer exists (e.g. after kill -9) is taken over.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirLock {
  private constructor(private readonly path: string) {}

  /** Takes `<dataDir>/<fileName>`; `owner` names the component in the error when it is taken. */
  static async acquire(dataDir: string, fileName = 'LOCK', owner = 'log0'): Promise<DataDirLock> {
    await mkdir(dataDir, { recursive: true });
    const path = join(dataDir, fileName);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
        return new DataDirLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        const who = holder === process.pid ? 'this process' : `process ${holder}`;
        throw new Error(`${owner}: ${dataDir} is already open by ${who} (lock file ${path})`);
      }
      await unlink(path).catch(() => undefined); // stale: its owner is gone
    }
    throw new Error(`${owner}: cannot lock ${dataDir} (lock file ${path} keeps reappearing)`);
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
