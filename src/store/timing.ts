/**
 * CPU time spent inside store calls, summed over the process, for `npm run bench:overhead`'s
 * store share. Off by default: then timed() is one boolean test. When on, each call costs two
 * process.cpuUsage() reads (about a microsecond); they count the whole process, but during a
 * synchronous store call that is, to within GC helper threads, the store's own CPU.
 */
let measuring = false;
let spentUs = 0;

export function measureStoreCpu(on: boolean): void {
  measuring = on;
}

/** CPU milliseconds spent in store calls while measuring was on. */
export function storeCpuMs(): number {
  return spentUs / 1000;
}

export function timed<T>(work: () => T): T {
  if (!measuring) return work();
  const start = process.cpuUsage();
  try {
    return work();
  } finally {
    const used = process.cpuUsage(start);
    spentUs += used.user + used.system;
  }
}
