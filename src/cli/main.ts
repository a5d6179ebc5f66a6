#!/usr/bin/env node
/** The `log0` command. */
import { Command } from 'commander';
import { ConfigError, loadConfig, redactUrl, type Log0Config } from '../config/config.js';
import { startPlatform, type Platform } from '../platform.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { isServiceName, serveService, SERVICE_NAMES, type ServiceName } from '../serve.js';
import { FingerprintRules } from '../services/normalization/fingerprint-rules.js';
import { normalizeStream, rulesFrom } from './normalize-command.js';

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

/** Stops startup on an unusable rules file before anything starts (the normalizer loads it again). */
function checkFingerprintRules(config: Log0Config): void {
  if (config.fingerprintRulesFile) FingerprintRules.load(config.fingerprintRulesFile);
}

async function up(): Promise<void> {
  const config = loadConfig();
  checkFingerprintRules(config);
  const logger = createLogger(config.logLevel);
  const platform = await startPlatform(config, logger);
  process.stdout.write(banner(platform, config) + '\n');
  stopOnSignals(platform, config, logger);
}

async function serve(name: string): Promise<void> {
  if (!isServiceName(name)) throw new ConfigError(`unknown service ${JSON.stringify(name)}; one of ${SERVICE_NAMES.join(', ')}`);
  const config = loadConfig();
  checkFingerprintRules(config);
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

program
  .command('normalize')
  .description('read log lines (raw text, or JSON logs) on stdin; print what log0 makes of each: level, messageTemplate, exceptionType, firstStackFrame, fingerprint')
  .option('--service <name>', 'serviceName of raw lines (part of the fingerprint)', 'unknown')
  .option('--environment <name>', 'environment of raw lines', 'production')
  .option('--level <level>', 'level of raw lines (default: INFO)')
  .option('--tenant <uuid>', 'tenant whose fingerprint rules apply (JSON logs may carry tenantId)', '00000000-0000-0000-0000-000000000000')
  .option('--rules <file>', 'fingerprint rules file (default: $LOG0_FINGERPRINT_RULES)')
  .action(async (options: { service: string; environment: string; level?: string; tenant: string; rules?: string }) => {
    const rules = rulesFrom(options.rules ?? (process.env.LOG0_FINGERPRINT_RULES?.trim() || undefined));
    await normalizeStream(process.stdin, process.stdout, { ...options, rules });
  });

program.showHelpAfterError();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const message = err instanceof ConfigError ? `configuration error: ${err.message}` : (err as Error).stack ?? String(err);
  process.stderr.write(`log0: ${message}\n`);
  process.exit(1);
}
