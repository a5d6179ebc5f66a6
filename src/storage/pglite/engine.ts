/**
 * Opens PGlite (PostgreSQL compiled to WASM) on a local data directory, durably.
 *
 * Durability: PGlite starts PostgreSQL with fsync off and its Node filesystem has no fsync at all,
 * so a commit only reaches the OS page cache and a power loss could take it away. We start
 * PostgreSQL with fsync on (wal_sync_method=fsync) and give the filesystem a real fsync, so a
 * transaction is on disk when its COMMIT returns, as with a PostgreSQL server.
 */
import { fsyncSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/** errno EIO, returned to PostgreSQL when an fsync fails (it then PANICs rather than lose data). */
const EIO = 29;

interface NodeStream {
  nfd?: number;
}

/** Emscripten's NODEFS as PGlite's module exposes it; the only part we touch. */
interface EmscriptenNodeFs {
  stream_ops: { fsync?: (stream: NodeStream) => number };
}

/** Node filesystem whose fsync reaches the disk. */
class DurableNodeFS extends NodeFS {
  hooked = false;

  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    const installFsync = (mod: unknown) => {
      const nodefs = (mod as { NODEFS?: EmscriptenNodeFs }).NODEFS;
      if (!nodefs?.stream_ops) return; // checked after startup: openPgliteDatabase refuses to run without it
      nodefs.stream_ops.fsync = (stream) => {
        if (stream.nfd === undefined) return 0;
        try {
          fsyncSync(stream.nfd);
          return 0;
        } catch {
          return EIO;
        }
      };
      this.hooked = true;
    };
    result.emscriptenOpts.preRun = [...(Array.isArray(preRun) ? preRun : [preRun]), installFsync];
    return result;
  }
}

/** PGlite's start parameters with fsync on: `-F` (fsync off) removed, WAL flushed with fsync(). */
function durableStartParams(): string[] {
  return [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync'];
}

/** Opens (creating it when missing) the PGlite database stored in `dir`, refusing to run non-durably. */
export async function openDurablePglite(dir: string): Promise<PGlite> {
  const dataDir = resolve(dir);
  mkdirSync(dataDir, { recursive: true });
  const fs = new DurableNodeFS(dataDir);
  const pg = await PGlite.create({ fs, startParams: durableStartParams() });

  const fsyncSetting = (await pg.query<{ fsync: string }>('show fsync')).rows[0]?.fsync;
  if (!fs.hooked || fsyncSetting !== 'on') {
    await pg.close();
    throw new Error(
      `pglite: cannot make commits durable in ${dataDir} (fsync=${fsyncSetting}, fsync hook ${fs.hooked ? 'installed' : 'missing'}); ` +
        'this @electric-sql/pglite version is not supported',
    );
  }
  return pg;
}
