/**
 * Messages as real software writes them (written for these tests after each program's log formats): one
 * problem must give one template, different problems different ones.
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('nginx', () => {
  table([
    [
      '2024/05/12 10:15:30 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 192.168.1.10, server: example.com, request: "GET /api/v1/users HTTP/1.1", upstream: "http://127.0.0.1:8080/api/v1/users", host: "example.com"',
      '<datetime> [error] <number>#<number>: *<number> connect() failed (<number>: Connection refused) while connecting to upstream, client: <host>, server: <host>, request: "GET <path>", upstream: "<url>", host: "<host>"',
    ],
    ['192.168.1.10 - - [12/May/2024:10:15:30 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.5.0"', '<host> - - [<datetime>] "GET <path>" <number> <number> "-" "curl/<version>"'],
  ]);
  sameTemplate('upstream refused, any client, request or worker', [
    '2024/05/12 10:15:30 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 192.168.1.10, server: example.com, request: "GET /api/v1/users HTTP/1.1", upstream: "http://127.0.0.1:8080/api/v1/users", host: "example.com"',
    '2024/05/13 08:01:02 [error] 77#77: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 10.1.2.3, server: shop.example.org, request: "GET /cart?id=7 HTTP/2.0", upstream: "http://10.0.0.5:3000/cart?id=7", host: "shop.example.org"',
  ]);
  differentTemplates('refused, timed out, and an open() failure are three problems', [
    '2024/05/12 10:15:30 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream',
    '2024/05/12 10:15:30 [error] 1234#1234: *5678 upstream timed out (110: Connection timed out) while reading response header from upstream',
    '2024/05/12 10:15:30 [error] 1234#1234: *5678 open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory)',
  ]);
});

describe('PostgreSQL', () => {
  table([
    ['FATAL:  password authentication failed for user "alice"', 'FATAL: password authentication failed for user "<user>"'],
    ['duration: 1532.456 ms  statement: SELECT * FROM orders WHERE id = 42', 'duration: <number> ms statement: SELECT * FROM orders WHERE id = <number>'],
    ['checkpoint complete: wrote 1234 buffers (7.5%); 0 WAL file(s) added, 0 removed, 3 recycled; write=123.456 s, sync=0.012 s, total=123.500 s', 'checkpoint complete: wrote <number> buffers (<number>%); <number> WAL file(s) added, <number> removed, <number> recycled; write=<*> s, sync=<*> s, total=<*> s'],
  ]);
  sameTemplate('one failed login whatever the user', ['FATAL:  password authentication failed for user "alice"', 'FATAL:  password authentication failed for user "bob"']);
  differentTemplates('different constraints and relations are different problems', [
    'ERROR:  duplicate key value violates unique constraint "orders_pkey"',
    'ERROR:  duplicate key value violates unique constraint "users_email_key"',
    'ERROR:  relation "users" does not exist at character 15',
  ]);
});

describe('Kafka', () => {
  table([
    [
      '[2024-05-12 10:15:31,456] WARN [ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0] Error in response for fetch request (type=FetchRequest, replicaId=2, maxWait=500, minBytes=1, maxBytes=10485760) (kafka.server.ReplicaFetcherThread)',
      '[<datetime>] WARN [ReplicaFetcher replicaId=<*>, leaderId=<*>, fetcherId=<*>] Error in response for fetch request (type=FetchRequest, replicaId=<*>, maxWait=<*>, minBytes=<*>, maxBytes=<*>) (kafka.server.ReplicaFetcherThread)',
    ],
  ]);
  sameTemplate('a produce error on any partition', [
    '[Producer clientId=producer-1] Got error produce response with correlation id 42 on topic-partition orders-3, retrying (2 attempts left). Error: NOT_LEADER_OR_FOLLOWER',
    '[Producer clientId=producer-7] Got error produce response with correlation id 9001 on topic-partition orders-11, retrying (0 attempts left). Error: NOT_LEADER_OR_FOLLOWER',
  ]);
  differentTemplates('the error code tells problems apart', [
    '[Producer clientId=producer-1] Got error produce response with correlation id 42 on topic-partition orders-3, retrying (2 attempts left). Error: NOT_LEADER_OR_FOLLOWER',
    '[Producer clientId=producer-1] Got error produce response with correlation id 42 on topic-partition orders-3, retrying (2 attempts left). Error: REQUEST_TIMED_OUT',
  ]);
});

describe('Kubernetes', () => {
  sameTemplate('back-off for any pod', [
    'Back-off restarting failed container api in pod api-7d9f8b6c4-x2k9z_default(3f2a1b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b)',
    'Back-off restarting failed container api in pod api-5c6d7e8f9-q8w7e_default(0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)',
  ]);
  sameTemplate('a readiness probe failing on any pod IP', [
    'Readiness probe failed: Get "http://10.244.1.17:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    'Readiness probe failed: Get "http://10.244.3.2:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
  ]);
  sameTemplate('scheduling to any node', ['Successfully assigned default/web-5d8f6c7b9-abcde to node-3', 'Successfully assigned default/web-5d8f6c7b9-fghij to node-12']);
  differentTemplates('liveness and readiness are different problems', [
    'Liveness probe failed: HTTP probe failed with statuscode: 500',
    'Readiness probe failed: HTTP probe failed with statuscode: 500',
  ]);
});

describe('JVM and Spring', () => {
  table([
    ['Started Application in 4.321 seconds (JVM running for 5.012)', 'Started Application in <number> seconds (JVM running for <number>)'],
    ['HikariPool-1 - Connection is not available, request timed out after 30000ms.', 'HikariPool-<number> - Connection is not available, request timed out after <number>ms.'],
    ['Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', 'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space'],
  ]);
  sameTemplate('a young GC of any size', [
    '[GC (Allocation Failure) [PSYoungGen: 65536K->10720K(76288K)] 65536K->10728K(251392K), 0.0123456 secs]',
    '[GC (Allocation Failure) [PSYoungGen: 76800K->11264K(89088K)] 80123K->14651K(264192K), 0.0100001 secs]',
  ]);
  differentTemplates('different exceptions are different problems', [
    'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    'Exception in thread "main" java.lang.OutOfMemoryError: Metaspace',
    'Exception in thread "main" java.lang.StackOverflowError',
  ]);
});

describe('Node.js', () => {
  table([
    ['Error: connect ECONNREFUSED 127.0.0.1:6379', 'Error: connect ECONNREFUSED <host>'],
    ['Server listening at http://0.0.0.0:3000', 'Server listening at <url>'],
    ['{"level":50,"time":1715508930123,"pid":4242,"hostname":"api-1","reqId":"req-1","msg":"request errored"}', '{"level":"<*>","time":"<*>","pid":"<*>","hostname":"<*>","reqId":"<*>","msg":"request errored"}'],
  ]);
  differentTemplates('different error codes are different problems', ['Error: connect ECONNREFUSED 127.0.0.1:6379', 'Error: connect ETIMEDOUT 127.0.0.1:6379', 'Error: getaddrinfo ENOTFOUND redis']);
});

describe('sshd, PAM and cron', () => {
  sameTemplate('a failed password, any user, address and port', [
    'Failed password for invalid user oracle from 198.51.100.23 port 40122 ssh2',
    'Failed password for invalid user 0 from 203.0.113.101 port 60001 ssh2',
    'Failed password for invalid user ci7 from 192.0.2.230 port 33333 ssh2',
  ]);
  sameTemplate('an authentication failure from any remote host', [
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198-51-100-12.dsl.example.net.uk  user=root',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root',
    'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=relay.example.pl  user=backup',
  ]);
  differentTemplates('opening and closing a session', ['pam_unix(cron:session): session opened for user root by (uid=0)', 'pam_unix(cron:session): session closed for user root']);
});

describe('systemd', () => {
  table([
    ['nginx.service: Main process exited, code=exited, status=1/FAILURE', 'nginx.service: Main process exited, code=exited, status=<*>'],
    ['Started Session 42 of User alice.', 'Started Session <number> of User <user>.'],
  ]);
  differentTemplates('different units are different problems', ['nginx.service: Failed with result \'exit-code\'.', 'postgresql.service: Failed with result \'exit-code\'.']);
});
