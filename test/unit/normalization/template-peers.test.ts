/**
 * Peers and redaction markers (template/peers.ts): the object of `to`, `from`, `via` written as a host name
 * without a domain, a device name with its unit or a redaction marker is the peer, `<host>`, as an address
 * there is; a hidden value (`[REDACTED]`, `#3#`, and stars where a value is expected) is a value. Messages
 * written for these tests after the log formats of ntpd, sshd, the Kubernetes scheduler, Consul's
 * memberlist, Postfix, nginx, Rails, pino and Oracle clients, with addresses from the documentation ranges.
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('peers: the object of to, from, via', () => {
  describe('ntpd: a reference clock is named where a server has an address', () => {
    table([
      ['synchronized to 192.0.2.1, stratum 2', 'synchronized to <host>, stratum <number>'],
      ['synchronized to LOCAL(0), stratum 10', 'synchronized to <host>, stratum <number>'],
      ['synchronized to GPS_NMEA(1), stratum 0', 'synchronized to <host>, stratum <number>'],
    ]);
    sameTemplate('one synchronisation message whatever the source', [
      'synchronized to 192.0.2.1, stratum 2',
      'synchronized to ntp1.example.org, stratum 3',
      'synchronized to LOCAL(0), stratum 10',
      'synchronized to SHM(0), stratum 0',
      'synchronized to PPS(0), stratum 1',
      // an anonymised trace hides the address
      'synchronized to #3#, stratum 1',
    ]);
    differentTemplates('synchronising and losing the source are two problems', [
      'synchronized to LOCAL(0), stratum 10',
      'no servers reachable',
      'kernel reports TIME_ERROR: 0x2041: Clock Unsynchronized',
    ]);
  });

  describe('Kubernetes scheduler: nodes are named, not addressed', () => {
    table([
      ['Successfully assigned default/web-5d8f6c7b9-abcde to node-3', 'Successfully assigned default/web-<id> to <host>'],
      ['Successfully assigned default/web-5d8f6c7b9-abcde to worker01', 'Successfully assigned default/web-<id> to <host>'],
    ]);
    sameTemplate('scheduling to any node, however the cloud names it', [
      'Successfully assigned default/web-5d8f6c7b9-abcde to node-3',
      'Successfully assigned default/web-5d8f6c7b9-fghij to gke-prod-default-pool-1a2b3c4d-x7k2',
      'Successfully assigned default/web-5d8f6c7b9-pqrst to ip-10-0-1-17.ec2.internal',
      'Successfully assigned default/web-5d8f6c7b9-klmno to worker01',
    ]);
  });

  describe('proxies and relays: a backend by name or by address', () => {
    table([
      ['Forwarding request to backend-2 after 3 retries', 'Forwarding request to <host> after <number> retries'],
      ['Relaying message to mx-2 via smtp-relay-1', 'Relaying message to <host> via <host>'],
      ['Received 42 bytes from "sensor-12".', 'Received <size> from "<host>".'],
    ]);
    sameTemplate('one forwarding message whatever the backend', [
      'Forwarding request to backend-2 after 3 retries',
      'Forwarding request to 10.0.0.3:8080 after 3 retries',
      'Forwarding request to backend-2.svc.cluster.local after 3 retries',
      'Forwarding request to kafka-broker-12 after 3 retries',
    ]);
    differentTemplates('refused and timed out are two problems on any peer', [
      'Connection to node-7 refused',
      'Connection to node-7 timed out',
    ]);
  });

  describe('sshd: an anonymised address is still the client', () => {
    sameTemplate('a failed password from any client, shown or hidden', [
      'Failed password for invalid user admin from 203.0.113.9 port 4711 ssh2',
      'Failed password for invalid user admin from *** port 4711 ssh2',
      'Failed password for invalid user oracle from #12# port 52311 ssh2',
      'Failed password for invalid user test from [REDACTED] port 22 ssh2',
    ]);
  });

  describe('what stays: values of other kinds, names, causes', () => {
    table([
      ['upgrading from v1.2.3 to v1.2.4', 'upgrading from <version> to <version>'],
      ['Copying from /tmp/a to /srv/b', 'Copying from <path> to <path>'],
      ['heap increased to 512MB', 'heap increased to <number>MB'],
      ['copied to run_0042.log', 'copied to <path>'],
      ['moved to task_42', 'moved to <id>'],
      ['core dumped to core.31337', 'core dumped to core.<number>'],
      ['Replica 2 changed from 3 to 5', 'Replica <number> changed from <number> to <number>'],
      // names with digits that name things
      ['Received packet via eth1:', 'Received packet via eth1:'],
      ['switching protocols to HTTP/2', 'switching protocols to HTTP/<number>'],
      ['upstream timed out while connecting to upstream', 'upstream timed out while connecting to upstream'],
      // a cause, not a peer (Oracle clients)
      ['insert failed due to ORA-00942: table or view does not exist', 'insert failed due to ORA-<number>: table or view does not exist'],
      // other words before the name keep it a name (Consul's memberlist)
      ['memberlist: Suspect node-7 has failed, no acks received', 'memberlist: Suspect node-<number> has failed, no acks received'],
      // not a whole DNS label or NAME(unit)
      ['connect from unknown[192.0.2.4]', 'connect from unknown[<host>]'],
      ['moved to a-(3)', 'moved to a-(<number>)'],
    ]);
  });
});

describe('redaction markers: a hidden value is a value', () => {
  table([
    // pino's redact, Sentry's scrubber, Rails' filter_parameters
    ['Authorization: [REDACTED]', 'Authorization: <*>'],
    ['Parameters: {"user"=>{"email"=>"a@example.com", "password"=>"[FILTERED]"}}', 'Parameters: {"user"=>{"email"=>"<email>", "password"=>"<*>"}}'],
    ['set <hidden> and [Filtered] and [masked] and <scrubbed>', 'set <*> and <*> and <*> and <*>'],
    // a value between `#` signs, as anonymisers and template engines write it
    ['User #USER# logged in from #IP#', 'User <user> logged in from <host>'],
    ['Now running on #29#\'s privileges.', 'Now running on <*>\'s privileges.'],
    ['Processed #3# items', 'Processed <*> items'],
    // stars where a value is expected
    ['password=******** user=alice', 'password=<*> user=<*>'],
    ['Failed password for *** from 203.0.113.9 port 4711 ssh2', 'Failed password for <user> from <host> port <number> ssh2'],
  ]);
  describe('what is no redaction', () => {
    table([
      // stars as a banner, nginx's connection number, `#` between numbers
      ['******* Starting *******', '******* Starting *******'],
      ['2024/05/12 10:15:30 [error] 1234#1234: *5678 connect() failed', '<datetime> [error] <number>#<number>: *<number> connect() failed'],
      ['steps 10##20##30', 'steps <number>##<number>##<number>'],
      ['Processed #3#s items', 'Processed #<number>#s items'],
      ['[main] started in [worker] mode', '[main] started in [worker] mode'],
    ]);
  });
  sameTemplate('a login whatever the user, shown or hidden', [
    'User alice logged in',
    'User #29# logged in',
    'User *** logged in',
    'User <redacted> logged in',
  ]);
});
