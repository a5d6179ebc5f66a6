/**
 * Message templates: a log message with its variable values masked, so that logs differing only in ids,
 * addresses, names and quantities share one template, and therefore one fingerprint and one incident.
 *
 * messageTemplate is a pure function of the message: no state, no dictionary learnt from other messages, the
 * same template for the same message on any process, in any order, after any restart. It runs in time linear
 * in the message's length (no regular expression on the hot path, bounded look-ahead), and templating a
 * template gives the same template.
 *
 * Placeholders (PLACEHOLDER, TEMPLATE_PLACEHOLDERS) name what they replaced; a placeholder met in a message
 * stays as it is, so no rule reads one as a value:
 *   <uuid>     0191f3a2-7c4e-7b1a-9c1d-2b3c4d5e6f70 (also glued: `req_<uuid>`)
 *   <host>     a network endpoint — IPv4, IPv6 or DNS name, with its port if any: 10.0.0.7, ::1,
 *              db.example.com, 10.0.0.7:5432, [2001:db8::1]:443, /10.0.0.7:5432 (Java's InetSocketAddress),
 *              kafka-broker-2:9092. One placeholder for all of them, because one field of one message carries
 *              any of them (`connection from 203.0.113.7` / `from mail.example.org`).
 *   <number>   42, -5, 0.25, 1e-9, and hex digits without 0x (003a90fc: the same field prints 00000008); a
 *              unit glued to a number stays: 30000ms → <number>ms, 512MB → <number>MB, 87% → <number>%
 *   <hex>      0x1f, and hex digests longer than 16 digits
 *   <id>       identifiers with digits that name no thing: chunk_-8812763551, task_20240512_0007_m_000042,
 *              volume17, 7QX2KD9, application ids (com.example.mobile) and their deep links
 *              (com.example.mobile://item/7), hardware and PCI addresses
 *   <path>     /var/log/app.log, ~/x, ./run, C:\Temp\x, \\server\share, a/b/c.txt, run_0042.log
 *   <url>      https://example.com/x?y=1, jdbc:postgresql://db:5432/app
 *   <email>    alice@example.com
 *   <datetime> 2024-05-12T10:15:30Z, 2024-05-12 10:15:30,123, Sun Jul 3 10:05:25 2005,
 *              [12/May/2024:10:15:30 +0000], 2024/05/12 10:15:30
 *   <time>     10:15:30.123, 00:02 (a clock or a span), <1 sec
 *   <size>     512 MB, 4096 bytes, 18846 bytes (18.4 KB)
 *   <version>  v1.2.3, 1.2.3, 6.1.0-18-amd64
 *   <str>      free text quoted as a key's value: tag="Sync Lock" → tag="<str>"
 *   <user>     user alice, invalid user admin, password for root, user=bob
 *   <bool>     true, false       <null>  null, nil, None
 *   <*>        any value of a key: uid=0 → uid=<*>, ts=2024-05-12T10:15:30Z → ts=<*>
 * genericTemplate maps them to `<*>` for comparison with log parsers (bench:grouping).
 *
 * The rules, in the order they apply (template/ holds one module per family, each documented):
 *
 *  1. Structured messages (structured.ts). A message that is a JSON object is templated by its keys: the
 *     object's shape and keys stay, message-like fields (msg, message, error, reason, …) are templated as
 *     messages, other values are <*> unless a constant word (`"level":"error"`); arrays keep their distinct
 *     item templates. Logfmt needs no rule of its own: it is key=value pairs (rule 4).
 *  2. Tokens (index.ts). The message is split on white space; the template joins the tokens with one space
 *     (`boot  (command 1911)` → `boot (command <number>)`).
 *  3. Phrases over several tokens (phrases.ts):
 *     - dates and times written with spaces → <datetime>: `Sun Jul 3 10:05:25 2005`, `Jul 3 10:05:25`,
 *       `2024-05-12 10:15:30.123 UTC`, `2024/05/12 10:15:30`, `[12/May/2024:10:15:30 +0000]`;
 *     - a number and a unit of data → <size> (`512 MB`, `4096 bytes`), with its restatement in other units
 *       (`18846 bytes (18.4 KB)`); a bound on a duration → <time> (`<1 sec`); units of time stay
 *       (`took 160 ms` → `took <number> ms`);
 *     - an HTTP request line: target and protocol are one value (`"GET /a?b=1 HTTP/1.1"` → `"GET <path>"`);
 *     - the name after a cue word: `user X`, `password for X` → <user>; `host X`, `hostname X`,
 *       `host name (X)`, `domain name X` → <host>; `domain X` → <id> (not when X is a common word: `user
 *       unknown`, `user is`, nor a verb form unless the cue is certain: `User authenticated`, but
 *       `invalid user testing`);
 *     - `key="text with spaces"` → `key="<str>"`, or the text templated when the key names a message
 *       (`msg="db timeout after 5s"` → `msg="db timeout after <number>s"`);
 *     - a value repeated in parentheses is one value (`10.0.0.1 (10.0.0.1):` → `<host>:`), and empty
 *       parentheses after an address are its missing name (`from 10.0.0.2 ()` → `from <host> (<host>)`, like
 *       `from 10.0.0.1 (db.example.org)`);
 *     - names differing only by their number in a row are a list (`node1 node2 node3` → <id>);
 *     - peers (peers.ts): the one token after `to`, `from` or `via` (not after `due`) written as a host name
 *       without a domain holding a number (`node-7`, `web01`), a device with its unit (`LOCAL(0)`, ntpd's
 *       reference clocks) or a redaction marker is the other end, <host>, as an address there is;
 *     - stars (`***`) are a redacted value only where a value is expected: a peer, a cue word's name, a
 *       key's value (`password=****`); elsewhere they are a banner and stay.
 *     Cue words, units and months are closed lists of common English and computing vocabulary.
 *  4. One token (token.ts). Hard delimiters `= , ; ( ) [ ] { } < > " ' | # @` stay and split the token into
 *     segments. A path or URL runs on across them to the end of the token (`/logs/[2017-07-03]-a.txt`), but
 *     not past a bracket it did not open nor trailing punctuation. `local@domain.tld` → <email>.
 *     `key=value`: the key stays; the value (up to `,` `;` `=` or a bracket it did not open) is templated, and
 *     when it holds any value at all it is written <*> (the key says what it is: `uid=<*>`, `clientId=<*>`);
 *     words stay (`level=error`, `tty=ssh`) except for keys naming users, hosts or things (`user=`, `rhost=`,
 *     `name=`, `pkg=`, and ids: `groupId=`, `request_id=`); a stray quote after it stays; qualified names
 *     (`class=com.example.Foo`), `Name{…}` with digits and numbers in brackets (`bounds=[0,48][720,1208]`)
 *     are one value; a value that opens a bracket (`Rect(0, 0 - 720, 1280)`, `<cpu:2, mem:512>`) keeps its
 *     structure. `key:value` glued (`session:0x14ed`) likewise. Redaction markers are values, <*>
 *     (peers.ts): `[REDACTED]`, `[Filtered]`, `<redacted>`, `<masked>`, `<hidden>`, `[SCRUBBED]`, and a word or
 *     number between `#` signs (`#3#`).
 *  5. One segment (segment.ts), first match wins:
 *     - an ISO date-time, a URL (an app's deep link, `com.example.app://…`, is an <id>), UUIDs, an endpoint
 *       (network.ts), a hardware or PCI address, an absolute path, a host name (by its top-level domain:
 *       `db.example.com`, not `java.io.File` nor `com.example.App`);
 *     - dot leaders separate (`memory check......0` → `memory check......<number>`);
 *     - numbers (numbers.ts): a number with a sign, decimals or exponent → <number>; three dotted parts or
 *       more → <version> (`1.2.3`, `v1.2`, `6.1.0-18-amd64`); `0x…` → <hex>; hex digits without 0x → <number>
 *       (<hex> beyond 16 digits, and any run of more than 20 digits); a clock → <time>; a unit glued to a
 *       number stays (`<number>ms`);
 *     - parts joined by `:` — `key:value` with an identifier key, or each part on its own
 *       (`Class::method`); numbers joined by `-` or `/` each on their own (`1-10`, `0/3`, `PS/2` →
 *       `PS/<number>`); two slashes or more with a dot: a relative path;
 *     - names (names.ts): the leading words of a hyphenated name stay (`node-129` → `node-<number>`,
 *       `kafka-broker-1` → `kafka-broker-<number>`), unless it is a file name; the leading names of a dotted
 *       name stay (`core.2275` → `core.<number>`); Java classes and constants stay
 *       (`org.example.kafka.clients.NetworkClient`, `com.example.intent.ACTION_SYNC`), application ids do not
 *       (`com.example.mobile` → <id>), nor component names (`com.example/.MainActivity` → <id>);
 *     - words with digits that name things stay: a word and one digit (`eth0`, `ssh2`, `tty1`, `metrics2`),
 *       a letter and a digit (`L2`, `v2`), one digit inside (`log4j`, `Log4jLoggerAdapter`), such parts
 *       joined by `_` or `-` (`ssl3_read_bytes`, `aes256-gcm`), well-known names (`sha256`, `x86_64`, `utf8`,
 *       `int64`, `ipv6`); any other identifier with a digit → <id> (`chunk_-1`, `part_2_0`, `rack_B7`,
 *       `volume17`); a file name with one → <path>;
 *     - true/false → <bool>, null/nil/None → <null>; eight hex letters or more → <number> (`ffffffff`).
 *  6. Lists (phrases.ts, after the rest): a run of the same identifier-like token is one (`chunk_1 chunk_2
 *     chunk_3` → <id>; a stack of `com.example.Foo.bar:12` frames → `<id>:<number>`); of hex numbers from
 *     five on (an address stack); of numbers never (`IRQs 3 4 5` are fields as often as a list); a
 *     comma-separated list of addresses or ids in one token is one (`10.0.0.1,10.0.0.2` → <host>).
 *
 * Sentence punctuation (`. , ; : ! ?`) after a value stays outside it, except a final `.` followed by a
 * lower-case word, which belongs to the value (`/tmp/part-00007. chunk_1` → `<path> <id>`). Plain English
 * words always stay, whatever their place. A `/` after a closing bracket separates rather than starts a path.
 *
 * No rule names a product or detects where a log comes from: the rules are the vocabulary of logging (keys,
 * units, addresses, cue words), one configuration for every source (a test guards this). Their effect is
 * measured by `npm run bench:grouping`.
 *
 * Not masked on purpose: words without digits in free text (a cue word must introduce them), units, HTTP
 * methods, log levels, exception class names, constants in UPPER_CASE.
 */
export { messageTemplate } from './template/index.js';
export { genericTemplate, PLACEHOLDER, TEMPLATE_PLACEHOLDERS } from './template/placeholders.js';
export type { PlaceholderKind } from './template/placeholders.js';
