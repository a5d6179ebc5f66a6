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
  clustering: { windowMs: number; threshold: number; graceMs: number };
  logLevel: string;
  /** A graceful stop that takes longer than this exits anyway (non-zero). */
  shutdownTimeoutMs: number;
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

export function loadConfig(env: Env = process.env): Log0Config {
  const port = (name: string, fallback: number) => integer(env, name, fallback, 0, 65535);
  const retentionBytes = integer(env, 'LOG0_BUS_RETENTION_BYTES', 0, 0, Number.MAX_SAFE_INTEGER);
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
      partitions: integer(env, 'LOG0_BUS_PARTITIONS', 6, 1, 1024),
      retentionMs: integer(env, 'LOG0_BUS_RETENTION_HOURS', 168, 1, 24 * 365 * 10) * 3_600_000,
      retentionBytes: retentionBytes === 0 ? undefined : retentionBytes,
    },
    kafka: kafka(env),
    clustering: {
      windowMs: integer(env, 'LOG0_CLUSTER_WINDOW_SECONDS', 300, 1, 86_400) * 1000,
      threshold: integer(env, 'LOG0_CLUSTER_THRESHOLD', 10, 1, 1_000_000_000),
      graceMs: integer(env, 'LOG0_CLUSTER_GRACE_SECONDS', 30, 0, 86_400) * 1000,
    },
    shutdownTimeoutMs: integer(env, 'LOG0_SHUTDOWN_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    logLevel: oneOf(env, 'LOG0_LOG_LEVEL', 'info', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  };
}

export { ConfigError };
