import { hash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Completion, CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { decodeCompletion, encodeCompletion, parseJsonRecord } from './completion-codec.ts';
import { flushOnExit, forgetOnExit } from './exit-flush.ts';
import type { CompletionKeyParts, ResultRow, RunMeta, Store } from './store.ts';
import { timed } from './timing.ts';
import { KeyFilter } from './key-filter.ts';
import { isEncoded, RecentCompletions } from './recent.ts';
import { decodeFrozen } from './shared-completion.ts';
import { decodeRow, encodeRow } from './result-row.ts';
import { TokenSources } from './token-sources.ts';
import { WriteBatch } from './write-batch.ts';

/**
 * The run store on better-sqlite3, with group commit. Writes go to an in-memory batch (visible to
 * this process's reads at once) and are committed together in one transaction every FLUSH_MS, or
 * as soon as MAX_BATCH_ROWS are waiting, on flush()/close(), and at process exit. One fsync-free
 * commit per batch instead of one fsync per completion keeps the synchronous SQLite calls from
 * stalling the event loop while other streams are being read.
 *
 * WAL with synchronous = NORMAL: a committed batch survives a killed process (it is in the WAL
 * file); a power loss may roll back the last committed batches, never corrupt the file. Either
 * way what is lost is work a resumed run requests again. See README.md.
 */

export interface StoreOptions {
  /** Longest a write waits for its group commit, in ms. Default FLUSH_MS. */
  flushMs?: number;
  /** A batch this large commits at once. Default MAX_BATCH_ROWS. */
  maxBatchRows?: number;
  /** A batch this many bytes large commits at once. Default MAX_BATCH_BYTES. */
  maxBatchBytes?: number;
}

export const FLUSH_MS = 10;
export const MAX_BATCH_ROWS = 256;
/**
 * A batch this many bytes large commits at once: a commit is synchronous, so its size bounds the
 * event-loop pause it causes (long traces with alternatives make single records of 100 KB and more).
 * Measured here: a 1 MB commit held the event loop 12-20 ms (the whole 20 ms p99 budget of
 * `npm run bench:overhead`), 256 KB 3-4 ms; commits cost about linearly in bytes, so smaller ones
 * cost little more in all.
 */
export const MAX_BATCH_BYTES = 256 << 10;

/**
 * Completions kept in memory for reads (recent.ts), counted by their stored size. A request-heavy
 * run writes a few MB of them in all (suites/termination.yaml: 4.5 MB for 3,478 completions), so
 * this holds a whole such run; a run of long traces keeps its most recent ones.
 */
export const RECENT_BYTES = 16 << 20;

/** Bump when the tables change; add a step to MIGRATIONS that takes the previous version to it. */
export const SCHEMA_VERSION = 4;

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
  // No table change: completions.completion may now hold a BLOB (completion-codec.ts), which an
  // older thinkprobe could not read, so it must refuse the file instead.
  2: `-- completions.completion: JSON text or a columnar BLOB`,
  // A result row's trace moves out of its JSON into a columnar BLOB (trace-codec.ts); rows written
  // before keep theirs inline (trace IS NULL) and read as they were.
  3: `ALTER TABLE results ADD COLUMN trace BLOB;`,
  // No table change: results.trace may now hold references to completions (trace-refs.ts), which
  // an older thinkprobe could not read, so it must refuse the file instead.
  4: `-- results.trace: token columns or references to completions`,
};

/**
 * JSON with object keys sorted at every level, so equal values hash equally whatever order their
 * fields were built in. Array order is kept (it means something, e.g. stop strings). `undefined`
 * fields are dropped as JSON.stringify does; non-finite numbers are refused (JSON would turn them
 * into null and two different requests would collide).
 */
export function canonicalJson(value: unknown): string {
  // Hand-rolled rather than entries/filter/sort/map/join: it runs on every request's key, prompt included.
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InputError('cache key', `expected finite numbers, got ${value}`);
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      throw new InputError('cache key', `expected JSON values, got ${typeof value}`);
  }
}

function canonicalArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out += item === undefined ? 'null' : canonicalJson(item);
  }
  return `${out}]`;
}

function canonicalObject(record: Record<string, unknown>): string {
  // The default sort orders by UTF-16 code units, the same order as comparing with `<`.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

export function cacheKeyOf(parts: CompletionKeyParts): string {
  // The one-shot hash: createHash().update().digest() costs a Hash object per request.
  return hash('sha256', canonicalKeyed(parts), 'hex');
}

/** What a cache key hashes: canonicalJson of the versioned parts. */
export function canonicalKeyed(parts: CompletionKeyParts): string {
  return canonicalOfPlainParts(parts) ?? canonicalJson({ v: CACHE_KEY_VERSION, model: parts.model, digest: parts.digest, namespace: parts.namespace, request: parts.request });
}

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function num(n: number): string {
  return JSON.stringify(Object.is(n, -0) ? 0 : n);
}

function exactKeys(record: object, count: number): boolean {
  let n = 0;
  for (const key in record) if ((record as Record<string, unknown>)[key] !== undefined) n++;
  return n === count;
}

/**
 * canonicalJson of the parts written out for the one shape every request has (key order fixed
 * by hand, sorted as canonicalObject sorts), once per request on the hot path; undefined for
 * anything else (an extra field, a non-finite number), which takes the general path.
 */
function canonicalOfPlainParts(parts: CompletionKeyParts): string | undefined {
  const { request } = parts;
  const sampling = request?.sampling;
  if (typeof parts.model !== 'string' || typeof parts.digest !== 'string' || typeof parts.namespace !== 'string' || !exactKeys(parts, 4)) return undefined;
  if (typeof request !== 'object' || request === null || !exactKeys(request, 6) || typeof request.prompt !== 'string' || !Array.isArray(request.stop)) return undefined;
  if (!finite(request.maxTokens) || !finite(request.seed) || !finite(request.topLogprobs)) return undefined;
  if (typeof sampling !== 'object' || sampling === null || !exactKeys(sampling, 3) || !finite(sampling.temperature) || !finite(sampling.topK) || !finite(sampling.topP)) return undefined;
  let stop = '';
  for (let i = 0; i < request.stop.length; i++) {
    const item = request.stop[i];
    if (typeof item !== 'string') return undefined;
    stop += (i > 0 ? ',' : '') + JSON.stringify(item);
  }
  const s = `{"temperature":${num(sampling.temperature)},"topK":${num(sampling.topK)},"topP":${num(sampling.topP)}}`;
  const r = `{"maxTokens":${num(request.maxTokens)},"prompt":${JSON.stringify(request.prompt)},"sampling":${s},"seed":${num(request.seed)},"stop":[${stop}],"topLogprobs":${num(request.topLogprobs)}}`;
  return `{"digest":${JSON.stringify(parts.digest)},"model":${JSON.stringify(parts.model)},"namespace":${JSON.stringify(parts.namespace)},"request":${r},"v":${CACHE_KEY_VERSION}}`;
}

class SqliteStore implements Store {
  private readonly db: Database.Database;
  private hits = 0;
  private misses = 0;
  private closed = false;
  private readonly batch = new WriteBatch();
  private readonly recent = new RecentCompletions(RECENT_BYTES);
  /** Which completion a token came from, so result traces are stored as references to them. */
  private readonly sources = new TokenSources();
  /** Runs known to exist, so a row for an unknown run is refused at the put rather than failing its batch. */
  private readonly runs = new Set<string>();
  /** Loaded on the first read: a fresh run's misses then never query SQLite. */
  private keys: KeyFilter | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** A group commit that failed on its timer: reported by the next write instead of crashing the process. */
  private failure: unknown;
  private readonly flushMs: number;
  private readonly maxBatchRows: number;
  private readonly maxBatchBytes: number;
  private readonly stmt: Statements;
  private readonly commitBatch: (batch: WriteBatch, at: string) => void;

  constructor(
    readonly file: string,
    options: StoreOptions = {},
  ) {
    this.flushMs = options.flushMs ?? FLUSH_MS;
    this.maxBatchRows = Math.max(1, options.maxBatchRows ?? MAX_BATCH_ROWS);
    this.maxBatchBytes = Math.max(1, options.maxBatchBytes ?? MAX_BATCH_BYTES);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file);
      this.db.pragma('busy_timeout = 10000');
      // Completions with logprobs and result rows with whole traces are tens to hundreds of KB:
      // 16 KB pages write them with a third less CPU than 4 KB ones (no effect on an existing file).
      this.db.pragma('page_size = 16384');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (error) {
      if (error instanceof InputError) throw error;
      const why = error instanceof Error ? error.message : String(error);
      throw new InputError(file, `expected a thinkprobe store (SQLite database) that can be opened for writing: ${why}`);
    }
    this.stmt = prepareStatements(this.db);
    this.commitBatch = this.db.transaction((batch: WriteBatch, at: string) => {
      for (const c of batch.completions.values()) this.stmt.put.run(c.key, c.parts, c.completion, at);
      for (const r of batch.results.values()) this.stmt.putResult.run(r.runId, r.key, r.row, r.trace ?? null, at);
    });
    flushOnExit(this);
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
    return timed(() => this.readCompletion(key));
  }

  private knownKeys(): KeyFilter {
    return (this.keys ??= new KeyFilter(this.stmt.keys.iterate()));
  }

  private readCompletion(key: string): Completion | undefined {
    const recent = this.recent.get(key);
    if (recent !== undefined && !isEncoded(recent)) {
      this.hits++;
      return recent;
    }
    const stored = recent ?? this.batch.completion(key) ?? this.readStored(key);
    if (stored === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const completion = decodeFrozen(stored, `${this.file}: completions[${key}]`);
    this.recent.set(key, completion, stored.length);
    this.sources.register(key, completion.tokens);
    return completion;
  }

  private readStored(key: string): string | Buffer | undefined {
    if (!this.knownKeys().mayHave(key)) return undefined;
    return this.stmt.get.get(key)?.completion;
  }

  putCompletion(key: string, parts: CompletionKeyParts, completion: Completion): void {
    this.throwIfFailed();
    // A key put again (or already in the file) may now read other tokens than earlier ones did.
    if (this.knownKeys().mayHave(key)) this.sources.rewrite(key);
    timed(() => {
      const encoded = encodeCompletion(completion);
      this.batch.addCompletion({ key, parts: JSON.stringify(parts), completion: encoded });
      this.recent.set(key, encoded);
    });
    this.sources.register(key, completion.tokens);
    this.knownKeys().add(key);
    this.written();
  }

  beginRun(meta: RunMeta): RunMeta {
    this.flush();
    const begun = this.db.transaction((): RunMeta => {
      const existing = this.stmt.getRun.get(meta.runId);
      if (existing !== undefined) {
        this.stmt.reopenRun.run(meta.runId);
        return parseJsonRecord<RunMeta>(existing.meta, `${this.file}: runs[${meta.runId}]`);
      }
      this.stmt.insertRun.run(meta.runId, JSON.stringify(meta), meta.startedAt);
      return meta;
    }).immediate();
    this.runs.add(meta.runId);
    return begun;
  }

  finishRun(runId: string, status: 'completed' | 'failed' | 'interrupted'): void {
    // The rows of a run commit before its status says it finished.
    this.flush();
    const changed = this.stmt.finishRun.run(status, new Date().toISOString(), runId).changes;
    if (changed === 0) throw new InputError(`${this.file}: runs`, `no run '${runId}' to finish (beginRun first)`);
  }

  putResult(runId: string, row: ResultRow): void {
    if (typeof row.key !== 'string' || row.key === '') throw new InputError(`result row of run '${runId}'`, 'expected a non-empty string key');
    if (!this.runs.has(runId)) {
      if (this.stmt.getRun.get(runId) === undefined) throw new InputError(`${this.file}: runs`, `no run '${runId}' for result row '${row.key}' (beginRun first)`);
      this.runs.add(runId);
    }
    this.throwIfFailed();
    timed(() => this.batch.addResult(encodeRow(runId, row, this.sources)));
    this.written();
  }

  results(runId: string): ResultRow[] {
    this.flush();
    // A trace stored as references reads its completions' tokens, each completion decoded once.
    const tokens = new Map<string, readonly CompletionToken[] | undefined>();
    const tokensOf = (key: string): readonly CompletionToken[] | undefined => {
      if (!tokens.has(key)) {
        const stored = this.stmt.get.get(key)?.completion;
        tokens.set(key, stored === undefined ? undefined : decodeCompletion(stored, `${this.file}: completions[${key}]`).tokens);
      }
      return tokens.get(key);
    };
    return this.stmt.results.all(runId).map((r) => decodeRow(r, `${this.file}: results of ${runId}`, tokensOf));
  }

  cacheStats(): { entries: number; hits: number; misses: number } {
    this.flush();
    return { entries: this.stmt.count.get()?.n ?? 0, hits: this.hits, misses: this.misses };
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.batch.size === 0 || this.closed) return;
    timed(() => this.commitBatch(this.batch, new Date().toISOString()));
    // Only a committed batch is dropped: after a failed commit the rows stay for the next try.
    this.batch.clear();
    this.failure = undefined;
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.recent.clear();
      forgetOnExit(this);
      this.db.close();
    }
  }

  /** After each write: commit now when the batch is full, else make sure a group commit is due. */
  private written(): void {
    if (this.batch.size >= this.maxBatchRows || this.batch.bytes >= this.maxBatchBytes) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushOnTimer(), this.flushMs);
      // A pending commit must not keep the process alive: exit and close() flush it anyway.
      this.timer.unref();
    }
  }

  private flushOnTimer(): void {
    this.timer = undefined;
    try {
      this.flush();
    } catch (error) {
      this.failure = error;
    }
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    // Retry first: a transient failure (the file busy a moment) must not end the run.
    this.flush();
  }
}

interface Statements {
  get: Database.Statement<[string], { completion: string | Buffer }>;
  keys: Database.Statement<[], string>;
  put: Database.Statement<[string, string, string | Buffer, string]>;
  count: Database.Statement<[], { n: number }>;
  getRun: Database.Statement<[string], { meta: string }>;
  insertRun: Database.Statement<[string, string, string]>;
  reopenRun: Database.Statement<[string]>;
  finishRun: Database.Statement<[string, string, string]>;
  putResult: Database.Statement<[string, string, string, Buffer | null, string]>;
  results: Database.Statement<[string], { row: string; trace: Buffer | null }>;
}

function prepareStatements(db: Database.Database): Statements {
  return {
    get: db.prepare('SELECT completion FROM completions WHERE key = ?'),
    keys: db.prepare<[], string>('SELECT key FROM completions').pluck(),
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
      'INSERT INTO results (run_id, key, row, trace, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(run_id, key) DO UPDATE SET row = excluded.row, trace = excluded.trace, updated_at = excluded.updated_at',
    ),
    results: db.prepare('SELECT row, trace FROM results WHERE run_id = ? ORDER BY rowid'),
  };
}

/** Opens (creating if needed) the store at `file`; `:memory:` for a throwaway one. */
export function openStore(file: string, options: StoreOptions = {}): Store {
  return new SqliteStore(file, options);
}
