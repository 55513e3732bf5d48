import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelInfo } from '../backends/backend.ts';
import { checkName, runCheck, throwIfCheckCrashed, type CheckContext, type CheckResult, type Evaluate, type LabeledIntervention } from '../checks/index.ts';
import { version } from '../core/version.ts';
import { InputError } from '../core/errors.ts';
import { runPlan, type Progress } from '../engine/index.ts';
import { buildGolden, compareWithGolden, environmentDifferences, readGolden, writeGolden, type GoldenEnvironment, type GoldenFile, type InterventionComparison } from '../golden/index.ts';
import { createGrader, type Grader } from '../grading/grader.ts';
import { interventionFromSpec, type Intervention as EngineIntervention } from '../interventions/index.ts';
import { loadAllProblems } from '../problems/load.ts';
import type { Problem } from '../problems/problem.ts';
import type { EstimateVsActual, RunData } from '../reports/run-data.ts';
import { openStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { labeledInterventions, loadSuite, type Suite } from '../suite/index.ts';
import { suiteGoldenPath } from '../suite/golden-path.ts';
import { interventionParams } from '../suite/labels.ts';
import type { Intervention as SuiteIntervention } from '../suite/schema/interventions.ts';
import { customTemplate, pickTemplate, TEMPLATE_NAMES, type ChatTemplate } from '../templates/index.ts';
import type { GradedResult, ResultRow } from '../core/model.ts';
import { checkRow, gradeRecord } from './assemble.ts';
import { cachedBackend } from './cached-backend.ts';
import { measureLhat, type LhatPoint } from './confidence-pass.ts';
import { writeRunFiles } from './outputs.ts';
import { chooseRunFolder, configHash } from './run-folder.ts';
import { buildRunData } from './run-data.ts';
import { openTarget, type ModelTarget } from './target.ts';
import { turn } from './turn.ts';
import { errorRateCheck, runVerdict, type RunVerdict } from '../checks/verdict.ts';
import { hostPool } from '../backends/hosts.ts';
import { checkOfflineCoverage, copyStore, offlineTarget, readStoredRun } from '../backends/offline.ts';
import { loadCard } from '../sim/model/index.ts';
import { estimateAgainstActual, estimateBeforeRun, type PlannedCost } from './estimate-pass.ts';
import { checkResumedModel, modelIdentity, recordModel } from './model-identity.ts';

export interface RunSuiteOptions {
  suiteFile: string;
  model?: string;
  host?: string;
  /** A built-in template name; overrides the suite's template. */
  template?: string;
  samples?: number;
  seed?: number;
  concurrency?: number;
  /** Keeps problems whose id contains this text (or matches it, written as /regex/). */
  filter?: string;
  /** Folder under which `<suite>/<run-id>/` is written. Default `reports`. */
  out?: string;
  updateGolden?: boolean;
  /** Start a new run even if an interrupted run of the same configuration exists. */
  fresh?: boolean;
  html?: boolean;
  /** `--offline --from RUN_DIR`: answer every request from that run's store, with no server. */
  offlineFrom?: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (progress: Progress) => void;
  /** A stage begins: `generation`, `L-hat probes (N results)`, `property case K (<intervention>)`, `checks`, `golden`, `reports`. */
  onStage?: (label: string) => void;
}

export interface RunSuiteOutcome {
  status: 'completed' | 'interrupted';
  /** Whether the run passes (no check failed, something was evaluated, errored results within maxErrorRate); absent when interrupted. */
  verdict?: RunVerdict;
  runDir: string;
  data?: RunData;
  /** Verdicts of the checks (empty when interrupted). */
  checks: CheckResult[];
  goldenWritten?: string;
}

export function problemFilter(filter: string | undefined): (p: Problem) => boolean {
  if (!filter) return () => true;
  const regex = /^\/(.+)\/([a-z]*)$/.exec(filter);
  if (regex) {
    let pattern: RegExp;
    try {
      // Without g/y: a stateful regex would skip every other matching id.
      pattern = new RegExp(regex[1] ?? '', (regex[2] ?? '').replace(/[gy]/g, ''));
    } catch (error) {
      throw new InputError('--filter', `expected a valid /regex/ (${(error as Error).message})`);
    }
    return (p) => pattern.test(p.id);
  }
  return (p) => p.id.includes(filter);
}

function chooseTemplate(suite: Suite, info: ModelInfo): ChatTemplate {
  const options = {
    ...(suite.promptSuffix === undefined ? {} : { promptSuffix: suite.promptSuffix }),
    ...(suite.prefillThink === undefined ? {} : { prefillThink: suite.prefillThink }),
  };
  if (typeof suite.template === 'object') return customTemplate(suite.template, 'suite template');
  return pickTemplate(info, suite.template, options);
}

/** The engine's intervention under the suite's label, so records, checks and reports share one name. */
function engineIntervention(labeled: LabeledIntervention): EngineIntervention {
  const built = interventionFromSpec(interventionParams(labeled.intervention), `intervention '${labeled.label}'`);
  return { ...built, run: built.run.bind(built), describe: () => labeled.label };
}

interface Session {
  suite: Suite;
  target: ModelTarget;
  info: ModelInfo;
  template: ChatTemplate;
  store: Store;
  grader: Grader;
  problems: Problem[];
  problemById: Map<string, Problem>;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  onStage?: (label: string) => void;
  log: (line: string) => void;
}

/** Runs interventions as trace trees, measures L-hat where probes were taken, and grades every result. */
async function execute(session: Session, runId: string, labeled: readonly LabeledIntervention[]): Promise<{ status: 'completed' | 'interrupted'; graded: GradedResult[]; startedAt: string }> {
  const { suite, target, store } = session;
  const outcome = await runPlan({
    backend: target.backend,
    store,
    model: target.model,
    modelInfo: session.info,
    template: session.template,
    problems: session.problems,
    interventions: labeled.map(engineIntervention),
    runId,
    suite: suite.name,
    samples: suite.samples,
    seed: suite.seed,
    sampling: suite.sampling,
    ...(suite.system === undefined ? {} : { system: suite.system }),
    concurrency: session.concurrency,
    maxThinkingTokens: suite.maxThinkingTokens,
    answerTokens: suite.answerTokens,
    ...(session.signal ? { signal: session.signal } : {}),
    ...(session.onProgress ? { onProgress: session.onProgress } : {}),
  });
  if (outcome.status === 'interrupted') return { status: 'interrupted', graded: [], startedAt: outcome.startedAt };
  const probed = outcome.results.filter((r) => r.probes.length > 0);
  // A stage of its own (no stray log line): only when some result took probes.
  if (probed.length > 0 && !runId.endsWith(':property')) session.onStage?.(`L-hat probes (${probed.length} result${probed.length === 1 ? '' : 's'})`);
  const layout = { delims: { thinkOpen: session.template.thinkOpen, thinkClose: session.template.thinkClose }, opensInPrompt: !session.template.opensThinkingItself };
  const lhat = await measureLhat({
    backend: cachedBackend(target.backend, store, session.info, 'lhat'),
    model: target.model,
    records: probed,
    problems: session.problemById,
    layout,
    ...(session.signal ? { signal: session.signal } : {}),
  });
  const order = new Map(labeled.map(({ label }, i) => [label, i]));
  const records = [...outcome.results].sort(
    (a, b) =>
      (order.get(a.intervention.label) ?? 0) - (order.get(b.intervention.label) ?? 0) || a.problemId.localeCompare(b.problemId) || a.sample - b.sample,
  );
  const graded: GradedResult[] = [];
  for (const record of records) {
    const problem = session.problemById.get(record.problemId);
    if (!problem) continue;
    graded.push(await gradeRecord(record, problem, session.grader, layout, lhat.get(record.key) ?? []));
  }
  return { status: 'completed', graded, startedAt: outcome.startedAt };
}

/** A suite loaded and checked, with its problems, before any work starts. */
export interface PreparedSuite {
  loaded: Awaited<ReturnType<typeof loadSuite>>;
  suite: Suite;
  problems: Problem[];
  labeled: LabeledIntervention[];
  concurrency: number;
  /** With --offline --from: the earlier run whose store answers every request. */
  offline?: ReturnType<typeof readStoredRun>;
}

/** Bad input found while preparing a suite names the suite it came from. */
function inSuite(suiteFile: string, error: unknown): unknown {
  if (!(error instanceof InputError) || error.where.startsWith(suiteFile)) return error;
  return new InputError(`${suiteFile}: ${error.where}`, error.expected);
}

/**
 * Loads a suite, applies the flags, loads and filters its problems (datasets found and read), and
 * checks the model: everything that can be bad input, before any work starts (`run a b` checks
 * both suites before running `a`).
 */
export async function prepareSuite(options: RunSuiteOptions): Promise<PreparedSuite> {
  const loaded = await loadSuite(options.suiteFile);
  const suite: Suite = {
    ...loaded.suite,
    ...(options.model ? { model: options.model } : {}),
    ...(options.template ? { template: options.template } : {}),
    ...(options.samples ? { samples: options.samples } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  };
  checkModel(suite.model, options);
  // The same words pickTemplate would say later, after the server was reached: say them before any work.
  if (options.template !== undefined && !(TEMPLATE_NAMES as readonly string[]).includes(options.template.trim().toLowerCase())) {
    throw new InputError('--template', `unknown template '${options.template}'; expected one of ${TEMPLATE_NAMES.join(', ')} (or a custom template in the suite)`);
  }
  const keep = problemFilter(options.filter);
  let problems: Problem[];
  try {
    problems = (await loadAllProblems(suite.problems, { root: loaded.root })).filter(keep);
  } catch (error) {
    throw inSuite(options.suiteFile, error);
  }
  if (problems.length === 0) throw new InputError(options.filter ? '--filter' : `${options.suiteFile}: /problems`, 'expected at least one problem to run');
  const labeled = labeledInterventions(suite);
  const offline = options.offlineFrom === undefined ? undefined : readStoredRun(options.offlineFrom);
  if (offline) checkOfflineCoverage(offline, labeled.map((l) => l.label), problems.map((p) => p.id));
  const pool = offline ? undefined : hostPool(suite.model, options.host, options.concurrency);
  const concurrency = pool?.concurrency ?? options.concurrency ?? (suite.model.startsWith('sim:') ? 4 : 1);
  return { loaded, suite, problems, labeled, concurrency, ...(offline ? { offline } : {}) };
}

/** A `sim:` card must exist, and runs in-process: a --host beside it would be silently ignored. */
function checkModel(model: string, options: RunSuiteOptions): void {
  const where = options.model ? '--model' : `${options.suiteFile}: model`;
  if (!model.startsWith('sim:')) return;
  const card = model.slice('sim:'.length) || 'sim-qwq';
  if (options.host) {
    throw new InputError(
      '--host',
      `a sim: model runs in-process and uses no server; to run the simulator over HTTP, start it with \`thinkprobe sim --port P\` and run with --model ${card} --host http://127.0.0.1:P`,
    );
  }
  try {
    loadCard(card);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${where} ${model}`, error.expected);
    throw error;
  }
}

/** `thinkprobe run`: suite -> trace trees -> grading and confidence -> checks -> golden -> reports. */
export async function runSuite(options: RunSuiteOptions, prepared?: PreparedSuite): Promise<RunSuiteOutcome> {
  const suiteRun = prepared ?? (await prepareSuite(options));
  const opened = await openRun(options, suiteRun);
  const { folder, target } = opened;
  const store = openStore(join(folder.dir, 'store.sqlite'));
  const grader = createGrader({ workers: 1 });
  const interrupted: RunSuiteOutcome = { status: 'interrupted', runDir: folder.dir, checks: [] };
  try {
    // Opening the store and, next, reading an earlier run for the estimate are each a stretch of synchronous work.
    await turn();
    const session = openSession(options, suiteRun, opened, store, grader);
    // Cost estimate vs actual (estimate-pass.ts): planned here, before any generation, reported with the run's data.
    const planned = planCost(options, suiteRun, opened);
    await turn();
    options.onStage?.('generation');
    const main = await execute(session, folder.runId, suiteRun.labeled);
    if (main.status === 'interrupted') return interrupted;
    const rows = main.graded.map(checkRow);
    const environment = runEnvironment(session, suiteRun.concurrency);
    const golden = await goldenSetup(options, suiteRun, opened, environment);
    const checks = await runChecks(options, suiteRun, golden, checkContext(options, session, suiteRun, folder.runId, rows, golden));
    const errorRate = errorRateCheck(main.graded, suiteRun.suite.maxErrorRate);
    if (errorRate) checks.push(errorRate);
    const verdict = runVerdict(checks, { goldenWrite: options.updateGolden === true });
    // Files mark a run as finished: a run stopped while checks ran must stay resumable instead.
    if (options.signal?.aborted) return interrupted;
    const comparison = golden.file ? compareWithGolden(golden.file.outcomes, rows, suiteRun.labeled.map((l) => l.label)) : undefined;
    const goldenWritten = options.updateGolden ? await updateGolden(options, suiteRun, golden, rows) : undefined;
    options.onStage?.('reports');
    const run: RunData['run'] = { id: folder.runId, suite: suiteRun.suite.name, model: target.requested, startedAt: main.startedAt, finishedAt: new Date().toISOString(), thinkprobeVersion: version, environment };
    const written = { golden, ...(comparison ? { comparison } : {}), ...(goldenWritten ? { goldenWritten } : {}) };
    const estimate = estimateAgainstActual(planned, { graded: main.graded, store, startedAt: main.startedAt, log: options.log });
    const data = await writeReports(options, suiteRun, { dir: folder.dir, run, results: main.graded, checks, verdict, ...estimate, ...written });
    // A crash inside a registered check is a bug: exit 70 with its stack, after the files above are written.
    throwIfCheckCrashed(checks);
    return { status: 'completed', verdict, runDir: folder.dir, data, checks, ...(goldenWritten ? { goldenWritten } : {}) };
  } catch (error) {
    // Ctrl-C can land in any stage (L-hat probes, property checks): what finished is in the store.
    if (options.signal?.aborted) return interrupted;
    throw error;
  } finally {
    store.close();
    await grader.close();
    await target.close();
  }
}

/** A run's folder and model target, checked before anything is written. */
interface OpenedRun {
  folder: ReturnType<typeof chooseRunFolder>;
  target: ModelTarget;
  info: ModelInfo;
  template: ChatTemplate;
}

/**
 * Picks the run folder (resuming an interrupted run of the same configuration), opens the model
 * target and asks it about the model. A run refused here leaves no folder that would later look resumable.
 */
async function openRun(options: RunSuiteOptions, { suite, problems, concurrency, offline }: PreparedSuite): Promise<OpenedRun> {
  const hash = configHash({
    suite: { ...suite, checks: suite.checks.length },
    problems: problems.map((p) => [p.id, p.question, p.answer]),
    // Not the host list: a run resumed on other hosts (or re-analysed offline) is the same study.
    host: null,
    ...(offline ? { offline: true } : {}),
  });
  const out = options.out ?? 'reports';
  const folder = chooseRunFolder({ out, suite: suite.name, hash, fresh: options.fresh === true });
  const target: ModelTarget = offline
    ? offlineTarget(offline, suite.model, problems)
    : await openTarget({ model: suite.model, ...(options.host ? { host: options.host } : {}), ...(options.concurrency ? { hostSlots: options.concurrency } : {}), numCtx: suite.numCtx, parallel: concurrency, problems, onRetry: options.log });
  let info: ModelInfo;
  let template: ChatTemplate;
  try {
    info = await target.backend.describe(target.model);
    template = chooseTemplate(suite, info);
    // A resume must meet the model the run started with (model-identity.ts): exit 2 otherwise.
    checkResumedModel(folder.dir, folder.resumed, modelIdentity(target.requested, info, target.backend));
  } catch (error) {
    await target.close();
    throw error;
  }
  try {
    mkdirSync(folder.dir, { recursive: true });
  } catch (error) {
    await target.close();
    throw new InputError(`--out ${out}`, `expected a folder thinkprobe can write to (${(error as { code?: string }).code ?? (error as Error).message})`);
  }
  if (folder.resumed) options.log(`resuming interrupted run ${folder.runId}: finished work is replayed from its store`);
  recordModel(folder.dir, modelIdentity(target.requested, info, target.backend));
  if (offline && !folder.resumed) await copyStore(offline, join(folder.dir, 'store.sqlite'));
  return { folder, target, info, template };
}

function openSession(options: RunSuiteOptions, { suite, problems, concurrency }: PreparedSuite, { target, info, template }: OpenedRun, store: Store, grader: Grader): Session {
  return {
    suite,
    target,
    info,
    template,
    store,
    grader,
    problems,
    problemById: new Map(problems.map((p) => [p.id, p])),
    concurrency,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onStage ? { onStage: options.onStage } : {}),
    log: options.log,
  };
}

/** What the plan will cost, estimated before any generation from the latest finished run in --out, else the golden, else the plan alone. */
function planCost(options: RunSuiteOptions, { suite, problems, labeled, loaded, concurrency }: PreparedSuite, { folder, target }: OpenedRun): PlannedCost {
  return estimateBeforeRun({
    out: options.out ?? 'reports',
    suite: suite.name,
    runDir: folder.dir,
    goldenFile: suiteGoldenPath(loaded, target.requested),
    labels: labeled.map((l) => l.label),
    resultsPerLabel: problems.length * suite.samples,
    maxThinkingTokens: suite.maxThinkingTokens,
    answerTokens: suite.answerTokens,
    concurrency,
  });
}

/** The settings a run records with its results (summary.json, the report, the golden's outcome options). */
function runEnvironment({ suite, info, target, template }: Session, concurrency: number) {
  return {
    server: info.serverVersion,
    digest: info.digest,
    backend: target.backend.label,
    template: template.name,
    samples: suite.samples,
    seed: suite.seed,
    temperature: suite.sampling.temperature,
    top_p: suite.sampling.topP,
    top_k: suite.sampling.topK,
    maxThinkingTokens: suite.maxThinkingTokens,
    answerTokens: suite.answerTokens,
    num_ctx: suite.numCtx,
    concurrency,
  };
}

/** The golden baseline a run compares with (none while it writes one), and where --update-golden writes. */
interface GoldenSetup {
  /** Where the suite's golden for this model is read. */
  path: string;
  file: GoldenFile | undefined;
  /** --update-golden records this run's model, even when the suite compares against another's. */
  updatePath: string;
  environment: GoldenEnvironment;
}

async function goldenSetup(options: RunSuiteOptions, { loaded }: PreparedSuite, { target, info }: OpenedRun, environment: ReturnType<typeof runEnvironment>): Promise<GoldenSetup> {
  // Only settings that decide outcomes: the server address and concurrency do not.
  const { backend: _backend, concurrency: _concurrency, server: _server, digest: _digest, ...outcomeOptions } = environment;
  const goldenEnvironment = { model: target.requested, digest: info.digest, serverVersion: info.serverVersion, thinkprobeVersion: version, options: outcomeOptions };
  const path = suiteGoldenPath(loaded, target.requested);
  const file = options.updateGolden ? undefined : await readGolden(path);
  const { model: _compareWith, ...goldenSettings } = loaded.suite.golden ?? {};
  const updatePath = suiteGoldenPath({ ...loaded, suite: { ...loaded.suite, golden: goldenSettings } }, target.requested);
  return { path, file, updatePath, environment: goldenEnvironment };
}

/** What checks see: the rows, the golden outcomes, and a way to evaluate further interventions (property checks). */
function checkContext(options: RunSuiteOptions, session: Session, { labeled, suite }: PreparedSuite, runId: string, rows: ResultRow[], golden: GoldenSetup): CheckContext {
  let extra = 0;
  const evaluate: Evaluate = async (intervention: SuiteIntervention) => {
    // Property checks run further interventions; their trunks replay from this run's store.
    const label = `property-${extra++}`;
    options.onStage?.(`property case ${extra} (${describeCase(intervention)})`);
    const result = await execute(session, `${runId}:property`, [{ label, intervention }]);
    // An interrupted evaluation has no rows: it must not reach a predicate as an empty result.
    if (result.status === 'interrupted') throw new Error('interrupted');
    return result.graded.map(checkRow);
  };
  const { file } = golden;
  return {
    rows,
    interventions: labeled,
    ...(file ? { golden: { file: golden.path, outcomes: file.outcomes, environmentChanges: environmentDifferences(file.environment, golden.environment) } } : {}),
    evaluate,
    seed: suite.seed,
  };
}

/** The suite's checks in order. While a run writes the golden there is nothing to compare with: noRegression is skipped, not failed. */
async function runChecks(options: RunSuiteOptions, { suite }: PreparedSuite, golden: GoldenSetup, context: CheckContext): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  if (suite.checks.length > 0) options.onStage?.('checks');
  for (const check of suite.checks) {
    const writesGolden = options.updateGolden && 'type' in check && check.type === 'noRegression';
    checks.push(
      writesGolden
        ? { name: checkName(check), verdict: 'skipped', summary: `this run writes the golden (${golden.updatePath})`, evidence: {} }
        : await runCheck(check, context),
    );
  }
  return checks;
}

/** --update-golden: this run's outcomes become the baseline. Returns the file written. */
async function updateGolden(options: RunSuiteOptions, { suite, labeled }: PreparedSuite, golden: GoldenSetup, rows: ResultRow[]): Promise<string> {
  options.onStage?.('golden');
  const model = golden.environment.model;
  await writeGolden(golden.updatePath, buildGolden({ suite: suite.name, model, environment: golden.environment, interventions: labeled, rows }));
  return golden.updatePath;
}

interface RunOutputs {
  dir: string;
  run: RunData['run'];
  results: GradedResult[];
  checks: CheckResult[];
  verdict: RunVerdict;
  golden: GoldenSetup;
  comparison?: InterventionComparison[];
  goldenWritten?: string;
  estimate?: EstimateVsActual;
}

/** The report data and the run's files. Everything here works on values thinkprobe computed itself: an InputError is a bug (exit 70), not bad input. */
async function writeReports(options: RunSuiteOptions, { problems, labeled }: PreparedSuite, outputs: RunOutputs): Promise<RunData> {
  const { checks, verdict, comparison, goldenWritten, golden, estimate } = outputs;
  return asInternal(async () => {
    // Checks, the verdict and the cost figures ran just before: let the loop turn before and after the report data.
    await turn();
    const data: RunData = {
      ...buildRunData({ run: outputs.run, interventions: labeled, problems, results: outputs.results, checks, ...(comparison ? { comparison } : {}) }),
      verdict,
      ...(estimate ? { estimate } : {}),
    };
    await turn();
    await writeRunFiles({
      dir: outputs.dir,
      data,
      results: outputs.results,
      problems,
      html: options.html !== false,
      summary: {
        run: data.run,
        suiteFile: options.suiteFile,
        interventions: data.interventions,
        labeled,
        checks,
        verdict,
        golden: goldenWritten ? { written: goldenWritten } : golden.file ? { file: golden.path, comparison } : null,
        ...(estimate ? { estimate } : {}),
      },
    });
    return data;
  });
}

/** A property case's parameter as a user reads it: `budget tokens=1234`. */
function describeCase(intervention: SuiteIntervention): string {
  return Object.entries(intervention as unknown as Record<string, unknown>)
    .map(([key, value]) => (key === 'type' ? String(value) : `${key}=${JSON.stringify(value)}`))
    .join(' ');
}

/** Runs thinkprobe's own computation; an InputError escaping it is a bug of ours, reported as internal with its cause. */
async function asInternal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InputError) throw new Error(`internal error while building the run's outputs: ${error.message}`, { cause: error });
    throw error;
  }
}

export type { LhatPoint };
