/**
 * Properties of messageTemplate that hold for every message: a pure, deterministic function (same template
 * in any order, on a fresh module), idempotent (a template is its own template), placeholders are fixed
 * points, it never throws, and generic templates only differ from log0's by the placeholders' names.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { genericTemplate, messageTemplate, TEMPLATE_PLACEHOLDERS } from '../../../src/services/normalization/template.js';
import { seededRandom } from '../../support/seeded-random.js';

/** Realistic messages of many shapes (written for these tests). */
const CORPUS = [
  'Connection timeout to payment-gateway after 30000ms',
  'GET /api/v1/orders/0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 completed with status 200 in 45ms from 10.42.7.19',
  'Failed password for invalid user deployer from 198.51.100.77 port 40122 ssh2',
  'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root',
  'connection from 198.51.100.4 () at Wed Mar 13 09:00:01 2024',
  'Authentication failed from 198.51.100.9 (198.51.100.9): Connection reset by peer',
  '192.0.2.33 "GET /v1/projects/7c1e/volumes/detail HTTP/1.1" status: 200 len: 2048 time: 0.1250000',
  'tunnel 192.0.2.1:443 closed, 2048 bytes (2.00 KB) sent, 3100 bytes (3.03 KB) received, open <1 sec',
  'asking 192.0.2.19:7001 to drop  chunk_-85707803 chunk_91225574 chunk_-43930638',
  'Receiving chunk chunk_-5623 src: /192.0.2.75:53725 dest: /192.0.2.76:7001',
  'acquire wakelock=51234567, flags=0x2, tag="Sync Lock", name=com.example.app, source=null, uid=10042, pid=3141',
  'release wakelock=51234567, flg=0x0, tag="*sync*", name=mailer", source=Source{10042}, uid=1000, pid=1702',
  'setWindowFlags flags=80800000 mask=ffffffff windowBounds=Rect(0, 48 - 1080, 2340)',
  'Scheduling, available=<cpu:12, mem:-512>',
  'level=error ts=2024-05-12T10:15:30.123Z caller=main.go:123 msg="scrape failed after 30s" target=http://10.0.0.5:9100/metrics',
  '{"level":"error","time":1715508930123,"msg":"connection to 10.0.0.7:5432 refused","tags":["db","slow"],"ok":false}',
  '[2024-05-12 10:15:30,123] INFO [GroupCoordinator 1]: Preparing to rebalance group orders (reason: Adding new member consumer-1-9f8e7d6c-1234-5678-9abc-def012345678)',
  '2024/05/12 10:15:30 [error] 1234#1234: *5678 connect() failed (111: Connection refused) while connecting to upstream, client: 192.168.1.10',
  '192.168.1.10 - - [12/May/2024:10:15:30 +0000] "GET /index.html HTTP/1.1" 200 612 "-" "curl/8.5.0"',
  'Self test: memory.........0 errors',
  'Device "sda2" is in the failed state (id=1973)',
  'com.example.sync.daily: scheduler told me to run this job; however, the start time is in 3600 seconds.  Ignoring.',
  'copyFile name is [2024-05-12_10,15,30.123456]-report-002.pcap, source path:/var/log/capture/[2024-05-12_10,15,30.123456]-report-002.pcap, dest path:/srv/x',
  'Removing view View(name=Popup:4f2a9c1) called by com.example.wm.Animator.remove:2060 com.example.wm.Animator.removeLocked:913',
  'Radio config: band_5G:1, mode_5g:0, band_2G:1, mode_2g:0',
  'wlan0::Interface::postMessage bssid changed',
  '00000001@2024/5/12:10:15:30.455 Boot (kernel.dll version 2.3.0.1) invoked (trace @0x7ff6a1b2c3d @0x7ff6a1b2f00 @0x7ff6a1c01a4 @0x401a2c @0x400f10)',
  'Read package applicability for package: Package_for_KB5034441~5a1c0e9b7d3f2e11~arm64~~10.0.1.2, State: 112',
  'Unloading hive: {0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}ROOT/Device/Volume2/config/SYSTEM',
  'dailyTotals = 1715508930000##812##53000##901',
  'reloadTotals1715508930000|381|0|0',
  'Kernel command line: ro root=UUID=4c1d9e2a quiet',
  'Output: null-10.0.0.1 , x true  false NULL None nil',
  'versions 1.2 1.2.3 v2 v2.0 6.1.0-18-amd64 x86_64 sha256 log4j ssl3_read_bytes eth0 node-7 kafka-broker-2:9092',
  'synchronized to LOCAL(0), stratum 10; relayed from "#3#" via node-7 to *** due to ORA-00942 [REDACTED] <redacted>',
  '',
  '   ',
  '((((((]]]]]]',
  'a=b=c=d=e',
  '<number> <host> (<host>) <*> uid=<*> "<str>" <null>-<host>',
];

/** Random messages made of fragments real messages are made of, and of bare punctuation. */
const FRAGMENTS = [
  'user', 'host', 'for', 'password', 'name', 'domain', 'Jan', 'Sun', 'GET', 'HTTP/1.1', '10.0.0.1', '10.0.0.1:80', '::1',
  '0x1f', 'true', 'null', 'bytes', 'KB', 'sec', '42', '-5', '3.14', '1.2.3', 'blk_-1', 'node-7', 'eth0', 'a.b.com', 'com.x.y',
  'to', 'from', 'via', 'LOCAL(0)', '#3#', '***', '[REDACTED]', '<hidden>',
  '/var/log/x', 'C:\\x', 'http://a/b', 'a@b.com', 'msg="', 'x=', '=', ':', '.', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>',
  '"', "'", '|', '#', '@', '*', '-', '_', '/', '\\', '~', '%', '+', '$', '!', '?', ' ', ' ', ' ', '\t', 'é', '💥',
];

/**
 * Random messages: fragments glued into tokens (`glue` of the time) or separated by spaces. Glued fragments
 * make tokens no program writes; idempotence is asked of messages made of whole tokens.
 */
function randomMessages(count: number, seed: number, glue = 0.5): string[] {
  const random = seededRandom(seed);
  const messages: string[] = [];
  for (let k = 0; k < count; k++) {
    let message = '';
    const length = 1 + Math.floor(random() * 24);
    for (let i = 0; i < length; i++) message += (i > 0 && random() >= glue ? ' ' : '') + FRAGMENTS[Math.floor(random() * FRAGMENTS.length)];
    messages.push(message);
  }
  return messages;
}

describe('messageTemplate properties', () => {
  test('deterministic: the same message gives the same template, in any order', () => {
    const messages = [...CORPUS, ...randomMessages(500, 1)];
    const forward = messages.map((m) => messageTemplate(m));
    const random = seededRandom(2);
    const order = messages.map((_, i) => i).sort(() => random() - 0.5);
    const shuffled = new Map(order.map((i) => [i, messageTemplate(messages[i])]));
    for (let i = 0; i < messages.length; i++) assert.equal(shuffled.get(i), forward[i], JSON.stringify(messages[i]));
  });

  test('the same template on a fresh copy of the module (nothing learnt from earlier messages)', async () => {
    const fresh = (await import(`../../../src/services/normalization/template.js?fresh=${Date.now()}`)) as { messageTemplate: (m: string) => string };
    for (const message of CORPUS) assert.equal(fresh.messageTemplate(message), messageTemplate(message));
  });

  test('idempotent: a template is its own template', () => {
    for (const message of [...CORPUS, ...randomMessages(3000, 3, 0)]) {
      const template = messageTemplate(message);
      assert.equal(messageTemplate(template), template, `${JSON.stringify(message)} → ${JSON.stringify(template)}`);
    }
  });

  test('placeholders are fixed points', () => {
    for (const placeholder of TEMPLATE_PLACEHOLDERS) {
      for (const message of [placeholder, `x ${placeholder} y`, `(${placeholder})`, `k=${placeholder}`, `${placeholder}:${placeholder}`, `"${placeholder}"`]) {
        assert.equal(messageTemplate(message), message);
      }
    }
  });

  test('never throws, and never lengthens white space', () => {
    for (const message of randomMessages(5000, 4)) {
      const template = messageTemplate(message);
      assert.equal(typeof template, 'string');
      assert.doesNotMatch(template, /\s\s|^\s|\s$/);
    }
  });

  test('a template without placeholders is the message with its white space normalized', () => {
    for (const message of ['no variables here', 'Starting TrustedInstaller main loop.', 'check pass; user unknown', '  a \t b  ']) {
      assert.equal(messageTemplate(message), message.trim().split(/\s+/).join(' '));
    }
  });

  test('the generic template differs from log0\'s only by placeholder names', () => {
    for (const message of CORPUS) {
      const template = messageTemplate(message);
      const generic = genericTemplate(template);
      const unnamed = template.replace(/<number>[A-Za-z]*|<[a-z*]+>/g, '<*>');
      assert.equal(generic, unnamed);
    }
  });
});
