/**
 * Committed consumer-group offsets, held in memory and persisted write-behind to one JSON file
 * (`offsets.json`: { version, groups: { group: { topic: { partition: offset } } } }).
 *
 * Commits are frequent (one per delivered batch), so they are coalesced: at most one file write
 * per flush interval, each an atomic write-then-rename. A commit lost in a crash only means its
 * records are delivered again (at-least-once), never that records are skipped.
 */
import { readFile } from 'node:fs/promises';
import { isNotFound, writeFileAtomic } from './fs-util.js';

const FORMAT_VERSION = 1;

type GroupOffsets = Map<string, Map<number, number>>;

export class OffsetStore {
  private readonly groups = new Map<string, GroupOffsets>();
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;

  private constructor(
    private readonly path: string,
    private readonly flushIntervalMs: number,
    private readonly onWarning: (message: string) => void,
  ) {}

  /**
   * Loads the offsets file. A file that exists but cannot be parsed is an error rather than an
   * empty store: silently forgetting every group's position would replay the whole retained log.
   */
  static async open(path: string, flushIntervalMs: number, onWarning: (message: string) => void): Promise<OffsetStore> {
    const store = new OffsetStore(path, flushIntervalMs, onWarning);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return store;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as {
        version?: unknown;
        groups?: Record<string, Record<string, Record<string, unknown>>>;
      };
      if (parsed.version !== FORMAT_VERSION || typeof parsed.groups !== 'object' || parsed.groups === null) {
        throw new Error(`unsupported format version ${String(parsed.version)}`);
      }
      for (const [groupId, topics] of Object.entries(parsed.groups)) {
        for (const [topic, partitions] of Object.entries(topics)) {
          for (const [partition, offset] of Object.entries(partitions)) {
            if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !/^\d+$/.test(partition)) {
              throw new Error(`bad offset for ${groupId}/${topic}/${partition}`);
            }
            store.set(groupId, topic, Number(partition), offset as number);
          }
        }
      }
    } catch (error) {
      throw new Error(
        `embedded bus: cannot read committed offsets from ${path}: ${(error as Error).message}. ` +
          'Fix or delete the file (deleting it makes every group start again per its reset policy).',
      );
    }
    store.dirty = false;
    return store;
  }

  /** Committed offset (next offset to consume), or undefined if the group never committed. */
  get(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.get(topic)?.get(partition);
  }

  /** Records a commit in memory and schedules it to be written. */
  commit(groupId: string, topic: string, partition: number, offset: number): void {
    this.set(groupId, topic, partition, offset);
    this.scheduleWrite();
  }

  /** Writes every commit made so far to disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.write();
  }

  private set(groupId: string, topic: string, partition: number, offset: number): void {
    let topics = this.groups.get(groupId);
    if (!topics) this.groups.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, offset);
    this.dirty = true;
  }

  private scheduleWrite(): void {
    if (this.timer || this.writing) return; // a running write reschedules itself if needed
    this.timer = setTimeout(() => {
      this.timer = null;
      this.write().catch((error: unknown) => {
        this.onWarning(`embedded bus: cannot write committed offsets to ${this.path}: ${String(error)} (will retry)`);
        this.scheduleWrite();
      });
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    const content = this.serialize();
    this.writing = writeFileAtomic(this.path, content).finally(() => {
      this.writing = null;
      if (this.dirty) this.scheduleWrite();
    });
    try {
      await this.writing;
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private serialize(): string {
    const groups: Record<string, Record<string, Record<string, number>>> = {};
    for (const [groupId, topics] of this.groups) {
      const out: Record<string, Record<string, number>> = (groups[groupId] = {});
      for (const [topic, partitions] of topics) out[topic] = Object.fromEntries(partitions);
    }
    return `${JSON.stringify({ version: FORMAT_VERSION, groups }, null, 1)}\n`;
  }
}
