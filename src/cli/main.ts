#!/usr/bin/env node
/** The `log0` command. */
import { Command } from 'commander';
import { ConfigError, loadConfig, redactUrl, type Log0Config } from '../config/config.js';
import { startPlatform, type Platform } from '../platform.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { isServiceName, serveService, SERVICE_NAMES, type ServiceName } from '../serve.js';

const row = (name: string, url: string, what: string) => `  ${name.padEnd(22)}${url.padEnd(26)}${what}`;

function busName(config: Log0Config): string {
  return config.kafka ? `Apache Kafka at ${config.kafka.brokers.join(',')}` : 'embedded bus';
}

/** Where incidents, logs and shared state live, as configured (URLs without their passwords). */
function storeNames(config: Log0Config): string {
  const at = (what: string, url: string) => `${what} at ${redactUrl(url)}`;
  return [
    config.database ? at('PostgreSQL', config.database.url) : 'PGlite',
    config.clickhouse ? at('ClickHouse', config.clickhouse.url) : 'DuckDB',
    config.redis ? at('Redis', config.redis.url) : 'in-process rate limits',
  ].join(', ');
}

function banner(platform: Platform, config: Log0Config): string {
  const { gateway, incidents, notifications } = platform.endpoints;
  return [
    '',
    `log0 is up — ${busName(config)}, ${storeNames(config)}; data in ${config.dataDir}`,
    row('ingestion gateway', gateway.url, 'POST /api/v1/logs'),
    row('incident service', incidents.url, 'GET /api/v1/incidents, /api/v1/logs'),
    row('notification service', notifications.url, 'GET /api/v1/notifications'),
    '  every service: GET /health, GET /ready',
    'Stop with Ctrl+C (SIGINT) or SIGTERM.',
    '',
  ].join('\n');
}

/** What a served service says it is and where. */
const SERVICE_API: Record<ServiceName, string> = {
  gateway: 'POST /api/v1/logs',
  normalization: 'GET /health, /ready, /metrics',
  clustering: 'GET /health, /ready, /metrics',
  incidents: 'GET /api/v1/incidents, /api/v1/logs',
  notifications: 'GET /api/v1/notifications',
};

async function up(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const platform = await startPlatform(config, logger);
  process.stdout.write(banner(platform, config) + '\n');
  stopOnSignals(platform, config, logger);
}

async function serve(name: string): Promise<void> {
  if (!isServiceName(name)) throw new ConfigError(`unknown service ${JSON.stringify(name)}; one of ${SERVICE_NAMES.join(', ')}`);
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const service = await serveService(name, config, logger);
  process.stdout.write(
    ['', `log0 ${name} is up — ${busName(config)}`, row(name, service.endpoint.url, SERVICE_API[name]), 'Stop with Ctrl+C (SIGINT) or SIGTERM.', ''].join('\n') + '\n',
  );
  stopOnSignals(service, config, logger);
}

/** Graceful stop on SIGINT/SIGTERM, bounded by a watchdog; a second signal exits at once. */
function stopOnSignals(running: { stop(): Promise<void>; stoppingStep(): string | undefined }, config: Log0Config, logger: Logger): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second signal: the operator does not want to wait. Safe: delivery is at-least-once.
      logger.warn({ signal, step: running.stoppingStep() }, 'second signal: exiting now');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'stopping log0');
    const watchdog = setTimeout(() => {
      logger.error(
        { step: running.stoppingStep(), timeoutSeconds: config.shutdownTimeoutMs / 1000 },
        'graceful stop timed out; exiting (uncommitted work is redelivered on the next start)',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    watchdog.unref();
    await running.stop();
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

program
  .command('serve')
  .argument('<service>', SERVICE_NAMES.join(' | '))
  .description('run one service in this process, on Apache Kafka (KAFKA_BROKERS); run several processes of a service to scale it out')
  .action(serve);

program.showHelpAfterError();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).stack ?? String(err);
  process.stderr.write(`log0: ${message}\n`);
  process.exit(1);
}
