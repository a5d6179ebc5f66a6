/**
 * Runs `log0 serve <service>` as a real child process for tests on Apache Kafka: ephemeral port
 * read back from its startup banner, its own data dir unless one is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/runtime/package-root.js';
import { tempDataDir } from './platform-process.js';

export interface ServiceProcess {
  name: string;
  url: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
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
  const child = spawn(process.execPath, [join(packageRoot(), 'dist/src/cli/main.js'), 'serve', name], {
    env: {
      ...process.env,
      KAFKA_BROKERS: options.brokers.join(','),
      LOG0_DATA_DIR: dataDir,
      LOG0_HOST: '127.0.0.1',
      [PORT_VARIABLE[name]]: '0',
      LOG0_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = new RegExp(`^\\s+${name}\\s+(http://\\S+)`, 'm');

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`log0 serve ${name} did not start in time:\n${out}`)), options.timeoutMs ?? 60_000);
    const check = () => {
      const match = line.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(match[1].replace('localhost', '127.0.0.1'));
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`log0 serve ${name} exited with ${code} before it was up:\n${out}`));
    });
  });

  return {
    name,
    url,
    dataDir,
    child,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}
