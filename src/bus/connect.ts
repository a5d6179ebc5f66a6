/**
 * The bus a thread of `log0 up` or a `log0 serve` process uses: the embedded bus through its
 * thread's port, or its own client of the Kafka cluster when KAFKA_BROKERS is set (Kafka clients
 * are cheap; sharing one across threads would only add a hop).
 */
import type { MessagePort } from 'node:worker_threads';
import type { Log0Config } from '../config/config.js';
import type { Logger } from '../runtime/logger.js';
import { createKafkaBus } from './kafka/index.js';
import type { Bus } from './port.js';
import { connectBusOverPort } from './thread/client.js';

export async function connectBus(config: Log0Config, role: string, logger: Logger, busPort: MessagePort | null): Promise<Bus> {
  if (busPort) return connectBusOverPort(busPort);
  if (!config.kafka) throw new Error('bus: this thread got neither the embedded bus port nor KAFKA_BROKERS');
  return createKafkaBus({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-${role}`,
    replicationFactor: config.kafka.replicationFactor,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    onWarning: (message, err) => logger.warn({ component: 'kafka', err }, message),
  });
}
