/**
 * Rules over several tokens (template/phrases.ts): cue words, request lines, repeats, lists, paths with
 * punctuation after them. Examples after real log lines (sshd, PAM, cron, nginx, HDFS, ntpd, ftpd).
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('the name after a cue word is a value', () => {
  table([
    ['Invalid user deployer from 198.51.100.77', 'Invalid user <user> from <host>'],
    ['input_userauth_request: invalid user ci7 [preauth]', 'input_userauth_request: invalid user <user> [preauth]'],
    ['session opened for user backup by (uid=0)', 'session opened for user <user> by (uid=<*>)'],
    ['pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)', 'pam_unix(sudo:session): session opened for user <user>(uid=<*>) by alice(uid=<*>)'],
    ['Accepted password for deploy from 203.0.113.5 port 52114 ssh2', 'Accepted password for <user> from <host> port <number> ssh2'],
    ['Starting worker 5 on host compute-07', 'Starting worker <number> on host <host>'],
    ['unable to qualify my own domain name (relay2) -- using short name', 'unable to qualify my own domain name (<host>) -- using short name'],
    ['Started domain guest_web01 on node node-9', 'Started domain <id> on node node-<number>'],
  ]);

  describe('not when the next word is a common word', () => {
    table([
      ['check pass; user unknown', 'check pass; user unknown'],
      ['user is not allowed to sudo', 'user is not allowed to sudo'],
      ['Failed password for invalid user admin from 10.0.0.1 port 22 ssh2', 'Failed password for invalid user <user> from <host> port <number> ssh2'],
      ['error in user parameter list', 'error in user parameter list'],
      ['host not found', 'host not found'],
      // a verb form is no name…
      ['User authenticated successfully', 'User authenticated successfully'],
      ['host rebooting now', 'host rebooting now'],
      // …unless the cue is certain
      ['Invalid user testing from 192.0.2.4', 'Invalid user <user> from <host>'],
      ['password for user alice changed', 'password for user <user> changed'],
    ]);
  });

  sameTemplate('one login failure whatever the account', [
    'Failed password for root from 192.0.2.61 port 40001 ssh2',
    'Failed password for git from 198.51.100.17 port 51515 ssh2',
    'Failed password for postgres from 203.0.113.250 port 62000 ssh2',
  ]);
});

describe('HTTP request lines', () => {
  table([
    ['192.0.2.33 "GET /v1/projects/7c1e/volumes/detail HTTP/1.1" status: 200 len: 2048 time: 0.1250000', '<host> "GET <path>" status: <number> len: <number> time: <number>'],
    ['"POST /api/orders?dry_run=1 HTTP/2.0" 201', '"POST <path>" <number>'],
    ['GET * HTTP/1.1', 'GET <path>'],
  ]);
  sameTemplate('one endpoint family whatever the path', [
    '192.0.2.33 "DELETE /v1/projects/7c1e/volumes/4c1d9e2a-7b3f-4a8e-b6d5-0e9f8a7b6c5d HTTP/1.1" status: 204 len: 0 time: 0.0900000',
    '192.0.2.34 "DELETE /v1/projects/91ab/volumes/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9 HTTP/1.1" status: 204 len: 0 time: 0.1100000',
  ]);
});

describe('repeats and missing names', () => {
  table([
    ['Authentication failed from 198.51.100.9 (198.51.100.9): Connection reset by peer', 'Authentication failed from <host>: Connection reset by peer'],
    ['connection from 198.51.100.3 (mail.example.net) at Tue Mar 12 08:30:00 2024', 'connection from <host> (<host>) at <datetime>'],
    ['connection from 198.51.100.4 () at Wed Mar 13 09:00:01 2024', 'connection from <host> (<host>) at <datetime>'],
  ]);
  sameTemplate('an address with or without its reverse-DNS name', [
    'connection from 198.51.100.3 (mail.example.net) at Tue Mar 12 08:30:00 2024',
    'connection from 198.51.100.4 () at Wed Mar 13 09:00:01 2024',
  ]);
});

describe('lists', () => {
  table([
    ['asking 192.0.2.18:7001 to drop  chunk_-51400724', 'asking <host> to drop <id>'],
    ['asking 192.0.2.19:7001 to drop  chunk_-85707803 chunk_91225574 chunk_-43930638', 'asking <host> to drop <id>'],
    ['waiting for replicas db14 db15 db16 db17', 'waiting for replicas <id>'],
    ['waiting for replicas node1 node2 node3', 'waiting for replicas <id>'],
    ['crashed (stack @0x7ff6a1b2c3d @0x7ff6a1b2f00 @0x7ff6a1c01a4 @0x401a2c @0x400f10 @0x400e00)', 'crashed (stack @<hex>)'],
    // numbers and short runs of hex are fields as often as lists: they stay
    ['PCI Interrupt Link [LNKA] (IRQs 5 7 9 10 11 14 15) *11', 'PCI Interrupt Link [LNKA] (IRQs <number> <number> <number> <number> <number> <number> <number>) *<number>'],
    ['register pair hi/lo: 0x0 0x26', 'register pair hi/lo: <hex> <hex>'],
    ['window (1080) (2340) visible true true', 'window (<number>) (<number>) visible <bool> <bool>'],
    ['peers [node17] [node18] [node19] ready', 'peers [<id>] ready'],
  ]);
  sameTemplate('a list of any length', [
    'asking 192.0.2.18:7001 to drop  chunk_-51400724',
    'asking 192.0.2.19:7001 to drop  chunk_-85707803 chunk_91225574 chunk_-43930638',
  ]);
});

describe('sentence punctuation after a value', () => {
  table([
    ['Retrying connect to server: rm-node-2:8032. Already tried 0 time(s)', 'Retrying connect to server: <host>. Already tried <number> time(s)'],
    ['DHCPREQUEST for 192.0.2.77 from 52:54:00:ab:cd:ef via eth1: unknown lease 192.0.2.77.', 'DHCPREQUEST for <host> from <id> via eth1: unknown lease <host>.'],
    // a final `.` followed by a lower-case word belongs to the value
    ['allocated /data/jobs/_tmp/part-00007. chunk_-17274751', 'allocated <path> <id>'],
    ['exec: error loading /home/alice/bin/run.exe: invalid or missing program image', 'exec: error loading <path>: invalid or missing program image'],
  ]);
});

describe('grouping', () => {
  differentTemplates('a cue never hides the message around it', [
    'session opened for user alice',
    'session closed for user alice',
    'password changed for user alice',
  ]);
});
