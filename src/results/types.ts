import type { InterventionSpec } from '../suite/schema/interventions.ts';

/**
 * The plain results model checks work on. The engine (later `thinkprobe run`) turns its records
 * into these rows; checks never see traces, only these numbers.
 */

/** One confidence probe along a thinking trace. */
export interface ConfidencePoint {
  /** Thinking tokens before the probe. */
  position: number;
  /** position / the trace's thinking tokens, 0..1. */
  normalized: number;
  /** RaML's L-hat: teacher-forced negative mean log-probability of the reference answer. */
  lhat?: number;
  /** The model's probability of the right answer at this point, when measured. */
  pCorrect?: number;
}

/** A reflection word in the thinking ("Wait", "Alternatively", ...), at a thinking-token position. */
export interface ReflectionMark {
  position: number;
  word: string;
}

/** One problem x intervention x sample. */
export interface ResultRow {
  problemId: string;
  /** The intervention's label (see src/suite/labels.ts). */
  intervention: string;
  /** Sample index, 0-based. */
  sample: number;
  correct: boolean;
  thinkingTokens: number;
  answerTokens: number;
  /** Whether a budget cap closed the thinking (the model did not close it itself). */
  capFired: boolean;
  confidence: ConfidencePoint[];
  reflections: ReflectionMark[];
  /** Set when the row could not be produced (the answer is then not graded as correct). */
  error?: string;
  /**
   * L-hat probes measured on this row, how many were only top-k bounds (left out of `confidence`),
   * and the most alternatives the server returned for any of the row's tokens: skip reasons name
   * the real cause when every probe was a bound.
   */
  probeBounds?: { probes: number; bounded: number; alternatives: number; asked: number };
}

export interface LabeledIntervention {
  label: string;
  intervention: InterventionSpec;
}

/** Anything JSON can hold: evidence and counterexamples go into summary.json and junit.xml. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export type CheckVerdict = 'pass' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  name: string;
  verdict: CheckVerdict;
  /** One line for the terminal summary. */
  summary: string;
  evidence: { [key: string]: Json };
  /** For property checks: the minimal failing input found (after shrinking). */
  counterexample?: Json;
}

/** Runs one intervention over the suite's problems and samples (the engine provides it). */
export type Evaluate = (intervention: InterventionSpec) => Promise<ResultRow[]>;

/** Golden outcomes a regression check compares against (src/golden builds it from a golden file). */
export interface GoldenOutcome {
  problemId: string;
  intervention: string;
  sample: number;
  correct: boolean;
}

export interface CheckContext {
  rows: ResultRow[];
  interventions: LabeledIntervention[];
  /**
   * The golden baseline's outcomes, when the suite has one for this model; `environmentChanges`
   * lists settings that differ from the golden run (golden's environmentDifferences()), shown as evidence.
   */
  golden?: { file: string; outcomes: GoldenOutcome[]; environmentChanges?: string[] };
  /** For property checks: runs further interventions (cheap: they branch off existing trunks). */
  evaluate?: Evaluate;
  /** The suite's seed; property checks derive theirs from it unless given. */
  seed: number;
}

/** A check written in TypeScript (e.g. `property(...)`); JSON/YAML suites use check values instead. */
export interface CustomCheck {
  readonly kind: 'custom';
  readonly name: string;
  run(context: CheckContext): Promise<CheckResult>;
}

export function isCustomCheck(value: unknown): value is CustomCheck {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'custom' &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}
