import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Completion } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import type { CompletionKeyParts, ResultRow, RunMeta, Store } from './store.ts';

/**
 * The run store on better-sqlite3. Crash safety comes from SQLite itself: WAL journal, and every
 * put is a single statement, i.e. its own transaction, committed before the call returns.
 *
 * synchronous = FULL: in WAL mode NORMAL already survives a killed process (kill -9, Ctrl-C,
 * OOM), but a power loss or kernel panic may roll back the last commits. FULL fsyncs the WAL on
 * every commit, so a completion is durable against that too the moment putCompletion returns.
 * The price is one fsync per completion, negligible next to a completion that took the model
 * seconds to minutes to produce.
 */

/** Bump when the tables change; add a step to MIGRATIONS that takes the previous version to it. */
export const SCHEMA_VERSION = 1;

/** Bump when what goes into a cache key changes, so old entries stop matching instead of lying. */
const CACHE_KEY_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE completions (
      key TEXT PRIMARY KEY,
      parts TEXT NOT NULL,
      completion TEXT NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE runs (
      run_id TEXT PRIMARY KEY,
      meta TEXT NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT
    );
    CREATE TABLE results (
      run_id TEXT NOT NULL REFERENCES runs(run_id),
      key TEXT NOT NULL,
      row TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (run_id, key)
    );
  `,
};

/**
 * JSON with object keys sorted at every level, so equal values hash equally whatever order their
 * fields were built in. Array order is kept (it means something, e.g. stop strings). `undefined`
 * fields are dropped as JSON.stringify does; non-finite numbers are refused (JSON would turn them
 * into null and two different requests would collide).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError('cache key', `expected finite numbers, got ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new InputError('cache key', `expected JSON values, got ${typeof value}`);
}

export function cacheKeyOf(parts: CompletionKeyParts): string {
  const keyed = { v: CACHE_KEY_VERSION, model: parts.model, digest: parts.digest, namespace: parts.namespace, request: parts.request };
  return createHash('sha256').update(canonicalJson(keyed)).digest('hex');
}

class SqliteStore implements Store {
  private readonly db: Database.Database;
  private hits = 0;
  private misses = 0;
  private closed = false;
  private readonly stmt: {
    get: Database.Statement<[string], { completion: string }>;
    put: Database.Statement<[string, string, string, string]>;
    count: Database.Statement<[], { n: number }>;
    getRun: Database.Statement<[string], { meta: string }>;
    insertRun: Database.Statement<[string, string, string]>;
    reopenRun: Database.Statement<[string]>;
    finishRun: Database.Statement<[string, string, string]>;
    putResult: Database.Statement<[string, string, string, string]>;
    results: Database.Statement<[string], { row: string }>;
  };

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file);
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (error) {
      if (error instanceof InputError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new InputError(file, `expected a thinkprobe store (SQLite database) that can be opened for writing: ${why}`);
    }
    const db = this.db;
    this.stmt = {
      get: db.prepare('SELECT completion FROM completions WHERE key = ?'),
      put: db.prepare(
        'INSERT INTO completions (key, parts, completion, created_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET parts = excluded.parts, completion = excluded.completion',
      ),
      count: db.prepare('SELECT count(*) AS n FROM completions'),
      getRun: db.prepare('SELECT meta FROM runs WHERE run_id = ?'),
      insertRun: db.prepare("INSERT INTO runs (run_id, meta, status, started_at) VALUES (?, ?, 'running', ?) ON CONFLICT(run_id) DO NOTHING"),
      reopenRun: db.prepare("UPDATE runs SET status = 'running', finished_at = NULL WHERE run_id = ?"),
      finishRun: db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?'),
      putResult: db.prepare(
        'INSERT INTO results (run_id, key, row, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(run_id, key) DO UPDATE SET row = excluded.row, updated_at = excluded.updated_at',
      ),
      results: db.prepare('SELECT row FROM results WHERE run_id = ? ORDER BY rowid'),
    };
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new InputError(this.file, `written by a newer thinkprobe (store schema v${current}); this version reads up to v${SCHEMA_VERSION}`);
    }
    for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version];
      if (step === undefined) throw new Error(`missing store migration to v${version}`);
      // Schema change and version bump commit together, so a crash mid-migration leaves the old version.
      this.db.transaction(() => {
        this.db.exec(step);
        this.db.pragma(`user_version = ${version}`);
      })();
    }
  }

  cacheKey(parts: CompletionKeyParts): string {
    return cacheKeyOf(parts);
  }

  getCompletion(key: string): Completion | undefined {
    const row = this.stmt.get.get(key);
    if (row === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return parseJson<Completion>(row.completion, `${this.file}: completions[${key}]`);
  }

  putCompletion(key: string, parts: CompletionKeyParts, completion: Completion): void {
    // One statement = one transaction: committed (and, with synchronous=FULL, fsynced) on return.
    this.stmt.put.run(key, JSON.stringify(parts), JSON.stringify(completion), new Date().toISOString());
  }

  beginRun(meta: RunMeta): RunMeta {
    return this.db.transaction((): RunMeta => {
      const existing = this.stmt.getRun.get(meta.runId);
      if (existing !== undefined) {
        this.stmt.reopenRun.run(meta.runId);
        return parseJson<RunMeta>(existing.meta, `${this.file}: runs[${meta.runId}]`);
      }
      this.stmt.insertRun.run(meta.runId, JSON.stringify(meta), meta.startedAt);
      return meta;
    }).immediate();
  }

  finishRun(runId: string, status: 'completed' | 'failed' | 'interrupted'): void {
    const changed = this.stmt.finishRun.run(status, new Date().toISOString(), runId).changes;
    if (changed === 0) throw new InputError(`${this.file}: runs`, `no run '${runId}' to finish (beginRun first)`);
  }

  putResult(runId: string, row: ResultRow): void {
    if (typeof row.key !== 'string' || row.key === '') throw new InputError(`result row of run '${runId}'`, 'expected a non-empty string key');
    this.stmt.putResult.run(runId, row.key, JSON.stringify(row), new Date().toISOString());
  }

  results(runId: string): ResultRow[] {
    return this.stmt.results.all(runId).map((r) => parseJson<ResultRow>(r.row, `${this.file}: results of ${runId}`));
  }

  cacheStats(): { entries: number; hits: number; misses: number } {
    return { entries: this.stmt.count.get()?.n ?? 0, hits: this.hits, misses: this.misses };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(where, 'expected a JSON record; the store entry is damaged');
  }
}

/** Opens (creating if needed) the store at `file`; `:memory:` for a throwaway one. */
export function openStore(file: string): Store {
  return new SqliteStore(file);
}
