import type { CheckContext, LabeledIntervention, ResultRow } from './types.ts';
import type { InterventionSpec } from '../suite/schema/interventions.ts';
import { interventionLabel } from '../suite/labels.ts';

/** Builders for constructed result sets in the checks' tests. */

export function row(problemId: string, intervention: string, correct: boolean, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    problemId,
    intervention,
    sample: 0,
    correct,
    thinkingTokens: 1000,
    answerTokens: 100,
    capFired: false,
    confidence: [],
    reflections: [],
    ...extra,
  };
}

/** n rows for one intervention, the first `correct` of them correct. */
export function rowsFor(intervention: string, n: number, correct: number, extra: Partial<ResultRow> = {}): ResultRow[] {
  return Array.from({ length: n }, (_, i) => row(`p${i}`, intervention, i < correct, extra));
}

export function labeled(...interventions: InterventionSpec[]): LabeledIntervention[] {
  return interventions.map((intervention) => ({ label: interventionLabel(intervention), intervention }));
}

export function context(rows: ResultRow[], interventions: LabeledIntervention[] = labeled({ type: 'baseline' }), extra: Partial<CheckContext> = {}): CheckContext {
  return { rows, interventions, seed: 42, ...extra };
}

export const budget = (tokens: number, extra: Partial<Extract<InterventionSpec, { type: 'budget' }>> = {}): InterventionSpec => ({
  type: 'budget',
  tokens,
  ...extra,
});
