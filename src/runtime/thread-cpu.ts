/**
 * CPU time of log0's own threads, by name, for /metrics (log0_thread_cpu_seconds): which part of
 * a `log0 up` process is busy — the gateway's HTTP thread, the bus, the log store or the
 * processing services. Read from /proc (Linux); elsewhere nothing is reported.
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ): 100 on every architecture Node supports. */
const TICKS_PER_SECOND = 100;

/** The kernel's id of the calling thread, or null where /proc has no thread-self. */
export function currentThreadTid(): number | null {
  try {
    const link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    return Number.isSafeInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) thread `tid` of this process has used; null once it is gone. */
export function threadCpuSeconds(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): utime and stime are
    // the 14th and 15th of stat(5).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

const named = new Map<string, number>();

/** Names a thread of this process in the metric; a null tid (no /proc) is ignored. */
export function nameThread(name: string, tid: number | null): void {
  if (tid !== null) named.set(name, tid);
}

export function namedThreads(): ReadonlyMap<string, number> {
  return named;
}
