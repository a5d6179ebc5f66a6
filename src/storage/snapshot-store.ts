/**
 * The snapshot store port: a service's derived state saved under a name, so a restart resumes
 * from it instead of recomputing it from the bus (clustering's windows, services/clustering/
 * snapshot.ts). A snapshot is an optimisation, never the truth: a reader must check that one it
 * loads still fits (and go the long way when it does not), and a failed save costs only time.
 * Adapter: storage/file (one file per name under the process's data directory).
 */
export interface SnapshotStore {
  /** The last text saved under `name`, or undefined if there is none. */
  load(name: string): Promise<string | undefined>;
  /** Replaces what `name` holds, atomically: a crash leaves the old text or the new, never a mix. */
  save(name: string, text: string): Promise<void>;
}
