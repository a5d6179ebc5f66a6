/**
 * key=value, key:value, quoted values, logfmt and JSON messages (template/token.ts, template/structured.ts).
 * Examples after real log lines (PAM, PostgreSQL, Kafka, Prometheus/Go kit, Android, Spring, pino).
 */
import { describe } from 'node:test';
import { differentTemplates, sameTemplate, table } from './template-table.js';

describe('key=value keeps the key, and the value is <*> when it holds a value', () => {
  table([
    ['authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.45  user=backup', 'authentication failure; logname= uid=<*> euid=<*> tty=ssh ruser= rhost=<*> user=<*>'],
    ['[Consumer clientId=consumer-orders-1, groupId=orders] Resetting offset for partition orders-3', '[Consumer clientId=<*>, groupId=<*>] Resetting offset for partition orders-<number>'],
    ['connection authorized: user=postgres database=orders application_name=psql', 'connection authorized: user=<*> database=orders application_name=psql'],
    ['acquire wakelock=51234567, flags=0x2, tag="Sync Lock", name=com.example.app, source=null, uid=10042, pid=3141', 'acquire wakelock=<*>, flags=<*>, tag="<str>", name=<*>, source=<*>, uid=<*>, pid=<*>'],
    ['checkpoint complete: write=123.456 s, sync=0.012 s, total=123.500 s', 'checkpoint complete: write=<*> s, sync=<*> s, total=<*> s'],
    ['Added filter AM_PROXY_FILTER (class=org.example.web.AmIpFilter) to context static', 'Added filter AM_PROXY_FILTER (class=<*>) to context static'],
    // spaces around `=`
    ['screen brightness =120', 'screen brightness =<*>'],
    ['batchInsert() rows = 8,elapsed = 12', 'batchInsert() rows = <number>,elapsed = <number>'],
  ]);

  describe('a value with structure keeps it', () => {
    table([
      ['windowBounds=Rect(0, 48 - 1080, 2340), insets=Rect(0, 0 - 0, 96)', 'windowBounds=Rect(<number>, <number> - <number>, <number>), insets=Rect(<number>, <number> - <number>, <number>)'],
      ['Scheduling, available=<cpu:12, mem:-512>', 'Scheduling, available=<cpu:<*>, mem:<*>>'],
      ['Launching Intent { flg=0x10000000 bounds=[16,820][184,1011] }', 'Launching Intent { flg=<*> bounds=<*> }'],
      ['source=Source{10042}, uid=1000', 'source=<*>, uid=<*>'],
    ]);
  });
});

describe('key:value glued', () => {
  table([
    ['Rejected request sessionid:0x18f3a2b4c5d0001 type:delete cxid:0x2a zxid:0x200000031 err:-101 path:n/a', 'Rejected request sessionid:<*> type:delete cxid:<*> zxid:<*> err:<*> path:n/a'],
    ['onSample:1715508930000 12 0 3', 'onSample:<*> <number> <number> <number>'],
    ['Out of memory: Killed process 4321 (java) UID:1000 pgtables:9876kB', 'Out of memory: Killed process <number> (java) UID:<*> pgtables:<*>'],
  ]);
});

describe('quoted values', () => {
  table([
    // free text as a key's value is one value…
    ['tag="Sync Lock" name=mailer', 'tag="<str>" name=<*>'],
    ["I0512 10:15:30.123456 1234 kubelet.go:2145] \"SyncLoop (PLEG): event for pod\" pod=\"default/web-5d8f6c7b9-abcde\"", '<id> <time> <number> kubelet.go:<number>] "SyncLoop (PLEG): event for pod" pod="<str>"'],
    // …unless the key names a message, whose text is templated
    ['level=error ts=2024-05-12T10:15:30.123Z caller=main.go:123 msg="scrape failed after 30s" err="context deadline exceeded"', 'level=error ts=<*> caller=<*> msg="scrape failed after <number>s" err="context deadline exceeded"'],
    ['event="order 42 shipped to 10.0.0.1"', 'event="order <number> shipped to <host>"'],
    // quoted text that is not a key's value stays text
    ['FATAL:  password authentication failed for user "alice"', 'FATAL: password authentication failed for user "<user>"'],
    ['ERROR:  relation "users" does not exist at character 15', 'ERROR: relation "users" does not exist at character <number>'],
    ["Tomcat started on port(s): 8080 (http) with context path ''", "Tomcat started on port(s): <number> (http) with context path ''"],
  ]);
});

describe('logfmt', () => {
  sameTemplate('one logfmt event, different values', [
    'level=info method=GET path=/api/orders status=200 duration=12ms request_id=9b2c1d4e',
    'level=info method=GET path=/api/orders/42 status=201 duration=3.5s request_id=77aa01ff',
  ]);
  differentTemplates('different levels and methods are different events', [
    'level=info method=GET path=/api/orders status=200',
    'level=error method=GET path=/api/orders status=500',
    'level=info method=POST path=/api/orders status=200',
  ]);
});

describe('JSON messages are templated by their keys', () => {
  table([
    [
      '{"level":"error","time":1715508930123,"pid":4242,"hostname":"api-1","msg":"connection to 10.0.0.7:5432 refused","attempt":3}',
      '{"level":"error","time":"<*>","pid":"<*>","hostname":"<*>","msg":"connection to <host> refused","attempt":"<*>"}',
    ],
    [
      '{"@timestamp":"2024-05-12T10:15:30.123Z","log.level":"WARN","message":"Slow query took 1532 ms","service":{"name":"orders"},"tags":["db","db","slow"]}',
      '{"@timestamp":"<*>","log.level":"WARN","message":"Slow query took <number> ms","service":{"name":"<*>"},"tags":["db","slow"]}',
    ],
    // every key is a key, `__proto__` too
    ['{"__proto__":{"x":1},"constructor":"y","msg":"ok"}', '{"__proto__":{"x":"<*>"},"constructor":"y","msg":"ok"}'],
    // not JSON after all: templated as text
    ['{not json} 42', '{not json} <number>'],
    ['  {"msg":"x"}  ', '{"msg":"x"}'],
  ]);
  sameTemplate('one JSON event, different values', [
    '{"level":"warn","msg":"retrying request to 10.0.0.1 (attempt 1)","user":"alice","ok":false}',
    '{"level":"warn","msg":"retrying request to 10.0.0.9 (attempt 4)","user":"bob","ok":true}',
  ]);
  differentTemplates('JSON events differing in a constant field', [
    '{"level":"warn","msg":"disk almost full"}',
    '{"level":"error","msg":"disk almost full"}',
    '{"level":"error","msg":"disk full"}',
  ]);
});
