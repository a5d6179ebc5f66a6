/**
 * Values made of digits (template/numbers.ts, template/segment.ts): numbers, hex, versions, clocks and dates,
 * sizes and durations. Messages in the formats of real software (JVM GC, PostgreSQL, the Linux kernel,
 * Kafka, Elasticsearch, nginx, Go kit), with values of our own.
 */
import { describe } from 'node:test';
import { sameTemplate, table } from './template-table.js';

describe('numbers', () => {
  table([
    ['Committed offset 4.0 for task 12.0 (attempt 3)', 'Committed offset <number> for task <number> (attempt <number>)'],
    ['Consumer lag is : 0.0731', 'Consumer lag is : <number>'],
    ['CPU0: Core temperature above threshold (92C), cpu clock throttled', 'CPU0: Core temperature above threshold (<number>C), cpu clock throttled'],
    ['leader election took - 412', 'leader election took - <number>'],
    ['maxIdleTime set to -1', 'maxIdleTime set to <number>'],
    // A number glued after a word is a word's part; after a `.` or `-`, a value of its own.
    ['core dumped to core.31337', 'core dumped to core.<number>'],
    ['node node-12 is ready', 'node node-<number> is ready'],
    // Dot leaders separate the label from its value.
    ['Self test: memory.........0 errors', 'Self test: memory.........<number> errors'],
    ['disk check ..........3', 'disk check ..........<number>'],
  ]);
});

describe('hex', () => {
  table([
    ['page fault at 0x7f3a9c2b1000, code 0x14', 'page fault at <hex>, code <hex>'],
    ['Established session 0x18f3a2b4c5d0001 with negotiated timeout 30000', 'Established session <hex> with negotiated timeout <number>'],
    // Without 0x, hex digits are a number: the same field prints 00000008 and 0000000d.
    ['pc 00401a2c sp 7ffe81c0', 'pc <number> sp <number>'],
    ['window flags=80800000 mask=ffffffff', 'window flags=<*> mask=<*>'],
    ['Image 9f2c4e1a0b7d3f5e8c6a4b2d1e0f9a8b7c6d5e4f cached', 'Image <hex> cached'],
  ]);
  sameTemplate('a hex field with and without letters', ['object 00000005 created', 'object 0000000d created', 'object 003a91fc created']);
});

describe('versions', () => {
  table([
    ['Linux version 6.1.0-18-amd64 (gcc version 12.2.0)', 'Linux version <version> (gcc version <version>)'],
    ['Elasticsearch v8.13.4 started', 'Elasticsearch <version> started'],
    ['jetty-9.4.53', 'jetty-<version>'],
    ['Running agent v2.14.0.1812', 'Running agent <version>'],
    // two dotted numbers are a decimal number
    ['SMBIOS 3.2 present.', 'SMBIOS <number> present.'],
  ]);
});

describe('clocks and dates', () => {
  table([
    ['uptime 03:12', 'uptime <time>'],
    ['[09:41:07.512] render thread stalled', '[<time>] render thread stalled'],
    ['connection from 198.51.100.3 (mail.example.net) at Tue Mar 12 08:30:00 2024', 'connection from <host> (<host>) at <datetime>'],
    ['Build date: Thu Feb 29 23:59:59 UTC 2024)', 'Build date: <datetime>)'],
    ['database system was shut down at 2024-05-12 10:15:30 UTC', 'database system was shut down at <datetime>'],
    ['[2024-05-12 10:15:30,123] INFO [GroupCoordinator 1]: Stabilized group orders', '[<datetime>] INFO [GroupCoordinator <number>]: Stabilized group orders'],
    ['2024/05/12 10:15:30 [error] 1234#1234: *5678 open() failed', '<datetime> [error] <number>#<number>: *<number> open() failed'],
    ['ts=2024-05-12T10:15:30.123Z level=info', 'ts=<*> level=info'],
    ['expires 2024-05-12T10:15:30+02:00', 'expires <datetime>'],
    ['Running audit from 2024-05-12 05:00:00 to 2024-05-12 06:00:00.', 'Running audit from <datetime> to <datetime>.'],
    ['192.0.2.10 - - [12/May/2024:10:15:30 +0000] "GET /index.html HTTP/1.1" 200 612', '<host> - - [<datetime>] "GET <path>" <number> <number>'],
  ]);
});

describe('sizes and durations', () => {
  table([
    ['Cached segment (estimated size 6.4 KB, free 12.5 KB)', 'Cached segment (estimated size <size>, free <size>)'],
    ['heap size 31.9 GB, compressed ordinary object pointers [true]', 'heap size <size>, compressed ordinary object pointers [<bool>]'],
    ['upload done, 2048 bytes (2.00 KB) sent, 3100 bytes (3.03 KB) received, elapsed <1 sec', 'upload done, <size> sent, <size> received, elapsed <time>'],
    // units of time stay, after a number of their own
    ['Took 19.05 seconds to build the image.', 'Took <number> seconds to build the image.'],
    ['duration: 1532.456 ms  statement: COMMIT', 'duration: <number> ms statement: COMMIT'],
    // units glued to numbers stay glued
    ['[PSYoungGen: 65536K->10720K(76288K)] 65536K->10728K(251392K), 0.0123456 secs]', '[PSYoungGen: <number>K-><number>K(<number>K)] <number>K-><number>K(<number>K), <number> secs]'],
  ]);
  sameTemplate('a size with or without its restatement, a span of time in either form', [
    'tunnel 192.0.2.1:443 closed, 0 bytes sent, 0 bytes received, open 00:01',
    'tunnel 192.0.2.1:443 closed, 2048 bytes (2.00 KB) sent, 3100 bytes (3.03 KB) received, open <1 sec',
    'tunnel mail.example.org:993 closed, 512 bytes sent, 20480 bytes (20.0 KB) received, open 01:07:37',
  ]);
});
