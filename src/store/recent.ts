/**
 * Completions this process wrote or read, kept encoded (as stored), least recently used dropped
 * first once they hold more than `maxBytes`. A run reads back many completions it wrote minutes
 * before (shared trace prefixes across interventions, a property check's reruns): serving them
 * from here saves a SQLite query per hit. Each hit still decodes a fresh copy, as a read from
 * SQLite would, so no caller can change what a later read returns.
 */
export class RecentCompletions {
  private readonly entries = new Map<string, string | Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): string | Buffer | undefined {
    const stored = this.entries.get(key);
    if (stored === undefined) return undefined;
    // Re-inserted, so the Map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, stored);
    return stored;
  }

  set(key: string, stored: string | Buffer): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.entries.delete(key);
    }
    if (stored.length > this.maxBytes) return;
    this.entries.set(key, stored);
    this.bytes += stored.length;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
