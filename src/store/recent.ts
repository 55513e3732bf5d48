import type { Completion } from '../backends/backend.ts';

/**
 * Completions this process wrote or read, frozen (shared-completion.ts) and handed out as they are
 * on every hit, least recently used dropped first once their encoded sizes add up to more than
 * `maxBytes`. A run reads back many completions it wrote minutes before (shared trace prefixes
 * across interventions, a property check's reruns): serving them from here saves a SQLite query
 * and a decode per hit.
 */
interface Entry {
  completion: Completion;
  /** Its size as stored, which is what the bound counts. */
  bytes: number;
}

export class RecentCompletions {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): Completion | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-inserted, so the Map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.completion;
  }

  /** Keeps `completion` (frozen by the caller) for `key`, or forgets `key` when it is undefined. */
  set(key: string, completion: Completion | undefined, bytes: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    if (completion === undefined || bytes > this.maxBytes) return;
    this.entries.set(key, { completion, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
