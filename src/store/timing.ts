/**
 * CPU time spent inside store calls, summed over the process, for `npm run bench:overhead`'s store
 * share. Off by default: then timed() is one boolean test. When on, one call in SAMPLE, chosen at
 * random, is measured with two process.cpuUsage() reads and counts SAMPLE times: an unbiased
 * estimate of the total at a quarter of the cost of measuring every call (two getrusage calls,
 * about a microsecond, on each of some 15,000 store calls of a request-heavy run). They count the
 * whole process, but during a synchronous store call that is, to within GC helper threads, the
 * store's own CPU. Wall time (performance.now) would cost less still, but a loaded machine
 * preempts the process mid-call: measured at a load of 11 on 2 cores, it doubled the share.
 */
const SAMPLE = 4;

let measuring = false;
let spentUs = 0;
/** What a measured call with no work in it reads, taken off each measured call. */
let overheadUs = 0;

export function measureStoreCpu(on: boolean): void {
  if (on && !measuring) overheadUs = emptyCallUs();
  measuring = on;
}

/**
 * The CPU two cpuUsage() reads count around nothing (scaled SAMPLE times it would show): the lowest
 * of a few means, as the first reads also pay for compiling the call.
 */
function emptyCallUs(): number {
  const tries = 200;
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let sum = 0;
    for (let i = 0; i < tries; i++) {
      const used = process.cpuUsage(process.cpuUsage());
      sum += used.user + used.system;
    }
    best = Math.min(best, sum / tries);
  }
  return best;
}

/** CPU milliseconds spent in store calls while measuring was on (an estimate, see above). */
export function storeCpuMs(): number {
  return spentUs / 1000;
}

export function timed<T>(work: () => T): T {
  if (!measuring || Math.random() * SAMPLE >= 1) return work();
  const start = process.cpuUsage();
  try {
    return work();
  } finally {
    const used = process.cpuUsage(start);
    spentUs += Math.max(0, used.user + used.system - overheadUs) * SAMPLE;
  }
}
