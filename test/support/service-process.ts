/**
 * Runs `log0 serve <service>` as a real child process for tests on Apache Kafka: ephemeral port
 * read back from its startup banner, its own data dir unless one is given.
 */
import { endings, spawnLog0, tempDataDir, type RunningLog0 } from './platform-process.js';

export interface ServiceProcess extends RunningLog0 {
  name: string;
  url: string;
}

const PORT_VARIABLE: Record<string, string> = {
  gateway: 'LOG0_GATEWAY_PORT',
  normalization: 'LOG0_NORMALIZATION_PORT',
  clustering: 'LOG0_CLUSTERING_PORT',
  incidents: 'LOG0_INCIDENT_PORT',
  notifications: 'LOG0_NOTIFICATION_PORT',
};

export async function startServiceProcess(
  name: string,
  options: { brokers: string[]; dataDir?: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<ServiceProcess> {
  const dataDir = options.dataDir ?? tempDataDir(`log0-${name}-`);
  const line = new RegExp(`^\\s+${name}\\s+(http://\\S+)`, 'm');
  const { child, output, exited, ready: url } = await spawnLog0(
    ['serve', name],
    { KAFKA_BROKERS: options.brokers.join(','), LOG0_DATA_DIR: dataDir, [PORT_VARIABLE[name]]: '0', ...options.env },
    (out) => line.exec(out)?.[1].replace('localhost', '127.0.0.1'),
    options.timeoutMs,
  );
  return {
    name,
    url,
    dataDir,
    child,
    output,
    ...endings(child, exited),
  };
}
