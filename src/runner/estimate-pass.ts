import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { CostFigures, EstimateVsActual } from '../reports/run-data.ts';
import type { Store } from '../store/store.ts';
import type { GradedResult } from '../core/model.ts';
import { estimateCost, readGoldenPrior, readPrior, type Estimate, type Prior } from './estimate.ts';

/**
 * A run estimates its own cost before generating, with the code of `thinkprobe estimate`, and
 * reports the estimate against what it spent (summary.md, the HTML report, and one terminal line
 * when a figure is off by more than 2x). The prior is the most recent finished run of the same
 * suite in the same output folder (measured prompt and generated tokens, requests, wall time),
 * else the suite's golden file (generated tokens), else the plan alone (a bound).
 */

export interface PlannedCost {
  estimate: Estimate;
  basis: string;
}

export interface PlanShape {
  /** The `--out` folder; earlier runs of the suite are in `<out>/<suite>/`. */
  out: string;
  suite: string;
  /** This run's folder, never its own prior. */
  runDir: string;
  goldenFile: string;
  labels: string[];
  resultsPerLabel: number;
  maxThinkingTokens: number;
  answerTokens: number;
  concurrency: number;
}

/** Off by more than this factor either way: one line on the terminal. */
const OFF_FACTOR = 2;
/** Below this, a run's wall time is mostly startup, grading and reports, which no prior prices: not compared. */
const WALL_FLOOR_MS = 10_000;

/** The latest finished run folder of the suite (summary.json written last), other than this one. */
function previousRun(shape: PlanShape): string | undefined {
  const parent = join(shape.out, shape.suite);
  if (!existsSync(parent)) return undefined;
  const own = resolve(shape.runDir);
  const finished = readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((dir) => resolve(dir) !== own && existsSync(join(dir, 'summary.json')) && existsSync(join(dir, 'results.jsonl')))
    .sort();
  return finished.at(-1);
}

/** An unreadable earlier run or golden file must not stop this run: the estimate falls back to the next prior. */
function tryPrior(read: () => Prior): Prior | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

function describeBasis(estimate: Estimate, prior: Prior | undefined): string {
  if (!prior || estimate.basis === 'upper-bound') return 'the plan alone: generated tokens at most maxThinkingTokens + answerTokens per result, at least one request per result';
  const from = prior.measuredPrompt === false ? `the golden file ${prior.source}` : `the earlier run ${prior.source}`;
  return estimate.unpriced.length > 0 ? `${from}; the plan alone for ${estimate.unpriced.join(', ')}` : from;
}

/** Before generating: the plan's cost from the best prior at hand. */
export function estimateBeforeRun(shape: PlanShape): PlannedCost {
  const earlier = previousRun(shape);
  const prior =
    (earlier === undefined ? undefined : tryPrior(() => readPrior(earlier))) ??
    (existsSync(shape.goldenFile) ? tryPrior(() => readGoldenPrior(shape.goldenFile)) : undefined);
  const estimate = estimateCost({
    labels: shape.labels,
    resultsPerLabel: shape.resultsPerLabel,
    maxThinkingTokens: shape.maxThinkingTokens,
    answerTokens: shape.answerTokens,
    prior,
    latency: undefined,
    concurrency: shape.concurrency,
  });
  return { estimate, basis: describeBasis(estimate, prior) };
}

/** What the run spent: requests in its store, its trees' new prefill and decoded tokens, wall time since its first start. */
export function actualCost(graded: readonly GradedResult[], store: Store, startedAt: string, now: Date = new Date()): CostFigures {
  const started = Date.parse(startedAt);
  return {
    requests: store.cacheStats().entries,
    promptTokens: Math.round(graded.reduce((n, g) => n + g.cost.tree.prefill, 0)),
    generatedTokens: Math.round(graded.reduce((n, g) => n + g.cost.tree.decoded, 0)),
    wallMs: Number.isFinite(started) ? Math.max(0, now.getTime() - started) : null,
  };
}

const NAMES: Record<keyof CostFigures, string> = { requests: 'requests', promptTokens: 'prompt tokens', generatedTokens: 'generated tokens', wallMs: 'wall time (ms)' };

/** Figures off by more than 2x, in words; none for a plan-alone estimate (its figures are bounds, not guesses). */
export function offByMoreThan2x(compared: EstimateVsActual): string[] {
  if (compared.kind !== 'measured') return [];
  return (Object.keys(NAMES) as (keyof CostFigures)[]).flatMap((key) => {
    const e = compared.estimate[key];
    const a = compared.actual[key];
    if (e === null || a === null || e <= 0 || a <= 0) return [];
    if (key === 'wallMs' && Math.max(e, a) < WALL_FLOOR_MS) return [];
    return Math.max(e / a, a / e) > OFF_FACTOR ? [`${NAMES[key]} ${Math.round(e)} estimated, ${Math.round(a)} actual`] : [];
  });
}

/** After the run: the estimate against the actual, for RunData (`...estimateAgainstActual(...)`), and the terminal line when off. */
export function estimateAgainstActual(
  planned: PlannedCost,
  run: { graded: readonly GradedResult[]; store: Store; startedAt: string; log: (line: string) => void },
): { estimate: EstimateVsActual } {
  const e = planned.estimate;
  const compared: EstimateVsActual = {
    kind: e.basis,
    basis: planned.basis,
    estimate: { requests: e.requests, promptTokens: e.promptTokens, generatedTokens: e.generatedTokens, wallMs: e.wallMs },
    actual: actualCost(run.graded, run.store, run.startedAt),
  };
  const off = offByMoreThan2x(compared);
  if (off.length > 0) run.log(`cost estimate off by more than ${OFF_FACTOR}x: ${off.join('; ')} (summary.md shows both)`);
  return { estimate: compared };
}
