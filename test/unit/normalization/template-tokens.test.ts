/**
 * Rules inside one token (template/token.ts, template/segment.ts) that the other files do not show on their
 * own: how paths end, slashes, edges, long digit runs, call stacks, Unicode. Messages written for these tests.
 */
import { describe } from 'node:test';
import { sameTemplate, table } from './template-table.js';

describe('paths', () => {
  table([
    // a path runs across brackets and commas inside it, and stops at one it did not open
    ['copied /var/log/app/[2024-05-12_10,15,30]-run.log, done', 'copied <path>, done'],
    ['open(/etc/app/config.yaml): permission denied', 'open(<path>): permission denied'],
    ["removing device node '/dev/vcs2'", "removing device node '<path>'"],
    ['reading ~/.ssh/config and ./run.sh and ../lib/x.so', 'reading <path> and <path> and <path>'],
    ['written to C:\\ProgramData\\App\\log.txt', 'written to <path>'],
    // relative: two slashes or more with a dot; a file name with a number
    ['loaded config/app/settings.yaml', 'loaded <path>'],
    ['rotated app-2024.05.12.log', 'rotated <path>'],
    ['hi/lo and read/write stay words', 'hi/lo and read/write stay words'],
  ]);
});

describe('slashes, hyphens and stars', () => {
  table([
    ['mouse detected: PS/2', 'mouse detected: PS/<number>'],
    ['0/3 nodes are available', '<number>/<number> nodes are available'],
    // after a closing bracket a slash separates: no path starts there
    ['result [42]/done', 'result [<number>]/done'],
    // hyphens and stars at the ends stay
    ['stage -step-3 and *42', 'stage -step-<number> and *<number>'],
    ['---- begin ----', '---- begin ----'],
    // a currency or parameter sign stays before its number
    ['WHERE customer_id = $1 AND total > $42.50', 'WHERE customer_id = $<number> AND total > $<number>'],
  ]);
});

describe('long digit runs and hex words', () => {
  table([
    // more than twenty digits is a digest, not a quantity
    ['card serial 7F3E000000000000000000000001', 'card serial <hex>'],
    ['checksum (ffffffff) (deadbeef)', 'checksum (<number>) (<number>)'],
    ['added a facade', 'added a facade'],
  ]);
});

describe('call stacks on one line', () => {
  table([['called by com.example.wm.Animator.remove:2060 com.example.wm.Window.destroy:913 java.lang.Thread.run:748', 'called by <id>:<number>']]);
  sameTemplate('a stack of any depth', [
    'called by com.example.wm.Animator.remove:2060 com.example.wm.Window.destroy:913',
    'called by com.example.wm.Animator.remove:2060 com.example.os.Handler.dispatch:106 java.lang.Thread.run:748',
  ]);
});

describe('keys', () => {
  table([
    // a stray closing quote stays after the value
    ['release wakelock=51234567, tag="x", name=mailer", uid=1000', 'release wakelock=<*>, tag="<str>", name=<*>", uid=<*>'],
    // a key with digits is templated like any word
    ['band_5G:1 enabled', '<id>:<*> enabled'],
    ['REG0=0000ab01 REG1=00000000', 'REG0=<*> REG1=<*>'],
    // an empty value stays empty
    ['logname= uid=0 ruser= rhost=', 'logname= uid=<*> ruser= rhost='],
  ]);
});

describe('words of any script', () => {
  table([
    ['Verbindung zu 10.0.0.1 fehlgeschlagen: Zeitüberschreitung', 'Verbindung zu <host> fehlgeschlagen: Zeitüberschreitung'],
    ['подключение к серверу 10.0.0.1:5432 не удалось', 'подключение к серверу <host> не удалось'],
    ['接続に失敗しました 10.0.0.1', '接続に失敗しました <host>'],
    ['💥 boom 42 💥', '💥 boom <number> 💥'],
  ]);
});
