/**
 * A member's offset commits: one OffsetCommit in flight at a time, so commits reach the
 * coordinator in the order they were made (a seek is never overtaken by an older batch's commit);
 * commits made meanwhile are merged (latest offset per partition) into the next request.
 */

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
}

export class Committer {
  private pending = new Map<string, OffsetToCommit>();
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly send: (offsets: OffsetToCommit[]) => Promise<void>) {}

  /** Queues a commit; resolves once a request carrying it (or a later offset) succeeded. */
  commit(topic: string, partition: number, offset: number): Promise<void> {
    this.pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.run();
    return done;
  }

  /** Resolves when every commit queued so far was sent (whether it succeeded or not). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const offsets = [...this.pending.values()];
        const waiters = this.waiters;
        this.pending = new Map();
        this.waiters = [];
        try {
          await this.send(offsets);
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.running = null;
    }
  }
}
