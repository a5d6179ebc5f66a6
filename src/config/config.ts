/**
 * log0's configuration, read once from the environment. Every setting is documented in the
 * README's configuration reference; a bad value stops startup with a message naming the variable.
 */
import { resolve } from 'node:path';

export interface Log0Config {
  dataDir: string;
  host: string;
  ports: { gateway: number; normalization: number; clustering: number; incidents: number; notifications: number };
  bus: { partitions: number; retentionMs: number; retentionBytes: number | undefined };
  /** Set: the bus is this Apache Kafka cluster. Unset: the embedded bus in the data directory. */
  kafka: KafkaConfig | null;
  clustering: { windowMs: number; threshold: number; graceMs: number; snapshotIntervalMs: number };
  logLevel: string;
  /** A graceful stop that takes longer than this exits anyway (non-zero). */
  shutdownTimeoutMs: number;
  /** Set: incidents and notifications live in this PostgreSQL. Unset: embedded PGlite in the data directory. */
  database: { url: string } | null;
  /** Set: the log store is this ClickHouse. Unset: embedded DuckDB in the data directory. */
  clickhouse: ClickHouseConfig | null;
  /** The embedded DuckDB log store: least time between the starts of two appends. */
  duckdb: { flushIntervalMs: number };
  /** How long stored logs are kept, in days: a default and per-tenant overrides (either store). */
  logRetention: { defaultDays: number; tenantDays: ReadonlyMap<string, number> };
  /** Set: rate limits and the dedup cache live in this Redis. Unset: in-process. */
  redis: { url: string } | null;
  /** Per-tenant token bucket at the gateway, counted in logs; null: no limit. */
  rateLimit: { logsPerSecond: number; burst: number } | null;
  /** How long an eventId is remembered as processed by the dedup cache. */
  dedupTtlMs: number;
  /** Per-tenant fingerprint rules (contracts/fingerprint-rules.yaml); null: log0's grouping only. */
  fingerprintRulesFile: string | null;
}

export interface ClickHouseConfig {
  /** HTTP interface, e.g. http://127.0.0.1:8123; user, password and database may be in the URL. */
  url: string;
  /** Rows buffered before an insert. */
  batchRows: number;
  /** A buffer older than this is inserted even when not full. */
  flushIntervalMs: number;
}

export interface KafkaConfig {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  /** Prefix of the client ids log0 reports to the brokers (each process appends its role). */
  clientId: string;
  /** Replication factor of the topics log0 creates; undefined: the broker's default.replication.factor. */
  replicationFactor: number | undefined;
  /** A consumer silent this long (crashed) loses its partitions to the rest of its group. */
  sessionTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

class ConfigError extends Error {}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function oneOf(env: Env, name: string, fallback: string, allowed: string[]): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!allowed.includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
}

/** KAFKA_BROKERS: comma-separated `host:port` list; unset or empty means the embedded bus. */
function kafka(env: Env): KafkaConfig | null {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) return null;
  const brokers = raw.split(',').map((b) => b.trim());
  for (const broker of brokers) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new ConfigError(`KAFKA_BROKERS must be a comma-separated list of host:port, got ${JSON.stringify(broker)} in ${JSON.stringify(raw)}`);
    }
  }
  const clientId = env.KAFKA_CLIENT_ID?.trim() || 'log0';
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(clientId)) {
    throw new ConfigError(`KAFKA_CLIENT_ID may only contain letters, digits, '.', '_' and '-', got ${JSON.stringify(clientId)}`);
  }
  const replicationFactor = integer(env, 'KAFKA_REPLICATION_FACTOR', 0, 0, 32767);
  return {
    brokers,
    clientId,
    replicationFactor: replicationFactor === 0 ? undefined : replicationFactor,
    sessionTimeoutMs: integer(env, 'KAFKA_SESSION_TIMEOUT_SECONDS', 30, 6, 1800) * 1000,
  };
}

/** A connection URL with one of the given schemes; unset or empty means the embedded default. */
function url(env: Env, name: string, schemes: string[]): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${schemes.map((s) => `${s}//…`).join(' or ')}), got ${JSON.stringify(redactUrl(raw))}`);
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${schemes.map((s) => `${s}//`).join(' or ')}, got ${JSON.stringify(redactUrl(raw))}`);
  }
  return raw;
}

/** The URL without its password, for error messages and logs. */
export function redactUrl(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, '//***@');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** LOG0_TENANT_RETENTION_DAYS: `tenantId=days` pairs, comma-separated. */
function tenantRetention(env: Env): Map<string, number> {
  const raw = env.LOG0_TENANT_RETENTION_DAYS?.trim();
  const days = new Map<string, number>();
  if (!raw) return days;
  for (const pair of raw.split(',')) {
    const match = /^\s*([0-9a-fA-F-]{36})\s*=\s*(\d{1,5})\s*$/.exec(pair);
    const tenant = match?.[1].toLowerCase();
    const value = Number(match?.[2]);
    if (!match || !UUID.test(tenant!) || value < 1 || value > 36_500) {
      throw new ConfigError(`LOG0_TENANT_RETENTION_DAYS must be tenantId=days pairs (a UUID, 1 to 36500 days), got ${JSON.stringify(pair)}`);
    }
    days.set(tenant!, value);
  }
  return days;
}

function rateLimit(env: Env): Log0Config['rateLimit'] {
  const logsPerSecond = integer(env, 'LOG0_RATE_LIMIT_LOGS_PER_SECOND', 50_000, 0, 100_000_000);
  if (logsPerSecond === 0) return null;
  // A burst below the largest request would refuse a valid batch forever.
  const burst = integer(env, 'LOG0_RATE_LIMIT_BURST', Math.max(2 * logsPerSecond, 1000), 1000, 1_000_000_000);
  return { logsPerSecond, burst };
}

/**
 * Default partitions per topic. On Kafka they bound how many processes of a consumer group share
 * the work. The embedded bus serves one process, and each of its partitions makes its writes
 * durable with its own fsync: under single-log requests 6 partitions made 0.19–0.23 fsyncs per
 * request, 2 make 0.08, and a request costs ≈ 20 % less CPU. Batches ran ≈ 7 % slower end to
 * end with 2, for a reason not established; see the README.
 */
const KAFKA_PARTITIONS = 6;
const EMBEDDED_PARTITIONS = 2;

export function loadConfig(env: Env = process.env): Log0Config {
  const port = (name: string, fallback: number) => integer(env, name, fallback, 0, 65535);
  const retentionBytes = integer(env, 'LOG0_BUS_RETENTION_BYTES', 0, 0, Number.MAX_SAFE_INTEGER);
  const kafkaConfig = kafka(env);
  return {
    dataDir: resolve(env.LOG0_DATA_DIR?.trim() || './data'),
    host: env.LOG0_HOST?.trim() || '0.0.0.0',
    ports: {
      gateway: port('LOG0_GATEWAY_PORT', 8080),
      normalization: port('LOG0_NORMALIZATION_PORT', 8081),
      clustering: port('LOG0_CLUSTERING_PORT', 8082),
      incidents: port('LOG0_INCIDENT_PORT', 8083),
      notifications: port('LOG0_NOTIFICATION_PORT', 8084),
    },
    bus: {
      partitions: integer(env, 'LOG0_BUS_PARTITIONS', kafkaConfig ? KAFKA_PARTITIONS : EMBEDDED_PARTITIONS, 1, 1024),
      retentionMs: integer(env, 'LOG0_BUS_RETENTION_HOURS', 168, 1, 24 * 365 * 10) * 3_600_000,
      retentionBytes: retentionBytes === 0 ? undefined : retentionBytes,
    },
    kafka: kafkaConfig,
    clustering: {
      windowMs: integer(env, 'LOG0_CLUSTER_WINDOW_SECONDS', 300, 1, 86_400) * 1000,
      threshold: integer(env, 'LOG0_CLUSTER_THRESHOLD', 10, 1, 1_000_000_000),
      graceMs: integer(env, 'LOG0_CLUSTER_GRACE_SECONDS', 30, 0, 86_400) * 1000,
      snapshotIntervalMs: integer(env, 'LOG0_CLUSTER_SNAPSHOT_SECONDS', 30, 0, 86_400) * 1000,
    },
    shutdownTimeoutMs: integer(env, 'LOG0_SHUTDOWN_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    logLevel: oneOf(env, 'LOG0_LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    database: nullable(url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']), (u) => ({ url: u })),
    clickhouse: nullable(url(env, 'CLICKHOUSE_URL', ['http:', 'https:']), (u) => ({
      url: u,
      batchRows: integer(env, 'LOG0_CLICKHOUSE_BATCH_ROWS', 20_000, 1, 10_000_000),
      flushIntervalMs: integer(env, 'LOG0_CLICKHOUSE_FLUSH_MS', 100, 1, 600_000),
    })),
    duckdb: { flushIntervalMs: integer(env, 'LOG0_DUCKDB_FLUSH_MS', 100, 0, 600_000) },
    logRetention: { defaultDays: integer(env, 'LOG0_LOG_RETENTION_DAYS', 30, 1, 36_500), tenantDays: tenantRetention(env) },
    redis: nullable(url(env, 'REDIS_URL', ['redis:', 'rediss:']), (u) => ({ url: u })),
    rateLimit: rateLimit(env),
    dedupTtlMs: integer(env, 'LOG0_DEDUP_TTL_SECONDS', 600, 1, 30 * 86_400) * 1000,
    fingerprintRulesFile: env.LOG0_FINGERPRINT_RULES?.trim() ? resolve(env.LOG0_FINGERPRINT_RULES.trim()) : null,
  };
}

function nullable<T, R>(value: T | null, map: (value: T) => R): R | null {
  return value === null ? null : map(value);
}

export { ConfigError };
