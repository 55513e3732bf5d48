import type { Backend, ModelInfo, SamplingSettings } from '../backends/backend.ts';
import { gradeProblem, type Grader } from '../grading/index.ts';
import { InputError } from '../core/errors.ts';
import { version } from '../core/version.ts';
import { InterventionContext } from './context.ts';
import { S1_CLOSE } from './tree.ts';
import type { Intervention, InterventionOutput } from './intervention.ts';
import { traceOf } from '../trace/trace.ts';
import { compilePlan, type PlannedTree } from '../plan/plan.ts';
import type { Problem } from '../problems/problem.ts';
import type { Store } from '../store/store.ts';
import type { ChatTemplate } from '../templates/template.ts';
import { aloneCost, attributeSpent, minimalCost, type SpentCost, type TokenCost } from './accounting.ts';
import { buildRow } from './results.ts';
import type { Result, RunMeta } from '../core/model.ts';
import { Worker, type EngineStats, type RequestCost, type Stream } from './stream.ts';
import { Consumer, defaultRequestBudget, ResultBudgetError, Tree, type TreeConfig } from './tree.ts';
import { SlotGate } from './slot-gate.ts';

export { rowKey } from './results.ts';
export type { TokenCost, SpentCost } from './accounting.ts';
export { readBoxed, ResultBudgetError, defaultRequestBudget, type ProbeOutcome, type Cut, type Branch, type Finished } from './tree.ts';

/** RaML's sampling for QwQ-32B. */
export const RAML_SAMPLING: SamplingSettings = { temperature: 0.6, topP: 0.95, topK: 40 };

export interface Progress {
  trees: { done: number; total: number };
  results: { done: number; total: number };
  /** Requests sent to the backend, and chunks served from the cache. */
  requests: number;
  cacheHits: number;
  decodedTokens: number;
  prefillTokens: number;
}

export interface RunPlanOptions {
  backend: Backend;
  store: Store;
  /** Model name as the backend knows it. */
  model: string;
  /** From `backend.describe(model)`; fetched when omitted. */
  modelInfo?: ModelInfo;
  template: ChatTemplate;
  problems: readonly Problem[];
  interventions: readonly Intervention[];
  /** Run id in the store: the same id resumes (every finished request is replayed from the cache). */
  runId: string;
  suite?: string;
  samples?: number;
  seed?: number;
  sampling?: SamplingSettings;
  system?: string;
  /** Parallel workers = server slots (OLLAMA_NUM_PARALLEL). Each trace tree sticks to one worker. */
  concurrency?: number;
  /** Hard cap on a trace's thinking tokens (the trunk's limit); reaching it closes the thinking with `capClose`. */
  maxThinkingTokens?: number;
  /** Answer tokens after the thinking closes. */
  answerTokens?: number;
  /** Tokens a probe may generate after its suffix. */
  probeTokens?: number;
  /** Alternatives per generated token (0..20). */
  topLogprobs?: number;
  /** Trunk growth per step while scanning for reflection words (DEER, paragraph injections). */
  scanChunk?: number;
  /** Text that closes the thinking when the run's cap fires (`{close}` = the delimiter). Default s1's. */
  capClose?: string;
  /** Requests one result may draw on (cached chunks included); default `defaultRequestBudget`. Past it the result is an error row. */
  maxRequestsPerResult?: number;
  /** Store every token's alternatives in result rows (they are always in the cache). Default true. */
  rowAlternatives?: boolean;
  /** When given, rows get `correct` (and probes theirs) from src/grading; otherwise grading is left to its stage. */
  grader?: Grader;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface InterventionCost {
  label: string;
  results: number;
  /** Sum over its results of the cost as if run alone. */
  alone: TokenCost;
  /** Its share of what the trees spent (replayed requests at their first cost: see src/engine/README.md). */
  tree: SpentCost;
}

export interface RunOutcome {
  runId: string;
  /** When the run first started (a resumed run keeps its first start). */
  startedAt: string;
  status: 'completed' | 'interrupted';
  results: Result[];
  /** What this session actually sent (by the KV model of each worker's slot); cache hits cost nothing. */
  spent: EngineStats;
  /** The theoretical minimum for these results: every needed token decoded once, every branch's own text prefilled once. */
  minimal: TokenCost;
  /** Sum of all results' as-if-alone costs. */
  alone: TokenCost;
  perIntervention: InterventionCost[];
  trees: number;
  wallMs: number;
}

/**
 * Runs every problem x intervention x sample as trace trees on the backend, caching every
 * completion in the store (so a rerun with the same run id resumes), and writes one result row
 * per problem x intervention x sample as soon as it is done.
 */
export async function runPlan(options: RunPlanOptions): Promise<RunOutcome> {
  validateOptions(options);
  const started = performance.now();
  const info = options.modelInfo ?? (await options.backend.describe(options.model));
  const setup = scheduleTrees(options, info);
  const begun = options.store.beginRun(runMeta(options, info, setup));
  const inner = new AbortController();
  const onAbort = () => inner.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const state = new RunState(setup.plan, options.onProgress);
  let failure: unknown;
  try {
    state.emit();
    failure = await runWorkers(options, info, setup, state, inner);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const interrupted = options.signal?.aborted === true;
  if (failure !== undefined && !interrupted) {
    options.store.finishRun(options.runId, 'failed');
    throw failure;
  }
  options.store.finishRun(options.runId, interrupted ? 'interrupted' : 'completed');
  return state.outcome(options.runId, begun.startedAt, interrupted ? 'interrupted' : 'completed', performance.now() - started);
}

/** The run's settings after defaults: what every tree of the run shares. */
type EngineConfig = Omit<TreeConfig, 'seed' | 'namespace'> & { maxRequestsPerResult: number };

/** The plan in the order trees start, and the settings they run with. */
interface Schedule {
  plan: PlannedTree<Intervention>[];
  config: EngineConfig;
  sampling: SamplingSettings;
  seed: number;
  concurrency: number;
}

/** Compiles the plan and orders it: hardest first, since long trees started last would leave the other slots idle at the end. */
function scheduleTrees(options: RunPlanOptions, info: ModelInfo): Schedule {
  const { template } = options;
  const sampling = options.sampling ?? RAML_SAMPLING;
  const seed = options.seed ?? 0;
  const compiled = compilePlan({
    model: options.model,
    digest: info.digest,
    problems: options.problems,
    interventions: options.interventions,
    samples: options.samples ?? 1,
    seed,
    sampling,
    template,
    ...(options.system === undefined ? {} : { system: options.system }),
  });
  const plan = compiled
    .map((tree, i) => ({ tree, i }))
    .sort((a, b) => (b.tree.problem.difficulty ?? 0) - (a.tree.problem.difficulty ?? 0) || a.i - b.i)
    .map((o) => o.tree);
  const maxThinkingTokens = options.maxThinkingTokens ?? 8192;
  const config: EngineConfig = {
    delims: { thinkOpen: template.thinkOpen, thinkClose: template.thinkClose },
    opensInPrompt: !template.opensThinkingItself,
    stop: [...template.stopStrings],
    sampling,
    topLogprobs: options.topLogprobs ?? 5,
    maxThinkingTokens,
    answerTokens: options.answerTokens ?? 512,
    probeTokens: options.probeTokens ?? 24,
    scanChunk: options.scanChunk ?? 64,
    capClose: options.capClose ?? S1_CLOSE,
    maxRequestsPerResult: options.maxRequestsPerResult ?? defaultRequestBudget(maxThinkingTokens, options.answerTokens ?? 512),
  };
  return { plan, config, sampling, seed, concurrency: Math.max(1, options.concurrency ?? 1) };
}

/** What the store records about the run: the environment that decides its outcomes. */
function runMeta(options: RunPlanOptions, info: ModelInfo, { config, sampling, seed, concurrency }: Schedule): RunMeta {
  return {
    runId: options.runId,
    suite: options.suite ?? '',
    model: options.model,
    startedAt: new Date().toISOString(),
    environment: {
      thinkprobe: version,
      server: info.serverVersion,
      digest: info.digest,
      backend: options.backend.label,
      template: options.template.name,
      sampling,
      seed,
      samples: options.samples ?? 1,
      maxThinkingTokens: config.maxThinkingTokens,
      answerTokens: config.answerTokens,
      probeTokens: config.probeTokens,
      topLogprobs: config.topLogprobs,
      concurrency,
    },
  };
}

/** Runs the plan on `concurrency` workers, each taking the next tree when done; returns the error that stopped the run, if any. */
async function runWorkers(options: RunPlanOptions, info: ModelInfo, { plan, config, concurrency }: Schedule, state: RunState, inner: AbortController): Promise<unknown> {
  const gate = concurrency > 1 ? new SlotGate() : undefined;
  const onRequest = (_cost: RequestCost) => state.emit();
  let next = 0;
  let failure: unknown;
  const workerLoop = async (id: number): Promise<void> => {
    const worker = new Worker(id, options.backend, options.store, { name: options.model, digest: info.digest }, state.stats, inner.signal, onRequest, gate);
    while (failure === undefined && !inner.signal.aborted) {
      const planned = plan[next++];
      if (!planned) {
        gate?.retire(id);
        return;
      }
      try {
        await runTree(planned, worker, { options, config, state, signal: inner.signal });
      } catch (error) {
        gate?.retire(id);
        if (failure === undefined) failure = error;
        inner.abort(error);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, (_, i) => workerLoop(i)));
  return failure;
}

interface TreeRun {
  options: RunPlanOptions;
  config: EngineConfig;
  state: RunState;
  /** The run's own signal: aborted by Ctrl-C or by another tree's failure. */
  signal: AbortSignal;
}

/** Runs one trace tree (every intervention of one problem x sample on a shared trunk), then collects its results. */
async function runTree(planned: PlannedTree<Intervention>, worker: Worker, run: TreeRun): Promise<void> {
  const { config, state } = run;
  worker.startTree();
  const tree = new Tree(planned.key, planned.prompt, { ...config, seed: planned.seed, namespace: planned.namespace }, worker, state.streams);
  const release = tree.hold();
  const done = planned.interventions.map((intervention) => {
    const consumer = new Consumer(`${planned.problem.id}|${intervention.describe()}|${planned.sample}`, config.maxRequestsPerResult);
    tree.consumers.push(consumer);
    const ctx = new InterventionContext(tree, consumer, planned.problem, planned.sample);
    return tree.spawn(() => intervention.run(ctx)).then(
      (output): Outcome => ({ intervention, consumer, output }),
      (error: unknown): Outcome => {
        // The server being gone (or Ctrl-C) stops the run; a request this problem cannot make
        // (prompt over num_ctx, a reply unusable after retries) is this result's error row, so
        // the rest of the run goes on and a rerun does not stop at the same problem again.
        if (!(error instanceof InputError || error instanceof ResultBudgetError) || run.signal.aborted) throw error;
        return { intervention, consumer, error: `problem ${planned.problem.id}: ${oneLine(error.message)}` };
      },
    );
  });
  release();
  const outputs = await Promise.all(done);
  // Cost attribution needs every result of the tree: rows are written once the tree is done.
  const { perConsumer } = attributeSpent(tree.consumers);
  for (const outcome of outputs) {
    const cost = { alone: aloneCost(outcome.consumer), spent: perConsumer.get(outcome.consumer) ?? { prefill: 0, decoded: 0, wallMs: 0 } };
    const result = await collectResult(planned, outcome, cost, run);
    state.add(result, outcome.intervention.describe(), cost.alone, cost.spent);
  }
  state.treeDone(minimalCost(tree.consumers));
  // A finished tree's streams live on in the store; keep memory flat over long runs.
  for (const branch of tree.runs) state.streams.delete(branch.stream.key);
  state.emit();
}

/** One result of a finished tree: built, graded when the run has a grader, and stored. */
async function collectResult(
  planned: PlannedTree<Intervention>,
  outcome: Outcome,
  { alone, spent }: { alone: TokenCost; spent: SpentCost },
  { options, config }: TreeRun,
): Promise<Result> {
  const { intervention, consumer } = outcome;
  const row = buildRow({
    runId: options.runId,
    tree: planned,
    intervention,
    output: outcome.output ?? failedOutput(planned.prompt),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    consumer,
    delims: config.delims,
    opensInPrompt: config.opensInPrompt,
    alone,
    spent,
    alternatives: options.rowAlternatives ?? true,
  });
  if (options.grader && row.error === undefined) await gradeRow(row, planned.problem, options.grader);
  options.store.putResult(options.runId, row as unknown as Result & Record<string, unknown>);
  return row;
}

/** Sets the result's answer and each probe's answer against the reference. */
async function gradeRow(row: Result, problem: Problem, grader: Grader): Promise<void> {
  const grade = await gradeProblem(problem, row.answer, { grader });
  row.extracted = grade.extracted ?? null;
  row.correct = grade.correct;
  for (const p of row.probes) {
    if (p.answer !== undefined) p.correct = (await gradeProblem(problem, `\\boxed{${p.answer}}`, { grader })).correct;
  }
}

/** What the run has done so far: progress for the caller, results and their costs for the outcome. */
class RunState {
  readonly stats: EngineStats = { requests: 0, cacheHits: 0, newPrefill: 0, decoded: 0, wallMs: 0 };
  /** Streams of the trees in flight, shared by their branches. */
  readonly streams = new Map<string, Stream>();
  readonly results: Result[] = [];
  private readonly progress: Progress;
  private readonly minimal: TokenCost = { prefill: 0, decoded: 0 };
  private readonly alone: TokenCost = { prefill: 0, decoded: 0 };
  private readonly perIntervention = new Map<string, InterventionCost>();

  constructor(
    private readonly plan: readonly PlannedTree<Intervention>[],
    private readonly onProgress: ((progress: Progress) => void) | undefined,
  ) {
    this.progress = {
      trees: { done: 0, total: plan.length },
      results: { done: 0, total: plan.reduce((n, t) => n + t.interventions.length, 0) },
      requests: 0,
      cacheHits: 0,
      decodedTokens: 0,
      prefillTokens: 0,
    };
  }

  emit(): void {
    const { progress, stats } = this;
    progress.requests = stats.requests;
    progress.cacheHits = stats.cacheHits;
    progress.decodedTokens = stats.decoded;
    progress.prefillTokens = stats.newPrefill;
    this.onProgress?.({ ...progress, trees: { ...progress.trees }, results: { ...progress.results } });
  }

  add(result: Result, label: string, alone: TokenCost, spent: SpentCost): void {
    this.results.push(result);
    this.alone.prefill += alone.prefill;
    this.alone.decoded += alone.decoded;
    const agg = this.perIntervention.get(label) ?? { label, results: 0, alone: { prefill: 0, decoded: 0 }, tree: { prefill: 0, decoded: 0, wallMs: 0 } };
    agg.results++;
    agg.alone.prefill += alone.prefill;
    agg.alone.decoded += alone.decoded;
    agg.tree.prefill += spent.prefill;
    agg.tree.decoded += spent.decoded;
    agg.tree.wallMs += spent.wallMs;
    this.perIntervention.set(label, agg);
    this.progress.results.done++;
  }

  treeDone(minimal: TokenCost): void {
    this.minimal.prefill += minimal.prefill;
    this.minimal.decoded += minimal.decoded;
    this.progress.trees.done++;
  }

  outcome(runId: string, startedAt: string, status: RunOutcome['status'], wallMs: number): RunOutcome {
    return {
      runId,
      startedAt,
      status,
      results: this.results,
      spent: { ...this.stats },
      minimal: this.minimal,
      alone: this.alone,
      perIntervention: [...this.perIntervention.values()],
      trees: this.plan.length,
      wallMs,
    };
  }
}

/** What a program of a tree ended with: its output, or the one-line error that is its row. */
type Outcome = { intervention: Intervention; consumer: Consumer } & ({ output: InterventionOutput; error?: undefined } | { output?: undefined; error: string });

/** The trace of a result that could not be produced: the prompt alone. */
function failedOutput(prompt: string): InterventionOutput {
  return { trace: traceOf(prompt), capFired: false };
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Bad numbers are the user's to fix: one line naming the option. */
function validateOptions(options: RunPlanOptions): void {
  const ints: [keyof RunPlanOptions, number, number][] = [
    ['samples', 1, 1_000_000],
    ['concurrency', 1, 1024],
    ['maxThinkingTokens', 1, 10_000_000],
    ['answerTokens', 1, 10_000_000],
    ['probeTokens', 1, 10_000],
    ['topLogprobs', 0, 20],
    ['scanChunk', 1, 100_000],
    ['maxRequestsPerResult', 1, 100_000_000],
  ];
  for (const [key, min, max] of ints) {
    const v = options[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new InputError(key, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    }
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new InputError('seed', `expected an integer, got ${JSON.stringify(options.seed)}`);
  const s = options.sampling;
  if (s && !(s.temperature >= 0 && s.topP > 0 && s.topP <= 1 && Number.isInteger(s.topK) && s.topK >= 0)) {
    throw new InputError('sampling', `expected temperature >= 0, 0 < topP <= 1, integer topK >= 0, got ${JSON.stringify(s)}`);
  }
}
