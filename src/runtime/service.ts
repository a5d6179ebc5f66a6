/** What every pipeline service gets and gives back, so `log0 up` and `log0 serve <name>` compose them alike. */
import type { Bus } from '../bus/port.js';
import type { Log0Config } from '../config/config.js';
import type { Logger } from './logger.js';

export interface ServiceContext {
  bus: Bus;
  logger: Logger;
  config: Log0Config;
}

export interface RunningService {
  /** Stops consuming, finishes in-flight work, commits, releases resources it owns. */
  stop(): Promise<void>;
}
