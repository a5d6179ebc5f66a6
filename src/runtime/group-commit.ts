/**
 * Group commit: callers hand in items and wait; whatever arrived while the previous flush ran is
 * flushed together in one call. Under load, flushes grow to carry many callers' items (one store
 * transaction instead of one per caller); when idle, a lone caller is flushed at once.
 */
interface Caller<T> {
  items: T[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter<T> {
  private callers: Array<Caller<T>> = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    /** Items per flush, at most (a single caller with more is flushed alone, whole). */
    private readonly maxItems: number,
  ) {}

  /** Resolves when `items` are flushed; rejects if their flush failed. */
  add(items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.callers.push({ items, resolve, reject });
      if (!this.flushing) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.flushing = true;
    while (this.callers.length > 0) {
      // Whole callers only, from the front, up to maxItems: a caller's items never straddle flushes.
      let take = 1;
      let count = this.callers[0].items.length;
      while (take < this.callers.length && count + this.callers[take].items.length <= this.maxItems) {
        count += this.callers[take].items.length;
        take++;
      }
      const batch = this.callers.splice(0, take);
      try {
        await this.flush(batch.length === 1 ? batch[0].items : batch.flatMap((c) => c.items));
        for (const caller of batch) caller.resolve();
      } catch (err) {
        for (const caller of batch) caller.reject(err);
      }
    }
    this.flushing = false;
  }
}
