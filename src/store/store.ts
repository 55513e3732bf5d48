import type { RunMeta } from '../core/model.ts';
import type { Completion, CompletionRequest } from '../backends/backend.ts';

/**
 * The run store: one SQLite file per run folder (better-sqlite3). It is what makes runs resumable:
 * every completion is written the moment it arrives and committed with the next group commit (a
 * few milliseconds later, see README.md), so rerunning an interrupted run replays finished nodes
 * from here and sends only the rest to the model.
 * Implemented by sqlite-store.ts; the engine depends on this interface only.
 */

/** Everything that determines a completion; its hash is the cache key. */
export interface CompletionKeyParts {
  /** Model name and digest (a re-pulled model must not hit old entries). */
  model: string;
  digest: string;
  request: CompletionRequest;
  /**
   * Keeps repeated samples apart: two samples of the same prompt with sampling on must never
   * collapse into one cached answer, so each sample index has its own namespace.
   */
  namespace: string;
}

/** What is recorded about a run when it begins: part of the core model. */
export type { RunMeta };

/** One result row: problem x intervention x sample. The engine defines its shape. */
export type ResultRow = Record<string, unknown> & { key: string };

export interface Store {
  readonly file: string;
  cacheKey(parts: CompletionKeyParts): string;
  /** Sees every put of this process at once, committed or not. */
  getCompletion(key: string): Completion | undefined;
  /**
   * Visible to getCompletion on return; committed by the next group commit (within the store's
   * flush interval, or at once when the batch is full), by flush() or close(), or at process exit.
   * A process killed before that loses this batch only; a resumed run requests it again.
   */
  putCompletion(key: string, parts: CompletionKeyParts, completion: Completion): void;
  /** Creates the run record, or returns the existing one when resuming the same run id. */
  beginRun(meta: RunMeta): RunMeta;
  finishRun(runId: string, status: 'completed' | 'failed' | 'interrupted'): void;
  /** Upserts by row key, so a resumed run rewrites rows rather than duplicating them. */
  putResult(runId: string, row: ResultRow): void;
  results(runId: string): ResultRow[];
  /** Totals for cost accounting and progress: entries, hits and misses this session. */
  cacheStats(): { entries: number; hits: number; misses: number };
  /** Commits every write made so far in one transaction: on return they survive a killed process. */
  flush(): void;
  /** Flushes, then closes the file. */
  close(): void;
}
