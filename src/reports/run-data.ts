import type { ResultRow } from '../core/model.ts';
import type { CheckVerdict } from '../results/types.ts';

/**
 * Everything a report shows, in one serializable value. The run command assembles it from the
 * store's records; `thinkprobe report <run-dir>` rebuilds it from the same records, so every number
 * a report shows is reproducible from what the run stored.
 */

export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface InterventionSummary {
  /** Display label and key, e.g. `budget(512)`. */
  label: string;
  type: string;
  params: Record<string, unknown>;
  /** Samples graded (problems x samples). */
  n: number;
  accuracy: Interval;
  meanThinkingTokens: number;
  meanAnswerTokens: number;
  /** Server work (new prefill + decoded tokens) this intervention would cost run alone, and its share of what the tree spent. */
  costAlone: number;
  costShared: number;
  /** For budget interventions: the cap in thinking tokens (drives the budget curves). */
  budget?: number;
  onParetoFrontier?: boolean;
  /** Results that could not be produced (a request failed): not in `n`, the accuracy or the token means. */
  errored?: number;
}

/** A check's verdict as reports show it: the results model's `CheckVerdict` (one declaration). */
export type Verdict = CheckVerdict;

export interface CheckSummary {
  name: string;
  verdict: Verdict;
  summary: string;
  evidence?: unknown;
  counterexample?: unknown;
}

export interface ProblemSummary {
  id: string;
  question: string;
  answer: string;
  source?: string;
  difficulty?: number;
}

// One confidence point, one row shape: the core model's (src/core/model.ts).
export type { ConfidencePoint } from '../core/model.ts';

/**
 * The trace viewer's view of a result's trace: text only (no tokens or alternatives, unlike the
 * core model's `StoredTrace`), with probes at character offsets. Its own type because it is what
 * every HTML report embeds: tokens would multiply its size for nothing the viewer draws.
 */
export interface TraceSegment {
  kind: 'prompt' | 'generated' | 'injected';
  text: string;
  /** For injected text: which intervention put it there. */
  label?: string;
}

export interface TraceRecord {
  segments: TraceSegment[];
  /** Probe points drawn along the trace: character offset into the concatenated non-prompt segments. */
  /** `bounded`: the L-hat there is only a lower bound (a reference token fell outside the top 20). */
  probes: Array<{ offset: number; position: number; pCorrect?: number; lhat?: number; bounded?: boolean }>;
}

/**
 * A result as the report shows it: the core model's flat row (no trace: it is in
 * `RunData.traces`, by index), with the golden flip. Probe bounds are left out (the report's data
 * is embedded in every HTML report and does not show them); reflections are optional (older run folders lack them).
 */
export interface ResultSummary extends Omit<ResultRow, 'capFired' | 'reflections' | 'probeBounds'> {
  capFired?: boolean;
  /** Against the golden baseline: this result was right and is now wrong (`lost`) or the reverse. */
  flip?: 'gained' | 'lost';
  /** Reflection words in the thinking: the token where each starts (the report recomputes the reflectionShift check's statistic from them). */
  reflections?: ResultRow['reflections'];
  /** Index into RunData.traces. */
  trace?: number;
}

export interface ComparisonSide {
  id: string;
  model: string;
}

/** One shared intervention of a comparison: accuracies on the paired results and their difference B - A. */
export interface ComparisonSummaryRow {
  intervention: string;
  pairs: number;
  accuracyA: number;
  accuracyB: number;
  difference: number;
  low: number;
  high: number;
  /**
   * One-sided p that B is worse than A (what the verdict uses): exact McNemar with one sample per
   * problem, the sign-flip test on per-problem differences (clustered by problem) with more.
   */
  worseP: number;
  lost: number;
  gained: number;
  /**
   * The paired test behind worseP (src/metrics/format.ts pairedTestName words it). `stratified`:
   * the runs have different samples of some problem, so they are paired by problem, not by sample:
   * `pairs` then counts problems, and `lost`/`gained` the problems whose accuracy fell/rose.
   */
  test?: 'mcnemar' | 'sign-flip' | 'stratified';
  /** Most samples a problem has in A, and in B, under this intervention. */
  samplesA?: number;
  samplesB?: number;
}

export interface ComparisonFlip {
  problemId: string;
  intervention: string;
  /** Absent when the runs are paired by problem (different samples per problem): the flip is the problem's. */
  sample?: number;
  /** Whether the result was correct in A, and in B; paired by problem: whether A's accuracy was higher, and B's. */
  a: boolean;
  b: boolean;
  /** Paired by problem: the problem's right answers and samples in A and in B. */
  correctA?: number;
  samplesA?: number;
  correctB?: number;
  samplesB?: number;
}

export interface Comparison {
  a: ComparisonSide;
  b: ComparisonSide;
  rows: ComparisonSummaryRow[];
  flips: ComparisonFlip[];
}

export interface RunData {
  run: {
    id: string;
    suite: string;
    model: string;
    startedAt: string;
    finishedAt?: string;
    thinkprobeVersion: string;
    environment: Record<string, string | number | boolean>;
  };
  interventions: InterventionSummary[];
  checks: CheckSummary[];
  problems: ProblemSummary[];
  results: ResultSummary[];
  traces: TraceRecord[];
  /** Present in a `thinkprobe compare` report: B against A, paired per problem and sample. */
  comparison?: Comparison;
  /** RaML Figure 6: mean relative L-hat change at reflection words vs at all positions, per intervention. */
  reflectionShift?: Array<{ intervention: string; atReflection: number; allPositions: number; count: number }>;
  /** Whether the run passed and why (src/checks/verdict.ts), when the run computed it. */
  verdict?: { passed: boolean; headline: string };
  /** The plan's cost estimate, made before generating (as `thinkprobe estimate`), against what the run spent. */
  estimate?: EstimateVsActual;
}

/** A run's cost: requests, new prefill (prompt) tokens, generated tokens, wall time; null where unknown. */
export interface CostFigures {
  requests: number | null;
  promptTokens: number | null;
  generatedTokens: number | null;
  wallMs: number | null;
}

export interface EstimateVsActual {
  /** 'measured': every intervention had a prior; 'upper-bound': none (generated tokens a bound, requests a floor); 'mixed'. */
  kind: 'measured' | 'upper-bound' | 'mixed';
  /** Where the prior came from, in words (an earlier run folder, a golden file, or the plan alone). */
  basis: string;
  estimate: CostFigures;
  actual: CostFigures;
}
