/**
 * The topics of an embedded bus and where they live on disk:
 *
 *   <dataDir>/topics/<topic>/topic.json       the TopicSpec, written atomically at creation
 *   <dataDir>/topics/<topic>/<partition>/      segment files of one partition (see partition-log.ts)
 *
 * Topics are loaded from disk on open, so a reopened bus knows them before any ensureTopics call.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopicSpec } from '../port.js';
import { fsyncDirectory, isNotFound, writeFileAtomic } from './fs-util.js';
import { PartitionLog, type PartitionLogOptions } from './partition-log.js';
import { validateTopicSpec } from './validation.js';

/** Settings every partition log gets, apart from its own directory and identity. */
export type SharedLogOptions = Omit<PartitionLogOptions, 'dir' | 'topic' | 'partition'>;

export class Topic {
  /** Round-robin cursor for records without a key. */
  private nextPartition = 0;

  constructor(
    readonly spec: TopicSpec,
    readonly logs: PartitionLog[],
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get partitions(): number {
    return this.logs.length;
  }

  roundRobinPartition(): number {
    const partition = this.nextPartition;
    this.nextPartition = partition + 1 === this.logs.length ? 0 : partition + 1;
    return partition;
  }

  /** The partition's log; throws an Error naming the topic and partition if it is out of range. */
  log(partition: number): PartitionLog {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.logs.length) {
      throw new Error(
        `embedded bus: topic "${this.name}" has no partition ${String(partition)} (partitions 0..${this.logs.length - 1})`,
      );
    }
    return this.logs[partition];
  }
}

export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();
  private creating: Promise<void> = Promise.resolve();

  private constructor(
    private readonly root: string,
    private readonly logOptions: (spec: TopicSpec) => SharedLogOptions,
  ) {}

  static async open(dataDir: string, logOptions: (spec: TopicSpec) => SharedLogOptions): Promise<TopicRegistry> {
    const registry = new TopicRegistry(join(dataDir, 'topics'), logOptions);
    await mkdir(registry.root, { recursive: true });
    await fsyncDirectory(dataDir);
    for (const entry of await readdir(registry.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const spec = await registry.readSpec(entry.name);
      if (spec) registry.topics.set(spec.name, await registry.openTopic(spec));
    }
    return registry;
  }

  /** The topic; throws an Error naming it if it does not exist. */
  get(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw new Error(`embedded bus: unknown topic ${JSON.stringify(name)} (create it with ensureTopics)`);
    return topic;
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  /** Creates the missing topics; existing ones are left as they are. Concurrent calls are serialized. */
  ensure(specs: TopicSpec[]): Promise<void> {
    if (!Array.isArray(specs))
      return Promise.reject(new TypeError('embedded bus: ensureTopics takes an array of topic specs'));
    for (const spec of specs) validateTopicSpec(spec);
    const run = this.creating.then(async () => {
      for (const spec of specs) {
        if (this.topics.has(spec.name)) continue;
        const copy: TopicSpec = { name: spec.name, partitions: spec.partitions };
        if (spec.retentionMs !== undefined) copy.retentionMs = spec.retentionMs;
        if (spec.retentionBytes !== undefined) copy.retentionBytes = spec.retentionBytes;
        const dir = join(this.root, spec.name);
        await mkdir(dir, { recursive: true });
        // Partitions first, spec last: a topic.json on disk always has its partition directories.
        const topic = await this.openTopic(copy);
        await writeFileAtomic(join(dir, 'topic.json'), `${JSON.stringify(copy, null, 2)}\n`);
        await fsyncDirectory(this.root);
        this.topics.set(copy.name, topic);
      }
    });
    this.creating = run.catch(() => undefined);
    return run;
  }

  private async readSpec(dirName: string): Promise<TopicSpec | null> {
    const path = join(this.root, dirName, 'topic.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null; // creation interrupted before the spec was written: not a topic yet
      throw error;
    }
    let spec: TopicSpec;
    try {
      spec = JSON.parse(text) as TopicSpec;
      validateTopicSpec(spec);
    } catch (error) {
      throw new Error(`embedded bus: invalid topic spec ${path}: ${(error as Error).message}`);
    }
    if (spec.name !== dirName)
      throw new Error(`embedded bus: ${path} names topic "${spec.name}", expected "${dirName}"`);
    return spec;
  }

  private async openTopic(spec: TopicSpec): Promise<Topic> {
    const shared = this.logOptions(spec);
    const opened = await Promise.allSettled(
      Array.from({ length: spec.partitions }, (_, partition) =>
        PartitionLog.open({
          ...shared,
          dir: join(this.root, spec.name, String(partition)),
          topic: spec.name,
          partition,
        }),
      ),
    );
    const failed = opened.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(
        opened.map((r) => (r.status === 'fulfilled' ? r.value.close().catch(() => undefined) : undefined)),
      );
      throw failed.reason;
    }
    return new Topic(
      spec,
      opened.map((r) => (r as PromiseFulfilledResult<PartitionLog>).value),
    );
  }

  async close(): Promise<void> {
    await this.creating;
    await Promise.all(this.all().flatMap((topic) => topic.logs.map((log) => log.close())));
  }
}
