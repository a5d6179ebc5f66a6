import { pino, type Logger } from 'pino';

export type { Logger };

/** log0's own operational log: JSON lines on stdout (pino), one child logger per service. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'log0' } });
}
