import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { Completion, CompletionRequest } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { createHash } from 'node:crypto';
import { cacheKeyOf, canonicalJson, canonicalKeyed, openStore, SCHEMA_VERSION } from './sqlite-store.ts';
import type { CompletionKeyParts, Store } from './store.ts';

const dirs: string[] = [];
const stores: Store[] = [];
function tempFile(name = 'run.sqlite'): string {
  const dir = mkdtempSync(join(tmpdir(), 'thinkprobe-store-'));
  dirs.push(dir);
  return join(dir, 'nested', name);
}
function open(file: string): Store {
  const store = openStore(file);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const request: CompletionRequest = {
  prompt: '<|im_start|>user\nWhat is 6*7?<|im_end|>\n<|im_start|>assistant\n<think>\n',
  maxTokens: 64,
  stop: ['</think>'],
  seed: 7,
  sampling: { temperature: 0.6, topP: 0.95, topK: 40 },
  topLogprobs: 5,
};
const parts: CompletionKeyParts = { model: 'sim-qwq', digest: 'sha256:abc', request, namespace: 'sample-0' };
const completion: Completion = {
  text: 'Six sevens are 42 — “ok” 🎉',
  tokens: [
    { text: 'Six sevens are 42', logprob: -0.25, top: [{ text: 'Six sevens are 42', logprob: -0.25 }, { text: 'Seven', logprob: -1.5 }] },
    { text: ' — “ok” 🎉', logprob: -3.125, top: [] },
  ],
  doneReason: 'stop',
  promptTokens: 20,
  decodedTokens: 2,
  promptEvalMs: 1.5,
  evalMs: 3,
  wallMs: 12,
};

describe('cache keys', () => {
  it('do not depend on field order, and change with every part that changes the completion', () => {
    const store = open(':memory:');
    const key = store.cacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered: CompletionKeyParts = {
      namespace: 'sample-0',
      request: { topLogprobs: 5, sampling: { topK: 40, topP: 0.95, temperature: 0.6 }, seed: 7, stop: ['</think>'], maxTokens: 64, prompt: request.prompt },
      digest: 'sha256:abc',
      model: 'sim-qwq',
    };
    expect(store.cacheKey(reordered)).toBe(key);
    const variants: CompletionKeyParts[] = [
      { ...parts, model: 'qwq' },
      { ...parts, digest: 'sha256:def' },
      { ...parts, namespace: 'sample-1' },
      { ...parts, request: { ...request, seed: 8 } },
      { ...parts, request: { ...request, prompt: request.prompt + ' ' } },
      { ...parts, request: { ...request, maxTokens: 65 } },
      { ...parts, request: { ...request, stop: [] } },
      { ...parts, request: { ...request, topLogprobs: 0 } },
      { ...parts, request: { ...request, sampling: { ...request.sampling, temperature: 0 } } },
    ];
    const keys = new Set(variants.map((v) => store.cacheKey(v)));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(key)).toBe(false);
  });

  it('canonical JSON is a bijection on JSON values up to key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(InputError);
  });

  it('canonical JSON is byte for byte what earlier versions wrote, so keys in existing stores still match', () => {
    // The first implementation, kept as the oracle: changing the output would orphan every stored completion.
    const reference = (value: unknown): string => {
      if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
      if (typeof value === 'number') return JSON.stringify(Object.is(value, -0) ? 0 : value);
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.constant(-0),
        fc.array(fc.oneof(tie('value'), fc.constant(undefined)), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 4 }), fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(withUndefined, (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 400 },
    );
    expect(cacheKeyOf(parts)).toBe(createHash('sha256').update(reference({ v: 1, model: parts.model, digest: parts.digest, namespace: parts.namespace, request: parts.request })).digest('hex'));
  });
});

describe('the hashed text of a cache key', () => {
  it('is canonicalJson of the versioned parts, whatever the request holds (the fast path for plain requests included)', () => {
    const number = fc.oneof(fc.double(), fc.integer(), fc.constant(-0));
    const anyValue = fc.oneof(number, fc.string(), fc.constant(undefined), fc.jsonValue({ maxDepth: 1 }));
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const plain = fc.record({
      prompt: text,
      maxTokens: number,
      stop: fc.array(text, { maxLength: 3 }),
      seed: number,
      sampling: fc.record({ temperature: number, topP: number, topK: number }),
      topLogprobs: number,
    });
    const odd = fc.tuple(plain, fc.string({ maxLength: 8 }), anyValue).map(([r, key, value]) => ({ ...r, [key]: value }));
    const keyParts = fc.record({ model: text, digest: text, namespace: text, request: fc.oneof(plain, odd) });
    fc.assert(
      fc.property(keyParts, (p) => {
        const general = (): string => canonicalJson({ v: 1, model: p.model, digest: p.digest, namespace: p.namespace, request: p.request });
        let expected: string | undefined;
        try {
          expected = general();
        } catch {
          expect(() => canonicalKeyed(p as CompletionKeyParts)).toThrow(InputError);
          return;
        }
        expect(canonicalKeyed(p as CompletionKeyParts)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('SQLite store', () => {
  it('round-trips a completion exactly, across reopening the file', () => {
    const file = tempFile();
    const store = open(file);
    const key = store.cacheKey(parts);
    expect(store.getCompletion(key)).toBeUndefined();
    store.putCompletion(key, parts, completion);
    expect(store.getCompletion(key)).toEqual(completion);
    expect(store.cacheStats()).toEqual({ entries: 1, hits: 1, misses: 1 });
    store.close();

    const again = open(file);
    expect(again.getCompletion(key)).toEqual(completion);
    expect(again.cacheStats()).toEqual({ entries: 1, hits: 1, misses: 0 });
  });

  it('keeps namespaces apart: two samples of the same prompt never collapse', () => {
    const store = open(tempFile());
    const a = { ...parts, namespace: 'sample-0' };
    const b = { ...parts, namespace: 'sample-1' };
    store.putCompletion(store.cacheKey(a), a, completion);
    expect(store.getCompletion(store.cacheKey(b))).toBeUndefined();
    store.putCompletion(store.cacheKey(b), b, { ...completion, text: 'other', tokens: [{ text: 'other', logprob: -1, top: [] }] });
    expect(store.getCompletion(store.cacheKey(a))?.text).toBe(completion.text);
    expect(store.getCompletion(store.cacheKey(b))?.text).toBe('other');
    expect(store.cacheStats().entries).toBe(2);
  });

  it('records runs, resumes them, and upserts results by row key', () => {
    const file = tempFile();
    const store = open(file);
    const meta = { runId: 'r1', suite: 'suites/demo.yaml', model: 'sim-qwq', startedAt: '2026-01-01T00:00:00Z', environment: { server: 'sim 0.1' } };
    expect(store.beginRun(meta)).toEqual(meta);
    store.putResult('r1', { key: 'p1/baseline/0', correct: false });
    store.putResult('r1', { key: 'p2/baseline/0', correct: true });
    store.putResult('r1', { key: 'p1/baseline/0', correct: true, tokens: 12 });
    store.finishRun('r1', 'interrupted');
    store.close();

    const resumed = open(file);
    // Resuming the same run id returns the original record, not the new start time.
    expect(resumed.beginRun({ ...meta, startedAt: '2026-01-02T00:00:00Z' })).toEqual(meta);
    expect(resumed.results('r1')).toEqual([
      { key: 'p1/baseline/0', correct: true, tokens: 12 },
      { key: 'p2/baseline/0', correct: true },
    ]);
    expect(resumed.results('other')).toEqual([]);
    resumed.finishRun('r1', 'completed');
    resumed.close();

    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT status FROM runs WHERE run_id = ?').get('r1')).toEqual({ status: 'completed' });
    db.close();
  });

  it('uses WAL and a versioned schema', () => {
    const file = tempFile();
    open(file).close();
    const db = new Database(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('opens a v1 store (completions as JSON text), migrates it, and reads its entries', () => {
    const file = tempFile('v1.sqlite');
    const key = 'a'.repeat(64);
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE completions (key TEXT PRIMARY KEY, parts TEXT NOT NULL, completion TEXT NOT NULL, created_at TEXT NOT NULL);' +
        'CREATE TABLE runs (run_id TEXT PRIMARY KEY, meta TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT);' +
        'CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, row TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, key));',
    );
    db.prepare('INSERT INTO completions VALUES (?, ?, ?, ?)').run(key, JSON.stringify(parts), JSON.stringify(completion), '2026-01-01T00:00:00Z');
    db.pragma('user_version = 1');
    db.close();
    const store = open(file);
    expect(store.getCompletion(key)).toEqual(completion);
    store.putCompletion(store.cacheKey(parts), parts, completion);
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
    expect(open(file).getCompletion(store.cacheKey(parts))).toEqual(completion);
  });

  it('keeps a result row\'s trace beside its JSON and reads the row back whole; v2 rows with inline traces still read', () => {
    const file = tempFile('v2.sqlite');
    const meta = { runId: 'r', suite: 's', model: 'm', startedAt: '2026-01-01T00:00:00Z', environment: {} };
    const trace = [
      { kind: 'prompt', text: 'Q?' },
      { kind: 'generated', text: completion.text, tokens: completion.tokens },
      { kind: 'injected', text: 'Wait', label: 'extend', tokens: 1 },
    ];
    const old = { key: 'p|baseline|0', problemId: 'p', trace, correct: true };
    // A store as v2 wrote it: the trace inside the row's JSON.
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.exec(
      'CREATE TABLE completions (key TEXT PRIMARY KEY, parts TEXT NOT NULL, completion TEXT NOT NULL, created_at TEXT NOT NULL);' +
        'CREATE TABLE runs (run_id TEXT PRIMARY KEY, meta TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT);' +
        'CREATE TABLE results (run_id TEXT NOT NULL REFERENCES runs(run_id), key TEXT NOT NULL, row TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (run_id, key));',
    );
    db.prepare("INSERT INTO runs VALUES ('r', ?, 'interrupted', '2026-01-01T00:00:00Z', NULL)").run(JSON.stringify(meta));
    db.prepare('INSERT INTO results VALUES (?, ?, ?, ?)').run('r', old.key, JSON.stringify(old), '2026-01-01T00:00:00Z');
    db.pragma('user_version = 2');
    db.close();

    const store = open(file);
    expect(store.results('r')).toEqual([old]);
    store.beginRun(meta);
    const fresh = { key: 'p|extend|0', problemId: 'p', trace, correct: false };
    store.putResult('r', fresh);
    expect(store.results('r')).toEqual([old, fresh]);
    // Rewriting the old row moves its trace out of the JSON too.
    store.putResult('r', { ...old, correct: false });
    store.close();

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const rows = check.prepare('SELECT row, trace FROM results ORDER BY rowid').all() as { row: string; trace: Buffer | null }[];
    check.close();
    for (const r of rows) {
      expect(JSON.parse(r.row).trace).toBeNull();
      expect(r.trace).toBeInstanceOf(Buffer);
      expect(r.row.length).toBeLessThan(200);
    }
    expect(open(file).results('r')).toEqual([{ ...old, correct: false }, fresh]);
  });

  it('a row whose trace the codec cannot keep exactly stays whole in its JSON', () => {
    const store = open(tempFile());
    store.beginRun({ runId: 'r', suite: 's', model: 'm', startedAt: '2026-01-01T00:00:00Z', environment: {} });
    const odd = { key: 'k', trace: [{ kind: 'generated', text: 'a', tokens: [{ text: 'a', logprob: -1, top: [], bytes: [97] }] }] };
    store.putResult('r', odd);
    store.putResult('r', { key: 'no-trace', trace: 'not a list' });
    expect(store.results('r')).toEqual([odd, { key: 'no-trace', trace: 'not a list' }]);
  });

  /** A store at a new file with run 'r' begun, and how its first result row's trace was stored. */
  function withRun(): { file: string; store: Store; storedTrace: () => Buffer } {
    const file = tempFile();
    const store = open(file);
    store.beginRun({ runId: 'r', suite: 's', model: 'm', startedAt: '2026-01-01T00:00:00Z', environment: {} });
    const storedTrace = (): Buffer => {
      const check = new Database(file, { readonly: true });
      const stored = check.prepare('SELECT trace FROM results').get() as { trace: Buffer };
      check.close();
      return stored.trace;
    };
    return { file, store, storedTrace };
  }

  it('stores a trace made of its completions\' tokens as references to them, and reads it back whole after reopening', () => {
    const { file, store, storedTrace } = withRun();
    const long = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ text: ` ${tag}${i}`, logprob: -i / 7, top: [{ text: ' x', logprob: -3 - i }] }));
    const first = { ...completion, tokens: long(200, 'a') };
    const second = { ...completion, tokens: long(50, 'b') };
    const keyA = cacheKeyOf(parts);
    const keyB = cacheKeyOf({ ...parts, namespace: 'sample-1' });
    store.putCompletion(keyA, parts, first);
    store.putCompletion(keyB, { ...parts, namespace: 'sample-1' }, second);
    store.flush();
    // The tokens a trace holds are those a put was given, or those a hit handed out.
    const hit = store.getCompletion(keyB)!;
    const tokens = [...first.tokens.slice(0, 120), ...hit.tokens];
    const trace = [
      { kind: 'prompt', text: 'Q?' },
      { kind: 'generated', text: tokens.map((t) => t.text).join(''), tokens },
      { kind: 'injected', text: 'Wait', label: 'extend', tokens: 1 },
      { kind: 'generated', text: first.tokens[0]!.text, tokens: first.tokens.slice(0, 1) },
    ];
    const row = { key: 'p|extend|0', problemId: 'p', trace, correct: true };
    store.putResult('r', row);
    expect(store.results('r')).toEqual([row]);
    store.close();
    const stored = storedTrace();
    expect(stored.toString('latin1', 0, 4)).toBe('TPR1');
    // No second copy of 171 tokens with their alternatives: the segments' text and the references.
    expect(stored.length).toBeLessThan(JSON.stringify(trace).length / 3);
    expect(open(file).results('r')).toEqual([row]);
  });

  it('a key put twice keeps the traces that used it in token columns: a reference would read the later tokens', () => {
    const { file, store, storedTrace } = withRun();
    const key = cacheKeyOf(parts);
    store.putCompletion(key, parts, completion);
    const trace = [{ kind: 'generated', text: completion.text, tokens: completion.tokens }];
    store.putCompletion(key, parts, { ...completion, tokens: [{ text: completion.text, logprob: -9, top: [] }] });
    store.putResult('r', { key: 'k', trace });
    store.close();
    expect(storedTrace().toString('latin1', 0, 4)).toBe('TPT1');
    expect(open(file).results('r')).toEqual([{ key: 'k', trace }]);
  });

  it('a trace whose completion is gone from the file is one clear error naming the row', () => {
    const { file, store } = withRun();
    const key = cacheKeyOf(parts);
    store.putCompletion(key, parts, completion);
    store.putResult('r', { key: 'k', trace: [{ kind: 'generated', text: completion.text, tokens: completion.tokens }] });
    store.close();
    const db = new Database(file);
    db.prepare('DELETE FROM completions').run();
    db.close();
    expect(() => open(file).results('r')).toThrow(InputError);
    expect(() => open(file).results('r')).toThrow(/results of r, row k: expected the stored completion [0-9a-f]{64} its trace refers to/);
  });

  it('refuses a store from a newer thinkprobe, and a file that is not a store, with one clear line', () => {
    const newer = tempFile('newer.sqlite');
    open(newer).close();
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore(newer)).toThrow(`${newer}: written by a newer thinkprobe (store schema v${SCHEMA_VERSION + 1})`);

    const junk = join(dirname(newer), 'junk.sqlite');
    writeFileSync(junk, 'this is not sqlite, just text that is long enough to have a header '.repeat(20));
    expect(() => openStore(junk)).toThrow(InputError);
    expect(() => openStore(junk)).toThrow(/expected a thinkprobe store/);
  });

  it('refuses a result row without a key and finishing an unknown run', () => {
    const store = open(':memory:');
    expect(() => store.putResult('r', { key: '' })).toThrow(InputError);
    expect(() => store.finishRun('nope', 'completed')).toThrow(/no run 'nope'/);
  });
});

/** What another connection (another process, or this one after a crash) sees committed. */
function committedKeys(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT key FROM completions ORDER BY key').all() as { key: string }[]).map((r) => r.key);
  } finally {
    db.close();
  }
}

function committedResults(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT key FROM results ORDER BY rowid').all() as { key: string }[]).map((r) => r.key);
  } finally {
    db.close();
  }
}

const variant = (i: number): CompletionKeyParts => ({ ...parts, request: { ...request, seed: i } });

describe('group commit', () => {
  it('a put is read back at once by this process, and committed by flush()', () => {
    const file = tempFile();
    const store = open(file);
    const key = store.cacheKey(parts);
    store.putCompletion(key, parts, completion);
    expect(store.getCompletion(key)).toEqual(completion);
    expect(committedKeys(file)).toEqual([]);
    store.flush();
    expect(committedKeys(file)).toEqual([key]);
    expect(store.getCompletion(key)).toEqual(completion);
    expect(store.cacheStats()).toEqual({ entries: 1, hits: 2, misses: 0 });
  });

  it('a read is frozen: mutating it throws and changes nothing, pending, committed or read from the file', () => {
    const file = tempFile();
    const store = open(file);
    const key = store.cacheKey(parts);
    store.putCompletion(key, parts, completion);
    const first = store.getCompletion(key)!;
    expect(() => {
      first.tokens[0]!.text = 'changed';
    }).toThrow(TypeError);
    expect(() => first.tokens[0]!.top[0]!.logprob++).toThrow(TypeError);
    expect(() => first.tokens[1]!.top.push({ text: 'x', logprob: 0 })).toThrow(TypeError);
    expect(() => first.tokens.pop()).toThrow(TypeError);
    store.flush();
    expect(() => {
      store.getCompletion(key)!.text = 'changed';
    }).toThrow(TypeError);
    expect(store.getCompletion(key)).toEqual(completion);
    store.close();
    const reread = open(file).getCompletion(key)!;
    expect(reread).toEqual(completion);
    expect(Object.isFrozen(reread.tokens[0]!.top)).toBe(true);
    expect(() => reread.tokens.push(reread.tokens[0]!)).toThrow(TypeError);
  });

  it('hits after the first hand out the same frozen completion, decoded once; the completion put stays with its caller', () => {
    const store = open(tempFile());
    const mine = structuredClone(completion);
    const key = store.cacheKey(parts);
    store.putCompletion(key, parts, mine);
    const first = store.getCompletion(key)!;
    expect(first).not.toBe(mine);
    expect(Object.isFrozen(mine)).toBe(false);
    mine.tokens[0]!.text = 'changed after the put';
    expect(store.getCompletion(key)).toBe(first);
    expect(first).toEqual(completion);
    store.putCompletion(key, parts, { ...completion, text: 'rewritten' });
    expect(store.getCompletion(key)?.text).toBe('rewritten');
  });

  it('a read of a committed completion another connection changed returns what this process wrote or read (served from memory), and a reopened store reads the file', () => {
    const file = tempFile();
    const store = open(file);
    const key = store.cacheKey(parts);
    store.putCompletion(key, parts, completion);
    store.flush();
    const db = new Database(file);
    db.prepare('UPDATE completions SET completion = ? WHERE key = ?').run(JSON.stringify({ ...completion, text: 'other' }), key);
    db.close();
    expect(store.getCompletion(key)).toEqual(completion);
    store.close();
    expect(open(file).getCompletion(key)?.text).toBe('other');
  });

  it('commits on its own within the flush interval, without flush() or close()', async () => {
    const file = tempFile();
    const store = open(file);
    const keys = [0, 1, 2].map((i) => store.cacheKey(variant(i)));
    keys.forEach((key, i) => store.putCompletion(key, variant(i), completion));
    await vi.waitFor(() => expect(committedKeys(file)).toEqual([...keys].sort()), { timeout: 2000, interval: 5 });
  });

  it('a full batch commits at once', () => {
    const file = tempFile();
    const store = openStore(file, { maxBatchRows: 3, flushMs: 60_000 });
    stores.push(store);
    const keys = [0, 1, 2, 3].map((i) => store.cacheKey(variant(i)));
    keys.forEach((key, i) => store.putCompletion(key, variant(i), completion));
    // Three filled the batch and committed; the fourth waits for the next commit.
    expect(committedKeys(file)).toEqual(keys.slice(0, 3).sort());
    store.close();
    expect(committedKeys(file)).toEqual([...keys].sort());
  });

  it('a batch over its byte bound commits at once, so no single commit grows without bound', () => {
    const file = tempFile();
    const store = openStore(file, { maxBatchBytes: 2000, flushMs: 60_000 });
    stores.push(store);
    const big = { ...completion, tokens: Array.from({ length: 40 }, (_, i) => ({ text: `t${i}`, logprob: -i, top: [{ text: 'x', logprob: -1 }] })) };
    const keys = [0, 1, 2].map((i) => store.cacheKey(variant(i)));
    store.putCompletion(keys[0]!, variant(0), big);
    expect(committedKeys(file)).toEqual([]);
    store.putCompletion(keys[1]!, variant(1), big);
    // Two of them pass 2000 bytes: committed without waiting for the timer or the row count.
    expect(committedKeys(file)).toEqual(keys.slice(0, 2).sort());
    store.putCompletion(keys[2]!, variant(2), completion);
    expect(committedKeys(file)).toEqual(keys.slice(0, 2).sort());
    expect(store.getCompletion(keys[2]!)).toEqual(completion);
  });

  it('a later put of the same key wins, and the last write before close is never lost', () => {
    const file = tempFile();
    const store = openStore(file, { flushMs: 60_000 });
    const key = store.cacheKey(parts);
    store.putCompletion(key, parts, completion);
    store.flush();
    store.putCompletion(key, parts, { ...completion, text: 'second' });
    expect(store.getCompletion(key)?.text).toBe('second');
    store.putCompletion(key, parts, { ...completion, text: 'third' });
    store.close();
    const again = open(file);
    expect(again.getCompletion(key)?.text).toBe('third');
    expect(again.cacheStats().entries).toBe(1);
  });

  it('result rows are batched too: results() sees them, and finishRun commits them before the status', () => {
    const file = tempFile();
    const store = openStore(file, { flushMs: 60_000 });
    stores.push(store);
    store.beginRun({ runId: 'r', suite: 's', model: 'm', startedAt: '2026-01-01T00:00:00Z', environment: {} });
    store.putResult('r', { key: 'b', n: 1 });
    store.putResult('r', { key: 'a', n: 2 });
    store.putResult('r', { key: 'b', n: 3 });
    expect(committedResults(file)).toEqual([]);
    store.finishRun('r', 'interrupted');
    expect(committedResults(file)).toEqual(['b', 'a']);
    store.putResult('r', { key: 'c', n: 4 });
    expect(store.results('r')).toEqual([
      { key: 'b', n: 3 },
      { key: 'a', n: 2 },
      { key: 'c', n: 4 },
    ]);
  });

  it('a result for a run never begun is refused at the put, not at the later commit', () => {
    const file = tempFile();
    const store = openStore(file, { flushMs: 60_000 });
    stores.push(store);
    expect(() => store.putResult('ghost', { key: 'x' })).toThrow(/no run 'ghost'/);
    store.putCompletion(store.cacheKey(parts), parts, completion);
    store.flush();
    expect(committedKeys(file)).toEqual([store.cacheKey(parts)]);
    // A run begun by another connection on the same file is known too.
    const other = open(file);
    other.beginRun({ runId: 'elsewhere', suite: 's', model: 'm', startedAt: '2026-01-01T00:00:00Z', environment: {} });
    store.putResult('elsewhere', { key: 'y' });
    store.flush();
    expect(committedResults(file)).toEqual(['y']);
  });
});
