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

export interface ConfidencePoint {
  /** Thinking tokens before the probe. */
  position: number;
  /** position / thinking length of the trace, 0..1. */
  normalized: number;
  /** Probability of the correct answer (sampled share or self-confidence), when measured. */
  pCorrect?: number;
  /** RaML's teacher-forced L-hat of the reference answer, when measured. */
  lhat?: number;
  /** Whether the L-hat is a bound (a reference token fell outside the top 20). */
  bounded?: boolean;
  /** Character offset of the probe in the text after the prompt (where the trace viewer marks it). */
  offset?: number;
}

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

export interface ResultSummary {
  problemId: string;
  intervention: string;
  sample: number;
  /** Extracted final answer; absent when the thinking never closed or no answer was found. */
  answer?: string;
  correct: boolean;
  thinkingTokens: number;
  answerTokens: number;
  capFired?: boolean;
  /** Against the golden baseline: this result was right and is now wrong (`lost`) or the reverse. */
  flip?: 'gained' | 'lost';
  confidence: ConfidencePoint[];
  /** Reflection words in the thinking: the token where each starts (the report recomputes the reflectionShift check's statistic from them). */
  reflections?: Array<{ position: number; word: string }>;
  /** Index into RunData.traces. */
  trace?: number;
  /** Why this result could not be produced (e.g. the prompt did not fit num_ctx); it counts as wrong. */
  error?: string;
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
}

export interface ComparisonFlip {
  problemId: string;
  intervention: string;
  sample: number;
  /** Whether the result was correct in A, and in B. */
  a: boolean;
  b: boolean;
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
}
