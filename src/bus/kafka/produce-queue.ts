/**
 * The producer's queue of produce calls and how they are packed into requests (pure logic, no
 * I/O). Calls waiting while a request is in flight go out together in the next one, so concurrent
 * callers share a round trip; a request holds at most maxBatchBytes per partition (one Kafka
 * record batch each) and maxRequestBytes in all, so a large call may span several requests.
 * Records are taken strictly in arrival order, which keeps each partition's order.
 */
import type { RecordPosition } from '../port.js';
import type { OutgoingRecord } from './records.js';

export interface ProduceCall {
  topic: string;
  records: OutgoingRecord[];
  /** Index of the first record not yet taken into a request. */
  next: number;
  /** Records taken but not yet acknowledged, plus those not yet taken. */
  remaining: number;
  positions: RecordPosition[];
  settled: boolean;
  resolve: (positions: RecordPosition[]) => void;
  reject: (error: Error) => void;
}

export interface PlannedRecord {
  call: ProduceCall;
  index: number;
}

export interface Limits {
  maxBatchBytes: number;
  maxRequestBytes: number;
}

export class ProduceQueue {
  private calls: ProduceCall[] = [];
  private bytes = 0;

  get size(): number {
    return this.calls.length;
  }

  /** Bytes of the records queued and not yet taken into a request. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Queues a call. `onQueued` receives it, e.g. to set a deadline with expire(); the promise
   * settles when every record is acknowledged or the call fails.
   */
  add(topic: string, records: OutgoingRecord[], onQueued?: (call: ProduceCall) => void): Promise<RecordPosition[]> {
    return new Promise((resolve, reject) => {
      if (records.length === 0) return resolve([]);
      for (const record of records) this.bytes += record.size;
      const call: ProduceCall = {
        topic,
        records,
        next: 0,
        remaining: records.length,
        positions: new Array<RecordPosition>(records.length),
        settled: false,
        resolve,
        reject,
      };
      this.calls.push(call);
      onQueued?.(call);
    });
  }

  /**
   * Fails a call whose caller stops waiting, queued or in flight: `error(inFlight)` says whether
   * some of its records had gone out (their outcome is then unknown; a later acknowledgement of
   * the request skips the call). Its records still queued are dropped. True if it failed the call.
   */
  expire(call: ProduceCall, error: (inFlight: boolean) => Error): boolean {
    if (call.settled) return false;
    this.fail(call, error(call.next > 0));
    return true;
  }

  /**
   * Takes the next request's records off the queue, oldest first. Stops at the first record that
   * would overflow its partition's batch or the request (unless the request is still empty, so an
   * oversized record still goes out, alone).
   */
  take(limits: Limits): PlannedRecord[] {
    const planned: PlannedRecord[] = [];
    const perPartition = new Map<string, number>();
    let total = 0;
    outer: for (const call of this.calls) {
      while (call.next < call.records.length) {
        const record = call.records[call.next];
        const key = partitionKey(call.topic, record.partition);
        const inPartition = perPartition.get(key) ?? 0;
        const fits = inPartition + record.size <= limits.maxBatchBytes && total + record.size <= limits.maxRequestBytes;
        if (!fits && planned.length > 0) break outer;
        perPartition.set(key, inPartition + record.size);
        total += record.size;
        this.bytes -= record.size;
        planned.push({ call, index: call.next });
        call.next++;
      }
    }
    this.calls = this.calls.filter((call) => call.next < call.records.length);
    return planned;
  }

  /**
   * Records a request's success: `baseOffsets` maps "topic\0partition" to the offset Kafka gave
   * the request's first record on that partition. Resolves the calls now fully acknowledged.
   */
  acknowledge(planned: PlannedRecord[], baseOffsets: Map<string, number>): void {
    const nextOffset = new Map<string, number>();
    for (const { call, index } of planned) {
      const { partition } = call.records[index];
      const key = partitionKey(call.topic, partition);
      const base = baseOffsets.get(key);
      const offset = nextOffset.get(key) ?? base;
      if (offset !== undefined) nextOffset.set(key, offset + 1);
      if (call.settled) continue;
      if (offset === undefined) {
        this.fail(
          call,
          new Error(`kafka bus: produce to "${call.topic}": no offset acknowledged for partition ${partition}`),
        );
        continue;
      }
      call.positions[index] = { topic: call.topic, partition, offset };
      if (--call.remaining === 0) {
        call.settled = true;
        call.resolve(call.positions);
      }
    }
  }

  /** Rejects every call with records in a failed request, dropping their records still queued. */
  failRequest(planned: PlannedRecord[], error: (call: ProduceCall) => Error): void {
    for (const { call } of planned) if (!call.settled) this.fail(call, error(call));
  }

  /** Rejects everything still queued (the bus is closing). */
  failAll(error: (call: ProduceCall) => Error): void {
    for (const call of this.calls) if (!call.settled) this.fail(call, error(call));
    this.calls = [];
  }

  private fail(call: ProduceCall, error: Error): void {
    for (let i = call.next; i < call.records.length; i++) this.bytes -= call.records[i].size;
    call.next = call.records.length;
    call.settled = true;
    call.reject(error);
    this.calls = this.calls.filter((c) => c !== call);
  }
}

/** Offsets within one request: records of a partition get consecutive offsets from its base. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
