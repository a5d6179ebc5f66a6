/**
 * Ordered shutdown: resources register a stop step as they start; stopping runs the steps in
 * reverse, each once, logging its duration, and remembers the step under way so a hung stop can
 * say where it hangs.
 */
import type { Logger } from './logger.js';

export class ShutdownStack {
  private readonly steps: Array<{ name: string; run: () => Promise<void> | void }> = [];
  private current: string | undefined;

  constructor(private readonly logger: Logger) {}

  onStop(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** The step under way while stopping, else undefined. */
  step(): string | undefined {
    return this.current;
  }

  async stopAll(onStep?: (name: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const { name, run } = this.steps.pop()!;
      this.current = name;
      onStep?.(name);
      const started = Date.now();
      try {
        await run();
        this.logger.debug({ step: name, ms: Date.now() - started }, 'stopped');
      } catch (err) {
        this.logger.error({ err, step: name }, 'error while stopping');
      }
    }
    this.current = undefined;
  }
}
