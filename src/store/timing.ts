/**
 * Time spent inside store calls, summed over the process, for `npm run bench:overhead`'s store
 * share. Off by default: then timed() is one boolean test. When on, each call costs two
 * performance.now() reads (tens of nanoseconds). Every store call is synchronous on the main
 * thread, so its wall time is its CPU time to within preemption (the OS running something else
 * mid-call) and GC helper threads; process.cpuUsage() would count those exactly, but its two
 * getrusage calls per store call cost a microsecond each time, a few percent of what the bench
 * measures, so the measurement would inflate what it measures.
 */
let measuring = false;
let spentMs = 0;

export function measureStoreCpu(on: boolean): void {
  measuring = on;
}

/** Milliseconds spent in store calls while measuring was on. */
export function storeCpuMs(): number {
  return spentMs;
}

export function timed<T>(work: () => T): T {
  if (!measuring) return work();
  const start = performance.now();
  try {
    return work();
  } finally {
    spentMs += performance.now() - start;
  }
}
