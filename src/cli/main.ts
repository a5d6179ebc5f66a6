#!/usr/bin/env node
/** The `log0` command. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { startPlatform, type Platform } from '../platform.js';
import { createLogger } from '../runtime/logger.js';

function banner(platform: Platform, dataDir: string): string {
  const { gateway, incidents, notifications } = platform.endpoints;
  const row = (name: string, url: string, what: string) => `  ${name.padEnd(22)}${url.padEnd(26)}${what}`;
  return [
    '',
    `log0 is up — embedded bus, PGlite, DuckDB; data in ${dataDir}`,
    row('ingestion gateway', gateway.url, 'POST /api/v1/logs'),
    row('incident service', incidents.url, 'GET /api/v1/incidents, /api/v1/logs'),
    row('notification service', notifications.url, 'GET /api/v1/notifications'),
    '  every service: GET /health, GET /ready',
    'Stop with Ctrl+C (SIGINT) or SIGTERM.',
    '',
  ].join('\n');
}

async function up(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const platform = await startPlatform(config, logger);
  process.stdout.write(banner(platform, config.dataDir) + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait. Safe: delivery is at-least-once.
      logger.warn({ signal, step: platform.stoppingStep() }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping log0');
    const watchdog = setTimeout(() => {
      logger.error(
        { step: platform.stoppingStep(), timeoutSeconds: config.shutdownTimeoutMs / 1000 },
        'graceful stop timed out; exiting (uncommitted work is redelivered on the next start)',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    watchdog.unref();
    await platform.stop();
    logger.info('log0 stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

const program = new Command()
  .name('log0')
  .description('log0: turns a flood of raw log lines into a few actionable incidents.')
  .version('0.1.0');

program
  .command('up')
  .description('start the whole platform in this process on embedded defaults (data in $LOG0_DATA_DIR, default ./data)')
  .action(up);

program.showHelpAfterError();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).stack ?? String(err);
  process.stderr.write(`log0: ${message}\n`);
  process.exit(1);
}
