/**
 * Network values (template/network.ts): endpoints, host names, hardware addresses, e-mail addresses, URLs.
 * Messages in the formats of real software (nginx, Kafka, Cassandra, Kubernetes, dhcpd, Postfix, Node.js),
 * with addresses from the documentation ranges.
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('host names: letters, digits and hyphens ending in a known top-level domain', () => {
  table([
    ['upstream timed out while connecting to api.example.com', 'upstream timed out while connecting to <host>'],
    ['reverse mapping checking getaddrinfo for host-7.example.net [198.51.100.7] failed', 'reverse mapping checking getaddrinfo for <host> [<host>] failed'],
    ['Node ip-10-0-1-17.eu-west-1.compute.internal status is now: NodeNotReady', 'Node <host> status is now: NodeNotReady'],
    ['setting hostname to "build-42.local"', 'setting hostname to "<host>"'],
    ['resolved db.internal and localhost', 'resolved <host> and localhost'],
  ]);

  describe('dotted names that are not hosts', () => {
    table([
      // A file name, a Java class, a reverse-DNS package: no top-level domain last, or one first.
      ['loaded app.properties and logback.xml', 'loaded app.properties and logback.xml'],
      ['Caused by: java.io.FileNotFoundException', 'Caused by: java.io.FileNotFoundException'],
      ['Using committer org.example.storage.output.FileCommitter', 'Using committer org.example.storage.output.FileCommitter'],
      ['running deploy.sh then setup.py', 'running deploy.sh then setup.py'],
    ]);
  });
});

describe('endpoints: an address and its port are one value', () => {
  table([
    // Kafka client
    ['Discovered group coordinator broker-2:9092 (id: 2147483645 rack: null)', 'Discovered group coordinator <host> (id: <number> rack: <null>)'],
    ['Connection to node 1 (broker-1/192.0.2.11:9092) could not be established.', 'Connection to node <number> (<host>) could not be established.'],
    // Node.js
    ['Error: connect ECONNREFUSED 127.0.0.1:6379', 'Error: connect ECONNREFUSED <host>'],
    // Java's InetSocketAddress prints `/address:port`
    ['Handshaking version with /192.0.2.14:7000', 'Handshaking version with <host>'],
    ['gw.example.org:8443 open through proxy 198.51.100.2:3128', '<host> open through proxy <host>'],
    ['localhost:8080 refused', '<host> refused'],
    // an endpoint, then a colon and more
    ['192.0.2.8:50010:DataXceiver error processing WRITE_BLOCK operation src: /192.0.2.9:41234', '<host>:DataXceiver error processing WRITE_BLOCK operation src: <host>'],
  ]);

  sameTemplate('an address by IP or by name is one value (one incident)', [
    'connect to 10.0.0.7:5432 failed: Connection refused',
    'connect to db-primary.example.com:5432 failed: Connection refused',
    'connect to [2001:db8::7]:5432 failed: Connection refused',
  ]);

  describe('a key and a number are not an endpoint', () => {
    table([
      ['Rebalance done: assigned:4 revoked:1', 'Rebalance done: assigned:<*> revoked:<*>'],
      ['retries:3 backoff:250', 'retries:<*> backoff:<*>'],
    ]);
  });
});

describe('comma-separated addresses in one token are one value', () => {
  table([['203.0.113.4,198.51.100.7 "GET /status HTTP/1.1" 200', '<host> "GET <path>" <number>']]);
});

describe('hardware and device addresses', () => {
  table([
    ['DHCPACK on 192.0.2.50 to 52:54:00:12:34:56 via eth0', 'DHCPACK on <host> to <id> via eth0'],
    ['wlan0: associated with aa:bb:cc:00:11:22', 'wlan0: associated with <id>'],
    ['pci 0000:03:00.0: enabling device (0000 -> 0002)', 'pci <id>: enabling device (<number> -> <number>)'],
  ]);
});

describe('e-mail addresses', () => {
  table([
    ["STATEMENT:  UPDATE users SET active = false WHERE email = 'carol@example.com'", "STATEMENT: UPDATE users SET active = <bool> WHERE email = '<email>'"],
    ['sent reset link to alice.smith+billing@mail.example.org.', 'sent reset link to <email>.'],
  ]);
});

describe('URLs', () => {
  table([
    ['Readiness probe failed: Get "http://10.244.1.17:8080/healthz": context deadline exceeded', 'Readiness probe failed: Get "<url>": context deadline exceeded'],
    ['Server listening at http://0.0.0.0:3000', 'Server listening at <url>'],
    ['Connecting to amqp://guest@rabbit-1.example.net:5672/vhost', 'Connecting to <url>'],
    ['Unable to open jdbc:postgresql://db:5432/orders?sslmode=require', 'Unable to open <url>'],
    // after a key
    ['msg="scrape failed" target=http://10.0.0.5:9100/metrics', 'msg="scrape failed" target=<*>'],
    // an app's own scheme (a deep link) names the app's object, as its application id does
    ['com.example.notes.sync://4F2A9C1E/inbox/7: job deferred', '<id>: job deferred'],
    ['com.example.notes.daily: job deferred', '<id>: job deferred'],
  ]);
});

describe('grouping', () => {
  differentTemplates('a different sentence around the same address is a different problem', [
    'connection from 203.0.113.7 refused',
    'connection from 203.0.113.7 accepted',
    'connection to 203.0.113.7 refused',
  ]);
});
