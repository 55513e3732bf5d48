/**
 * The writes of one group commit, held in memory until the batch is committed. Reads consult it
 * first, so a process always sees its own writes whether or not they are committed yet.
 * Values are kept encoded as they will be stored: a read decodes a fresh copy (as a read from
 * SQLite would), so no caller can change a pending record by mutating what it got back.
 */
export interface PendingCompletion {
  key: string;
  parts: string;
  /** As completion-codec.ts encodes it. */
  completion: string | Buffer;
}

export interface PendingResult {
  runId: string;
  key: string;
  row: string;
}

export class WriteBatch {
  readonly completions = new Map<string, PendingCompletion>();
  /** By run id and row key; a Map keeps first-insertion order, as the upsert keeps the first rowid. */
  readonly results = new Map<string, PendingResult>();

  get size(): number {
    return this.completions.size + this.results.size;
  }

  addCompletion(entry: PendingCompletion): void {
    this.completions.set(entry.key, entry);
  }

  addResult(entry: PendingResult): void {
    this.results.set(`${entry.runId}\u0000${entry.key}`, entry);
  }

  completion(key: string): string | Buffer | undefined {
    return this.completions.get(key)?.completion;
  }

  clear(): void {
    this.completions.clear();
    this.results.clear();
  }
}
