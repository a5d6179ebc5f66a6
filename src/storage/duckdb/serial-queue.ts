/**
 * Runs async tasks one at a time, in call order. A DuckDB connection runs one statement at a
 * time and holds one transaction, so everything sharing a connection goes through one queue.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Tasks waiting or running; used to pick the least busy connection. */
  get depth(): number {
    return this.queued;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(task);
    // The next task waits for this one whatever its outcome; the caller sees the outcome.
    this.tail = result.then(
      () => this.queued--,
      () => this.queued--,
    );
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
  }
}
