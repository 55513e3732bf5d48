/** Shared pieces of the engine's end-to-end tests: the toy thinking model's server, a real Ollama backend, a real SQLite store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import type { Backend, Completion, CompletionRequest } from '../../src/backends/backend.ts';
import type { Result } from '../../src/core/model.ts';
import { runPlan, type RunOutcome, type RunPlanOptions } from '../../src/engine/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import type { Problem } from '../../src/problems/problem.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { TOY_MODEL } from './engine-toy-model.ts';

export const GREEDY = { temperature: 0, topP: 1, topK: 0 };
export const FAST_RETRY = { maxAttempts: 6, baseMs: 5, maxDelayMs: 40, maxTotalMs: 2_000 };

export function toyProblems(n: number, offset = 0): Problem[] {
  return Array.from({ length: n }, (_, i) => ({ id: `toy-${i + offset}`, question: `What is ${i + offset} + 17? (${i + offset})`, answer: String(i + offset + 17) }));
}

export function tempStoreFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'thinkprobe-engine-')), 'run.sqlite');
}

/** A backend that records the requests it passed on (the real Ollama backend underneath). */
export class RecordingBackend implements Backend {
  readonly requests: CompletionRequest[] = [];
  readonly completed: CompletionRequest[] = [];
  constructor(readonly inner: Backend) {}
  get label(): string {
    return this.inner.label;
  }
  describe(model: string) {
    return this.inner.describe(model);
  }
  async complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    this.requests.push(request);
    const c = await this.inner.complete(model, request, signal);
    this.completed.push(request);
    return c;
  }
}

export function ollamaAt(url: string, retry = FAST_RETRY): OllamaBackend {
  return new OllamaBackend({ host: url, numCtx: 16384, retry, preflightRetry: retry });
}

export interface ToyRun {
  specs: unknown[];
  problems: Problem[];
  samples?: number;
  sampling?: RunPlanOptions['sampling'];
  concurrency?: number;
  maxThinkingTokens?: number;
  answerTokens?: number;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: RunPlanOptions['onProgress'];
}

export async function runToy(backend: Backend, store: Store, run: ToyRun): Promise<RunOutcome> {
  return runPlan({
    backend,
    store,
    model: TOY_MODEL,
    template: chatmlQwq(),
    problems: run.problems,
    interventions: run.specs.map((s, i) => interventionFromSpec(s, `specs/${i}`)),
    runId: run.runId ?? 'run',
    samples: run.samples ?? 1,
    sampling: run.sampling ?? GREEDY,
    concurrency: run.concurrency ?? 2,
    maxThinkingTokens: run.maxThinkingTokens ?? 1000,
    answerTokens: run.answerTokens ?? 48,
    ...(run.signal ? { signal: run.signal } : {}),
    ...(run.onProgress ? { onProgress: run.onProgress } : {}),
  });
}

/** What must not change between equivalent runs: per row key, the whole trace text and the counts. */
export function essence(results: readonly Result[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...results].sort((a, b) => a.key.localeCompare(b.key))) {
    out[r.key] = {
      text: r.trace.map((s) => `[${s.kind}${s.kind === 'injected' ? `:${s.label}` : ''}]${s.text}`).join(''),
      counts: r.counts,
      capFired: r.capFired,
      probes: r.probes.map((p) => [p.position, p.answer, p.meanProb]),
      exit: r.exit,
    };
  }
  return out;
}

export function openTempStore(): Store {
  return openStore(tempStoreFile());
}
