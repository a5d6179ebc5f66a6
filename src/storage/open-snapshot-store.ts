/**
 * The snapshot store a process keeps its clustering windows in: files under its data directory
 * (`<LOG0_DATA_DIR>/clustering`), or none when LOG0_CLUSTER_SNAPSHOT_SECONDS is 0. Local to the
 * process: on Kafka, a partition moving to a process on another machine is rebuilt from the bus
 * (as it always can be); a restart on the same data directory resumes from the snapshot.
 */
import { join } from 'node:path';
import type { Log0Config } from '../config/config.js';
import { FileSnapshotStore } from './file/file-snapshot-store.js';
import type { SnapshotStore } from './snapshot-store.js';

export function openClusteringSnapshots(config: Log0Config): SnapshotStore | undefined {
  return config.clustering.snapshotIntervalMs > 0 ? new FileSnapshotStore(join(config.dataDir, 'clustering')) : undefined;
}
