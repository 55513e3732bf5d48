/**
 * `run --offline --from RUN_DIR`: grading, confidence, checks and reports again over an earlier
 * run's completions, with no server. The earlier store is copied into the new run folder (the
 * original is only read), so the engine finds every request it made in its own cache; the offline
 * backend is asked only for what the earlier run never requested, and refuses with one line.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import type { Problem } from '../problems/problem.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo } from './backend.ts';

export interface StoredRun {
  dir: string;
  runId: string;
  /** The model name the earlier run's requests used (part of every cache key). */
  model: string;
  digest: string;
  serverVersion: string;
  template: string;
  /** Result labels and problem ids the earlier run has. */
  interventions: string[];
  problems: string[];
  /** sample seed -> sample index, to name a request. */
  samples: Map<number, number>;
}

function fromWhere(dir: string): string {
  return `--from ${dir}`;
}

/** Reads the earlier run's identity and contents from its store, read-only. */
export function readStoredRun(dir: string): StoredRun {
  const file = join(dir, 'store.sqlite');
  if (!existsSync(file)) throw new InputError(fromWhere(dir), 'expected a thinkprobe run folder (no store.sqlite there)');
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new InputError(fromWhere(dir), `expected a readable store.sqlite (${(error as Error).message})`);
  }
  try {
    const runs = db.prepare("SELECT run_id, meta FROM runs WHERE run_id NOT LIKE '%:property' ORDER BY started_at DESC").all() as { run_id: string; meta: string }[];
    const run = runs[0];
    if (!run) throw new InputError(fromWhere(dir), 'expected a store with a run in it (it has none)');
    const meta = JSON.parse(run.meta) as { model?: unknown; environment?: Record<string, unknown> };
    const env = meta.environment ?? {};
    const rows = db.prepare('SELECT row FROM results WHERE run_id = ?').all(run.run_id) as { row: string }[];
    const interventions = new Set<string>();
    const problems = new Set<string>();
    const samples = new Map<number, number>();
    for (const { row } of rows) {
      const r = JSON.parse(row) as { problemId?: string; sample?: number; seed?: number; intervention?: { label?: string } };
      if (r.intervention?.label !== undefined) interventions.add(r.intervention.label);
      if (r.problemId !== undefined) problems.add(r.problemId);
      if (r.seed !== undefined && r.sample !== undefined) samples.set(r.seed, r.sample);
    }
    return {
      dir,
      runId: run.run_id,
      model: String(meta.model ?? ''),
      digest: String(env['digest'] ?? ''),
      serverVersion: String(env['server'] ?? ''),
      template: String(env['template'] ?? ''),
      interventions: [...interventions],
      problems: [...problems],
      samples,
    };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(fromWhere(dir), `expected a thinkprobe store (${(error as Error).message})`);
  } finally {
    db.close();
  }
}

/** One line when the suite asks for results the earlier run does not have. */
export function checkOfflineCoverage(stored: StoredRun, labels: readonly string[], problemIds: readonly string[]): void {
  const missingLabel = labels.find((l) => !stored.interventions.includes(l));
  if (missingLabel !== undefined) {
    throw new InputError(
      fromWhere(stored.dir),
      `has no results for intervention '${missingLabel}' (it has: ${stored.interventions.join(', ') || 'none'}); run that intervention against a server`,
    );
  }
  const missingProblem = problemIds.find((p) => !stored.problems.includes(p));
  if (missingProblem !== undefined) throw new InputError(fromWhere(stored.dir), `has no results for problem '${missingProblem}'; run it against a server, or --filter it out`);
}

/** Copies the earlier store (consistent, even while WAL pages are pending) to `file`. */
export async function copyStore(stored: StoredRun, file: string): Promise<void> {
  const db = new Database(join(stored.dir, 'store.sqlite'), { readonly: true, fileMustExist: true });
  try {
    await db.backup(file);
  } finally {
    db.close();
  }
}

/** The built-in template a name stands for, as text pickTemplate recognises. */
function templateHint(name: string): Pick<ModelInfo, 'family' | 'templateText'> {
  if (name === 'deepseek-r1') return { family: 'deepseek', templateText: '<｜User｜><｜Assistant｜>' };
  if (name === 'qwen3') return { family: 'qwen3', templateText: '<|im_start|>' };
  return { family: '', templateText: '<|im_start|>' };
}

/** A request the store cannot answer, named by problem, sample and what it asked. */
export class OfflineMissError extends BackendUnreachableError {}

function describeRequest(request: CompletionRequest, stored: StoredRun, problems: readonly Problem[]): string {
  const problem = problems.find((p) => request.prompt.includes(p.question));
  const sample = stored.samples.get(request.seed);
  const tail = JSON.stringify(request.prompt.slice(-60));
  const who = problem ? `problem ${problem.id}${sample === undefined ? '' : `, sample ${sample}`}` : 'a problem not in the earlier run';
  return `${who}: ${request.maxTokens} token${request.maxTokens === 1 ? '' : 's'} after a ${request.prompt.length}-character prompt ending ${tail}`;
}

export function createOfflineBackend(stored: StoredRun, problems: readonly Problem[]): Backend {
  return {
    label: `offline (${stored.dir})`,
    async describe(model: string): Promise<ModelInfo> {
      return { name: model, digest: stored.digest, serverVersion: stored.serverVersion, contextLength: Number.MAX_SAFE_INTEGER, ...templateHint(stored.template) };
    },
    // No server to score a text: an OpenAI run's one-request probes are answered by the store in
    // front of this (runner/cached-backend.ts); anything else goes token by token, to the store too.
    scoreText: async () => undefined,
    async complete(_model: string, request: CompletionRequest): Promise<Completion> {
      throw new OfflineMissError(
        `offline: ${stored.dir} has no stored completion for ${describeRequest(request, stored, problems)}`,
        'an intervention, setting or problem the earlier run did not have: run it against a server',
      );
    },
  };
}

/** The target of an offline run: the stored run's model name, so every cache key matches. */
export function offlineTarget(stored: StoredRun, requested: string, problems: readonly Problem[]): { backend: Backend; model: string; requested: string; close(): Promise<void> } {
  return { backend: createOfflineBackend(stored, problems), model: stored.model, requested, close: async () => undefined };
}
