/**
 * Which cache keys a store may hold, so that a miss (every request of a fresh run asks the store
 * first) costs a Set lookup rather than a SQLite query on the event loop. Keys are sha256 hex: the
 * first 13 hex digits (52 bits) make an exact number, and two keys that share them only cost a
 * query. It holds every key in the file when it was loaded and every key put since; a key another
 * connection writes to the same file later is not seen, and is requested again, exactly as after
 * a lost batch (README.md: that costs model time, never correctness).
 */
export class KeyFilter {
  private readonly prefixes = new Set<number>();

  constructor(keys: Iterable<string>) {
    for (const key of keys) this.add(key);
  }

  add(key: string): void {
    this.prefixes.add(prefixOf(key));
  }

  mayHave(key: string): boolean {
    return this.prefixes.has(prefixOf(key));
  }
}

/** Keys that are not hex (none thinkprobe makes) all share -1: they are always looked up. */
function prefixOf(key: string): number {
  const n = Number.parseInt(key.slice(0, 13), 16);
  return Number.isNaN(n) ? -1 : n;
}
