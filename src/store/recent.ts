import type { Completion } from '../backends/backend.ts';

/**
 * Completions this process wrote or read, least recently used dropped first once their stored
 * sizes add up to more than `maxBytes`. A run reads back many completions it wrote minutes before
 * (shared trace prefixes across interventions, a property check's reruns): serving them from here
 * saves a SQLite query per hit. An entry is the encoded completion until its first hit replaces it
 * with the decoded one, frozen (shared-completion.ts), which later hits hand out as it is.
 */
export type RecentValue = Completion | string | Buffer;

interface Entry {
  value: RecentValue;
  /** Its size as stored, which is what the bound counts. */
  bytes: number;
}

export class RecentCompletions {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): RecentValue | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Re-inserted, so the Map's order stays least recently used first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` for `key`; `bytes` defaults to an encoded value's own length. */
  set(key: string, value: RecentValue, bytes = encodedLength(value)): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.bytes;
      this.entries.delete(key);
    }
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
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

export function isEncoded(value: RecentValue): value is string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value);
}

function encodedLength(value: RecentValue): number {
  if (!isEncoded(value)) throw new Error('a decoded completion needs its stored size');
  return value.length;
}
