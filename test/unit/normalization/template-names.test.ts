/**
 * Names (template/names.ts): which words with digits name things (kept) and which identify instances
 * (masked); qualified names; literals. Messages in the formats of real software (Kafka, Kubernetes, YARN,
 * JVM, Node.js, systemd, sshd), with values of our own.
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('identifiers with digits are values', () => {
  table([
    ['Flushing chunk chunk_-8812763551 of segment seg_0042', 'Flushing chunk <id> of segment <id>'],
    ['Cached block cache_7_3 locally', 'Cached block <id> locally'],
    ['Assigned container container_e17_1715500000000_0007_01_000002 to task_1715500000000_0007_m_000003', 'Assigned container <id> to <id>'],
    ['no answer from any [rack_B7] datasource', 'no answer from any [<id>] datasource'],
    ['Volume volume17 is full', 'Volume <id> is full'],
    ['Resolved 7QX2KD9.corp.example.com to /rack-3', 'Resolved <host> to <path>'],
    ['Transaction 40415263_5372833512 opened by client UpdateAgent.', 'Transaction <id> opened by client UpdateAgent.'],
  ]);
});

describe('names with digits are kept', () => {
  table([
    ['allocating queues for eth0', 'allocating queues for eth0'],
    ['ssl3_read_bytes:tlsv1 alert unknown ca', 'ssl3_read_bytes:tlsv1 alert unknown ca'],
    ['loaded settings from metrics2.properties', 'loaded settings from metrics2.properties'],
    ['CPU: L2 cache: 1024K', 'CPU: L2 cache: <number>K'],
    ['Logging via org.slf4j.impl.Log4jLoggerAdapter', 'Logging via org.slf4j.impl.Log4jLoggerAdapter'],
    ['using aes256-gcm with sha512 over ipv6', 'using aes256-gcm with sha512 over ipv6'],
    ['Accepted publickey for deploy from 198.51.100.20 port 50022 ssh2', 'Accepted publickey for deploy from <host> port <number> ssh2'],
  ]);
});

describe('hyphenated names keep their leading words', () => {
  table([
    ['Scaling kafka-broker-3 down', 'Scaling kafka-broker-<number> down'],
    ['HikariPool-1 - Connection is not available', 'HikariPool-<number> - Connection is not available'],
    ['Offset commit failed on partition orders-7 at offset 123456', 'Offset commit failed on partition orders-<number> at offset <number>'],
    // a file name is one value
    ['Skipping current file report-002.xml', 'Skipping current file <path>'],
    ['Error loading solver_v2r1.bin: invalid program image', 'Error loading <path>: invalid program image'],
  ]);
});

describe('qualified names', () => {
  table([
    // Java classes and constants name code: kept
    ['Using queue class java.util.concurrent.LinkedBlockingQueue', 'Using queue class java.util.concurrent.LinkedBlockingQueue'],
    ['handleBroadcast action:com.example.intent.ACTION_SYNC', 'handleBroadcast action:com.example.intent.ACTION_SYNC'],
    // application ids and component names identify an app: values
    ['com.example.sync.daily: scheduler told me to run this job', '<id>: scheduler told me to run this job'],
    ['Starting activity: Intent { flg=0x10000000 cmp=com.example.chat/.ui.MainActivity }', 'Starting activity: Intent { flg=<*> cmp=<*> }'],
    ['location requested by app com.example.maps', 'location requested by app <id>'],
  ]);
});

describe('literals', () => {
  table([
    ['setVisible(true)', 'setVisible(<bool>)'],
    ['updateLayout overlap:false', 'updateLayout overlap:<*>'],
    ['Error returned from agent: (null)', 'Error returned from agent: (<null>)'],
    ['Exception in thread "main" java.lang.NullPointerException', 'Exception in thread "main" java.lang.NullPointerException'],
    // `undefined` is JavaScript's word, and a word
    ["TypeError: Cannot read properties of undefined (reading 'id')", "TypeError: Cannot read properties of undefined (reading 'id')"],
  ]);
});

describe('grouping', () => {
  sameTemplate('chunk ids of any sign and length', [
    'Deleting chunk chunk_3887 file /data/store/sub5/chunk_3887',
    'Deleting chunk chunk_-889827430273 file /data/store/sub18/chunk_-889827430273',
  ]);
  differentTemplates('interfaces and units are names, not values', ['link up on eth0', 'link up on eth1', 'link up on wlan0']);
});
