/**
 * The Kafka adapter's member fetcher, driven without a broker: a fake client records every Fetch
 * request and answers it as each test says; fake partition workers and a fake topic catalog stand
 * in for the member. What is checked: which requests go to which leader with which wait settings
 * (long poll, or the short wait after a trickle), and where the answers and errors end up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Consumer } from '@platformatic/kafka';
import type { FetchResult } from '../../src/bus/kafka/fetch.js';
import { MemberFetcher } from '../../src/bus/kafka/member-fetcher.js';
import { resolveKafkaOptions, type KafkaBusOptions, type ResolvedKafkaOptions } from '../../src/bus/kafka/options.js';
import type { PartitionWorker } from '../../src/bus/kafka/partition-worker.js';
import type { FetchedBatch } from '../../src/bus/kafka/records.js';
import type { TopicCatalog, TopicInfo } from '../../src/bus/kafka/topics.js';

/** The parts of a Fetch request the fetcher fills in (as fetchPartitions builds it). */
interface FetchRequest {
  node: number;
  maxWaitTime: number;
  minBytes: number;
  maxBytes: number;
  topics: Array<{ topicId: string; partitions: Array<{ partition: number; fetchOffset: bigint; partitionMaxBytes: number }> }>;
}

/** Per partition: the sizes of the record values to return from the offset asked, or an error code. */
type PartitionAnswer = number[] | { errorCode: number };
/** By topic id, then partition; partitions left out are not in the response. */
type Answer = Record<string, Record<number, PartitionAnswer>>;

interface Call {
  node: number;
  maxWaitTime: number;
  minBytes: number;
  /** "topicId:partition@offset" per partition asked, in request order. */
  asked: string[];
  request: FetchRequest;
  at: number;
  settled: boolean;
  respond(answer: Answer): void;
  fail(err: Error): void;
}

function batchOf(offset: number, sizes: number[]): FetchedBatch {
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: sizes.length - 1,
    attributes: 0,
    firstTimestamp: 0n,
    maxTimestamp: 0n,
    records: sizes.map((size, i) => ({ offsetDelta: i, timestampDelta: 0n, key: null, value: Buffer.alloc(size, 0x61), headers: [] })),
  };
}

function responseTo(request: FetchRequest, answer: Answer) {
  return {
    responses: request.topics
      .filter((t) => answer[t.topicId])
      .map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions
          .filter((p) => answer[t.topicId][p.partition] !== undefined)
          .map((p) => {
            const a = answer[t.topicId][p.partition];
            const offset = Number(p.fetchOffset);
            if (!Array.isArray(a)) {
              return { partitionIndex: p.partition, errorCode: a.errorCode, highWatermark: -1n, logStartOffset: -1n, records: undefined };
            }
            return {
              partitionIndex: p.partition,
              errorCode: 0,
              highWatermark: BigInt(offset + a.length),
              logStartOffset: 0n,
              records: a.length > 0 ? [batchOf(offset, a)] : undefined,
            };
          }),
      })),
  };
}

/** Records every fetch; answers from `script` (in order), then leaves calls pending for the test. */
class FakeClient {
  readonly calls: Call[] = [];
  readonly script: Array<Answer | Error> = [];

  fetch(request: FetchRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const call: Call = {
        node: request.node,
        maxWaitTime: request.maxWaitTime,
        minBytes: request.minBytes,
        asked: request.topics.flatMap((t) => t.partitions.map((p) => `${t.topicId}:${p.partition}@${p.fetchOffset}`)),
        request,
        at: performance.now(),
        settled: false,
        respond: (answer) => {
          assert.equal(call.settled, false, 'a fetch is answered once');
          call.settled = true;
          resolve(responseTo(request, answer));
        },
        fail: (err) => {
          assert.equal(call.settled, false, 'a fetch is answered once');
          call.settled = true;
          reject(err);
        },
      };
      this.calls.push(call);
      const next = this.script.shift();
      if (next instanceof Error) call.fail(next);
      else if (next) call.respond(next);
    });
  }

  pending(): Call[] {
    return this.calls.filter((c) => !c.settled);
  }
}

/** Stands in for a PartitionWorker: wants data from `position` (null: does not), as the real one. */
class FakeWorker {
  inFetch = false;
  currentEpoch = 0;
  readonly fetched: Array<{ epoch: number; from: number; offsets: number[]; sizes: number[]; next: number }> = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    public position: number | null,
    readonly topicId = `id-${topic}`,
  ) {}

  fetchPosition(): number | null {
    return this.inFetch ? null : this.position;
  }

  onFetched(epoch: number, from: number, result: FetchResult): void {
    this.fetched.push({
      epoch,
      from,
      offsets: result.records.map((r) => r.offset),
      sizes: result.records.map((r) => r.value.length),
      next: result.next,
    });
    // As the real worker: a result asked under an older epoch (before a seek) does not move it.
    if (this.position !== null && epoch === this.currentEpoch) this.position = result.next;
  }
}

/**
 * peek answers from `cached`; get(topic, true) loads `cluster` into `cached` ('pending': never
 * answers). invalidate is only recorded: the cached leaders stay, so the next fetch needs no reload.
 */
class FakeCatalog {
  readonly cached = new Map<string, TopicInfo>();
  readonly cluster = new Map<string, TopicInfo | 'pending'>();
  readonly gets: Array<[string, boolean]> = [];
  readonly invalidated: string[] = [];

  peek(name: string): TopicInfo | undefined {
    return this.cached.get(name);
  }

  get(name: string, refresh = false): Promise<TopicInfo> {
    this.gets.push([name, refresh]);
    const info = this.cluster.get(name);
    if (info === 'pending') return new Promise(() => {});
    if (!info) return Promise.reject(new Error(`unknown topic "${name}"`));
    this.cached.set(name, info);
    return Promise.resolve(info);
  }

  invalidate(name?: string): void {
    this.invalidated.push(name ?? '*');
  }
}

/** A topic's info with the given leader per partition. */
function topicInfo(name: string, ...leaders: number[]): TopicInfo {
  return { name, id: `id-${name}`, partitions: leaders.map((leader) => ({ leader, leaderEpoch: 0 })) };
}

function setup(workers: FakeWorker[], overrides: Partial<KafkaBusOptions> = {}) {
  const warnings: Array<{ message: string; err: unknown }> = [];
  const options: ResolvedKafkaOptions = resolveKafkaOptions({
    brokers: ['127.0.0.1:9092'],
    clientId: 'test',
    fetchMaxWaitMs: 500,
    fetchMaxBytesPerPartition: 1000,
    fetchTrickleMinBytes: 100,
    fetchTrickleMaxWaitMs: 20,
    retryBackoff: { initialMs: 20, maxMs: 1000 },
    onWarning: (message, err) => warnings.push({ message, err }),
    ...overrides,
  });
  const client = new FakeClient();
  const catalog = new FakeCatalog();
  const outOfRange: Array<[FakeWorker, number, number]> = [];
  const fetcher = new MemberFetcher({
    groupId: 'g',
    client: client as unknown as Consumer,
    topics: catalog as unknown as TopicCatalog,
    options,
    workers: () => workers as unknown as PartitionWorker[],
    outOfRange: (worker, offset, epoch) => outOfRange.push([worker as unknown as FakeWorker, offset, epoch]),
  });
  return { fetcher, client, catalog, options, warnings, outOfRange };
}

/** Waits (event-loop turns, bounded by time) until `condition` holds. */
async function until(condition: () => boolean, what: string, limitMs = 1000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Lets queued microtasks and immediates run (enough for a poke to reach the client). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the first fetch long-polls, asks every wanting partition of the leader at once, and delivers to each worker under the epoch it asked with', async () => {
  const w0 = new FakeWorker('t', 0, 5);
  const w1 = new FakeWorker('t', 1, 10);
  const idle = new FakeWorker('t', 2, null); // its buffer is full: not asked
  w0.currentEpoch = 3;
  w1.currentEpoch = 7;
  const { fetcher, client, catalog } = setup([w0, w1, idle]);
  catalog.cached.set('t', topicInfo('t', 1, 1, 1));

  fetcher.poke();
  fetcher.poke(); // coalesced
  await until(() => client.calls.length === 1, 'the first fetch');
  await settle();
  assert.equal(client.calls.length, 1, 'one request for the leader');
  const [call] = client.calls;
  assert.equal(call.node, 1);
  assert.equal(call.maxWaitTime, 500, 'long poll: fetchMaxWaitMs');
  assert.equal(call.minBytes, 1, 'long poll: any record answers');
  assert.deepEqual(call.asked, ['id-t:0@5', 'id-t:1@10']);
  assert.deepEqual(
    call.request.topics[0].partitions.map((p) => p.partitionMaxBytes),
    [1000, 1000],
    'fetchMaxBytesPerPartition per partition',
  );
  assert.equal(w0.inFetch, true, 'the asked workers are marked in fetch');
  assert.equal(idle.inFetch, false);

  // A seek while the fetch is in flight: the answer still carries the epoch it was asked under,
  // so the worker can drop it as stale.
  w0.currentEpoch = 4;
  call.respond({ 'id-t': { 0: [3, 4], 1: [5] } });
  await until(() => w0.fetched.length === 1 && w1.fetched.length === 1, 'the records delivered');
  assert.deepEqual(w0.fetched, [{ epoch: 3, from: 5, offsets: [5, 6], sizes: [3, 4], next: 7 }]);
  assert.deepEqual(w1.fetched, [{ epoch: 7, from: 10, offsets: [10], sizes: [5], next: 11 }]);
  assert.deepEqual(idle.fetched, []);

  // The fetcher goes on at once from where the workers now are.
  await until(() => client.calls.length === 2, 'the next fetch');
  assert.deepEqual(client.calls[1].asked, ['id-t:0@5', 'id-t:1@11'], 'w0 dropped the stale result; w1 goes on');
  fetcher.stop();
});

test('after a trickle the next fetch waits briefly for fetchTrickleMinBytes; after enough bytes, or none, it long-polls again', async () => {
  const w = new FakeWorker('t', 0, 0);
  const { fetcher, client, catalog } = setup([w]);
  catalog.cached.set('t', topicInfo('t', 1));
  const LONG = { maxWaitTime: 500, minBytes: 1 };
  const SHORT = { maxWaitTime: 20, minBytes: 100 };
  const settings = (c: Call) => ({ maxWaitTime: c.maxWaitTime, minBytes: c.minBytes });

  client.script.push(
    { 'id-t': { 0: [30, 20] } }, // 50 bytes: a trickle
    { 'id-t': { 0: [150] } }, // ≥ 100: not a trickle
    { 'id-t': { 0: [60, 39] } }, // 99: a trickle
    { 'id-t': { 0: [] } }, // nothing came: a quiet spell
    { 'id-t': { 0: [40, 60] } }, // exactly 100: enough
  );
  fetcher.poke();
  await until(() => client.calls.length === 6, 'six fetches');
  assert.deepEqual(client.calls.map(settings), [LONG, SHORT, LONG, SHORT, LONG, LONG]);
  assert.deepEqual(
    client.calls.map((c) => c.asked[0]),
    ['id-t:0@0', 'id-t:0@2', 'id-t:0@3', 'id-t:0@5', 'id-t:0@5', 'id-t:0@7'],
  );
  assert.deepEqual(
    w.fetched.map((f) => f.sizes),
    [[30, 20], [150], [60, 39], [], [40, 60]],
  );
  fetcher.stop();
});

test('the trickle wait is per leader, and counts the bytes of all partitions of the fetch', async () => {
  const a0 = new FakeWorker('t', 0, 0);
  const a1 = new FakeWorker('t', 1, 0);
  const b = new FakeWorker('t', 2, 0);
  const { fetcher, client, catalog } = setup([a0, a1, b]);
  catalog.cached.set('t', topicInfo('t', 1, 1, 2));

  fetcher.poke();
  await until(() => client.calls.length === 2, 'a fetch per leader');
  const byNode = (node: number) => client.calls.filter((c) => c.node === node);
  byNode(1)[0].respond({ 'id-t': { 0: [10] } }); // 10 bytes from broker 1: a trickle
  byNode(2)[0].respond({ 'id-t': { 2: [500] } }); // plenty from broker 2
  await until(() => byNode(1).length === 2 && byNode(2).length === 2, 'the second fetches');
  assert.deepEqual([byNode(1)[1].maxWaitTime, byNode(1)[1].minBytes], [20, 100], 'broker 1 trickled');
  assert.deepEqual([byNode(2)[1].maxWaitTime, byNode(2)[1].minBytes], [500, 1], 'broker 2 did not');

  // 60 + 50 bytes over two partitions of one fetch: 110 ≥ 100, not a trickle.
  byNode(1)[1].respond({ 'id-t': { 0: [60], 1: [50] } });
  await until(() => byNode(1).length === 3, 'the third fetch from broker 1');
  assert.deepEqual([byNode(1)[2].maxWaitTime, byNode(1)[2].minBytes], [500, 1]);
  fetcher.stop();
});

test('a failed fetch is reported naming the broker, forgets the trickle, and is retried after the backoff with a long poll', async () => {
  const w = new FakeWorker('t', 0, 0);
  // A backoff long enough that a slow, loaded machine cannot pass it before the check below.
  const { fetcher, client, catalog, warnings } = setup([w], { retryBackoff: { initialMs: 150, maxMs: 1000 } });
  catalog.cached.set('t', topicInfo('t', 3));

  client.script.push({ 'id-t': { 0: [10] } }); // a trickle: the next fetch waits briefly
  fetcher.poke();
  await until(() => client.calls.length === 2, 'the fetch after the trickle');
  assert.deepEqual([client.calls[1].maxWaitTime, client.calls[1].minBytes], [20, 100]);

  const boom = new Error('connection reset');
  const failedAt = performance.now();
  client.calls[1].fail(boom);
  await until(() => warnings.length === 1, 'the warning');
  assert.match(warnings[0].message, /^kafka bus: group g: fetch from broker 3 failed \(1×\): .*connection reset.*; retrying in 300 ms$/);
  assert.equal(warnings[0].err, boom);
  assert.deepEqual(catalog.invalidated, ['t'], 'the leader may have moved: metadata is reloaded');
  assert.equal(w.inFetch, false);

  // Backoff: initialMs × 2 after the first failure. No retry a third of the way into it…
  fetcher.poke();
  await sleep(Math.max(0, failedAt + 100 - performance.now()));
  assert.equal(client.calls.length, 2, 'no retry before the backoff');
  // …and the retry comes once it has passed.
  await until(() => client.calls.length === 3, 'the retry');
  assert.ok(client.calls[2].at - failedAt >= 295, `retried after ${(client.calls[2].at - failedAt).toFixed(1)} ms, not ≥ 300 ms`);
  assert.equal(client.calls[2].node, 3);
  assert.deepEqual(client.calls[2].asked, ['id-t:0@1'], 'the same offset again');
  assert.deepEqual(
    [client.calls[2].maxWaitTime, client.calls[2].minBytes],
    [500, 1],
    'the retry long-polls: its first record comes at once',
  );
  assert.deepEqual(w.fetched.map((f) => f.offsets), [[0]], 'nothing delivered from the failed fetch');
  fetcher.stop();
});

test('one fetch in flight per leader: a poke meanwhile asks nothing more of it, while another leader is fetched concurrently', async () => {
  const a = new FakeWorker('t', 0, 0);
  const b = new FakeWorker('t', 1, 0);
  const late = new FakeWorker('t', 2, null); // led by broker 1 too; wants data only later
  const { fetcher, client, catalog } = setup([a, b, late]);
  catalog.cached.set('t', topicInfo('t', 1, 2, 1));

  fetcher.poke();
  await until(() => client.calls.length === 2, 'a fetch per leader');
  assert.deepEqual(
    client.calls.map((c) => [c.node, c.asked]).sort(),
    [
      [1, ['id-t:0@0']],
      [2, ['id-t:1@0']],
    ],
    'both leaders asked concurrently, each for its own partitions',
  );

  late.position = 100; // now wants data, but broker 1 is busy
  fetcher.poke();
  await settle();
  fetcher.poke();
  await settle();
  assert.equal(client.calls.length, 2, 'no second request to a leader with a fetch in flight');

  client.calls.find((c) => c.node === 1)!.respond({ 'id-t': { 0: [] } });
  await until(() => client.calls.length === 3, 'the next fetch from broker 1');
  assert.equal(client.calls[2].node, 1);
  assert.deepEqual(client.calls[2].asked, ['id-t:0@0', 'id-t:2@100'], 'the waiting partition joins the next one');
  assert.equal(client.pending().filter((c) => c.node === 2).length, 1, 'broker 2 still has just its one fetch');
  fetcher.stop();
});

test('per-partition errors: out of range goes to outOfRange, another error reloads the topic and warns, the other partitions are delivered', async () => {
  const oor = new FakeWorker('t', 0, 7);
  const moved = new FakeWorker('u', 0, 3);
  const fine = new FakeWorker('t', 1, 20);
  const { fetcher, client, catalog, warnings, outOfRange } = setup([oor, moved, fine]);
  catalog.cached.set('t', topicInfo('t', 1, 1));
  catalog.cached.set('u', topicInfo('u', 1));

  client.script.push({ 'id-t': { 0: { errorCode: 1 }, 1: [5, 5] }, 'id-u': { 0: { errorCode: 6 } } });
  fetcher.poke();
  await until(() => client.calls.length === 1 && outOfRange.length > 0, 'the answer handled');
  await settle();
  assert.deepEqual(client.calls[0].asked, ['id-t:0@7', 'id-t:1@20', 'id-u:0@3'], 'one request, both topics');

  assert.equal(outOfRange.length, 1);
  assert.equal(outOfRange[0][0], oor);
  assert.equal(outOfRange[0][1], 7, 'the offset that was asked');
  assert.equal(outOfRange[0][2], 0, 'the epoch it was asked under');
  assert.deepEqual(oor.fetched, [], 'an out-of-range partition gets no records');

  assert.deepEqual(catalog.invalidated, ['u'], 'only the topic whose leader moved is reloaded');
  assert.deepEqual(moved.fetched, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /^kafka bus: group g: fetching u\/0 at 3 failed: NOT_LEADER_OR_FOLLOWER; retrying$/);

  assert.deepEqual(fine.fetched, [{ epoch: 0, from: 20, offsets: [20, 21], sizes: [5, 5], next: 22 }]);
  assert.deepEqual([oor.inFetch, moved.inFetch, fine.inFetch], [false, false, false]);
  fetcher.stop();
});

test('an out-of-range answer for a worker that a seek moved during the fetch is dropped', async () => {
  const w = new FakeWorker('t', 0, 5);
  const { fetcher, client, catalog, outOfRange } = setup([w]);
  catalog.cached.set('t', topicInfo('t', 1));

  fetcher.poke();
  await until(() => client.calls.length === 1, 'the fetch');
  w.currentEpoch = 1; // a seek to another offset while the fetch at 5 is in flight
  client.calls[0].respond({ 'id-t': { 0: { errorCode: 1 } } });
  await until(() => client.calls[0].settled, 'the answer');
  await settle();
  assert.deepEqual(outOfRange, [], 'the reset would undo the seek');
  fetcher.stop();
});

test('a partition whose leader is unknown is not fetched; its topic metadata is reloaded, and it is fetched once a leader is known', async () => {
  const known = new FakeWorker('t', 0, 0);
  const uncached = new FakeWorker('b', 0, 4); // no metadata cached
  const leaderless = new FakeWorker('c', 0, 9); // cached, but no leader (election under way)
  const { fetcher, client, catalog } = setup([known, uncached, leaderless]);
  catalog.cached.set('t', topicInfo('t', 1));
  catalog.cached.set('c', topicInfo('c', -1));
  catalog.cluster.set('b', topicInfo('b', 2));
  catalog.cluster.set('c', 'pending'); // the reload does not answer during the test

  fetcher.poke();
  await until(() => client.calls.length >= 1, 'the first fetch');
  assert.equal(client.calls[0].node, 1);
  assert.deepEqual(client.calls[0].asked, ['id-t:0@0'], 'only the partition with a known leader');
  assert.deepEqual(catalog.gets.slice().sort(), [
    ['b', true],
    ['c', true],
  ]);

  // The reload names broker 2 as b's leader: b is fetched from it.
  await until(() => client.calls.length === 2, 'the fetch after the reload');
  assert.equal(client.calls[1].node, 2);
  assert.deepEqual(client.calls[1].asked, ['id-b:0@4']);

  fetcher.poke();
  await settle();
  assert.equal(catalog.gets.filter(([name]) => name === 'c').length, 1, 'one reload at a time per topic');
  assert.ok(
    client.calls.every((c) => c.asked.every((p) => !p.startsWith('id-c:'))),
    'the leaderless partition is never fetched',
  );
  assert.equal(leaderless.inFetch, false);
  fetcher.stop();
});

test('after stop(), poke() starts no fetch', async () => {
  const w = new FakeWorker('t', 0, 0);
  const { fetcher, client, catalog } = setup([w]);
  catalog.cached.set('t', topicInfo('t', 1));
  fetcher.stop();
  fetcher.poke();
  await settle();
  assert.equal(client.calls.length, 0);
});

test('a fetch answered after stop() is followed by no other, and its failure is not reported', async () => {
  const a = new FakeWorker('t', 0, 0);
  const b = new FakeWorker('t', 1, 0);
  const { fetcher, client, catalog, warnings } = setup([a, b], { retryBackoff: { initialMs: 1, maxMs: 1 } });
  catalog.cached.set('t', topicInfo('t', 1, 2));
  fetcher.poke();
  await until(() => client.calls.length === 2, 'a fetch per leader');

  fetcher.stop();
  client.calls[0].respond({ 'id-t': { 0: [1], 1: [1] } });
  client.calls[1].fail(new Error('connection reset'));
  await sleep(10); // past the 1 ms backoff of the failed one (initialMs × 2, capped at maxMs)
  fetcher.poke();
  await settle();
  assert.equal(client.calls.length, 2, 'nothing fetched after stop');
  assert.deepEqual(warnings, [], 'a failure after stop is not worth a warning');
});
