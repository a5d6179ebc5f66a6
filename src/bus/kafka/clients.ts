/**
 * Creating @platformatic/kafka clients with the adapter's settings, and calling protocol APIs
 * the clients do not wrap (the group membership protocol) through a client's connection pool and
 * version negotiation.
 */
import {
  Admin,
  type Base,
  type Broker,
  type Callback,
  type Connection,
  Consumer,
  kGetApi,
  kGetBootstrapConnection,
  kGetConnection,
  Producer,
} from '@platformatic/kafka';
import type { ResolvedKafkaOptions } from './options.js';

/** Any client: the symbol-keyed helpers live on Base. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyClient = Base<any, any>;

function common(options: ResolvedKafkaOptions, role: string, requestTimeout: number) {
  return {
    clientId: `${options.clientId}-${role}`,
    bootstrapBrokers: options.brokers,
    connectTimeout: Math.min(5_000, requestTimeout),
    requestTimeout,
    // Broker-side wait (e.g. for ISR acks of a produce), kept below the connection's request timeout.
    timeout: Math.max(1_000, Math.min(5_000, requestTimeout - 1_000)),
    retries: 2,
    retryDelay: 200,
    metadataMaxAge: 5_000,
    autocreateTopics: false,
  };
}

export function createAdmin(options: ResolvedKafkaOptions, role = 'admin'): Admin {
  return new Admin(common(options, role, options.requestTimeoutMs));
}

/**
 * The idempotent producer: acks = all, one request in flight per connection, a bounded number of
 * retries so a send always settles (the library retries forever by default for idempotence).
 */
export function createProducer(options: ResolvedKafkaOptions): Producer {
  const base = common(options, 'producer', options.produceTimeoutMs);
  return new Producer({
    ...base,
    idempotent: true,
    acks: -1,
    // With idempotence the library retries forever unless told otherwise; bounded here so a send
    // settles and the pipeline can report the failure.
    retries: 3,
    retryDelay: 250,
    timeout: Math.max(1_000, Math.floor(options.produceTimeoutMs / 2)),
  });
}

/**
 * A Consumer used only as a connection pool with version negotiation (fetch, group protocol):
 * its own group machinery (consume/joinGroup) is never started.
 */
export function createRawConsumer(
  options: ResolvedKafkaOptions,
  role: string,
  groupId: string,
  requestTimeout: number,
): Consumer {
  return new Consumer({
    ...common(options, role, requestTimeout),
    groupId,
    autocommit: false,
    isolationLevel: 0,
  });
}

function getApi<Args extends unknown[], Response>(
  client: AnyClient,
  name: string,
): Promise<(connection: Connection, ...args: [...Args, Callback<Response>]) => void> {
  return new Promise((resolve, reject) => {
    client[kGetApi]<Args, Response>(name, (error, api) => {
      if (error || !api) reject(error ?? new Error(`no API ${name}`));
      else resolve(api as never);
    });
  });
}

function getConnection(client: AnyClient, broker: Broker | 'bootstrap'): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const done: Callback<Connection> = (error, connection) => {
      if (error || !connection) reject(error ?? new Error('no connection'));
      else resolve(connection);
    };
    if (broker === 'bootstrap') client[kGetBootstrapConnection](done);
    else client[kGetConnection](broker, done);
  });
}

/**
 * Sends one protocol request (by API name, at the highest version both sides support) to a
 * broker, or to any bootstrap broker. The library's API modules share an argument order across
 * versions, which is what makes calling by name safe.
 */
export async function callApi<Response>(
  client: AnyClient,
  name: string,
  broker: Broker | 'bootstrap',
  ...args: unknown[]
): Promise<Response> {
  const api = await getApi<unknown[], Response>(client, name);
  const connection = await getConnection(client, broker);
  return new Promise<Response>((resolve, reject) => {
    api(connection, ...args, (error: Error | null, response?: Response) => {
      if (error) reject(error);
      else resolve(response as Response);
    });
  });
}

/** Closes a client, forcing pending work (streams, retries) to stop. */
export function closeClient(client: AnyClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const close = client.close as unknown as (force: boolean, callback: (error: Error | null) => void) => void;
    close.call(client, true, (error) => (error ? reject(error) : resolve()));
  });
}
