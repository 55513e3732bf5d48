/**
 * The writes of one group commit, held in memory until the batch is committed. Reads consult it
 * first, so a process always sees its own writes whether or not they are committed yet.
 * Values are kept encoded as they will be stored: a read decodes them (frozen, as every hit is), so
 * no caller can change a pending record by mutating what it got back.
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
  /** The row's JSON; its trace is in `trace` when the trace codec could keep it exactly. */
  row: string;
  trace?: Buffer;
}

export class WriteBatch {
  readonly completions = new Map<string, PendingCompletion>();
  /** By run id and row key; a Map keeps first-insertion order, as the upsert keeps the first rowid. */
  readonly results = new Map<string, PendingResult>();

  /** About how many bytes a commit of this batch writes (strings by length). */
  bytes = 0;

  get size(): number {
    return this.completions.size + this.results.size;
  }

  addCompletion(entry: PendingCompletion): void {
    this.completions.set(entry.key, entry);
    this.bytes += entry.parts.length + entry.completion.length;
  }

  addResult(entry: PendingResult): void {
    this.results.set(`${entry.runId}\u0000${entry.key}`, entry);
    this.bytes += entry.row.length + (entry.trace?.length ?? 0);
  }

  completion(key: string): string | Buffer | undefined {
    return this.completions.get(key)?.completion;
  }

  clear(): void {
    this.completions.clear();
    this.results.clear();
    this.bytes = 0;
  }
}
