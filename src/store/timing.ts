/**
 * Time the event loop spends inside store calls, summed over the process. better-sqlite3 is
 * synchronous, so this is time no stream is being read: `npm run bench:overhead` reports it as the
 * store's share of thinkprobe's CPU. One performance.now() pair per call costs well under a
 * microsecond, cheap enough to leave on.
 */
let spentMs = 0;

export function storeTimeMs(): number {
  return spentMs;
}

export function timed<T>(work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    spentMs += performance.now() - start;
  }
}
