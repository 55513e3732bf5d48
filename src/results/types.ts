import type { ResultRow } from '../core/model.ts';
import type { InterventionSpec } from '../suite/schema/interventions.ts';

/**
 * What checks work on: rows (the core model's `ResultRow`, a result without its trace), golden
 * outcomes, check results and the context a check receives. Checks never see traces, only numbers.
 */

// The row a check reads is the core model's flat view of a result (src/core/model.ts).
export type { ConfidencePoint, ProbeBounds, ReflectionMark, ResultRow } from '../core/model.ts';

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
