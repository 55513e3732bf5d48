import { Type } from '@sinclair/typebox';
import { clusteredAccuracy } from '../metrics/clustered.ts';
import { Default, Fraction, type Resolved } from '../core/typebox.ts';
import { Bound, LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, named } from './check.ts';
import { fmt, noRows, num, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

export const schema = checkSchema('accuracyAtLeast', {
  intervention: LabelOr('baseline'),
  min: Fraction(),
  /** Compare the point estimate, or the Wilson lower bound at `confidence`. */
  bound: Bound(['point', 'wilsonLower'], 'point'),
  confidence: Default(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), 0.95),
});
export type AccuracyAtLeastSpec = Resolved<typeof schema>;

/**
 * Accuracy of one intervention is at least `min`: the point estimate, or (`wilsonLower`) the
 * one-sided `confidence` lower bound, i.e. the lower end of the two-sided 2 * confidence - 1
 * Wilson interval (so `confidence: 0.95` is a 95% one-sided bound, not the 97.5% one a two-sided
 * 95% interval's lower end would be). Samples of a problem are clustered: with samples > 1 the
 * interval is Wilson's on the effective sample size (src/metrics/clustered.ts).
 */
export function accuracyAtLeast(spec: AccuracyAtLeastSpec, context: CheckContext, name: string): CheckResult {
  const rows = rowsOf(context.rows, spec.intervention);
  if (rows.length === 0) return noRows(name, spec.intervention);
  const outcomes = rows.map((row) => ({ cluster: row.problemId, correct: row.correct }));
  const interval = clusteredAccuracy(outcomes, spec.confidence);
  const lowerBound = clusteredAccuracy(outcomes, 2 * spec.confidence - 1).low;
  const value = spec.bound === 'point' ? interval.estimate : lowerBound;
  const pass = value >= spec.min;
  const level = `${Math.round(spec.confidence * 1000) / 10}%`;
  const what = spec.bound === 'point' ? 'accuracy' : `one-sided ${level} lower bound`;
  const clustered = interval.designEffect !== 1 || interval.clusters !== interval.n ? `, clustered by problem over ${interval.clusters} problems` : '';
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention}: ${what} ${fmt(value)} (${interval.correct}/${interval.n}, ${level} CI ${fmt(interval.low)}-${fmt(interval.high)}${clustered}) ${pass ? '>=' : '<'} ${spec.min}`,
    {
      intervention: spec.intervention,
      n: interval.n,
      problems: interval.clusters,
      correct: interval.correct,
      accuracy: num(interval.estimate),
      low: num(interval.low),
      high: num(interval.high),
      lowerBound: num(lowerBound),
      designEffect: num(interval.designEffect),
      bound: spec.bound,
      min: spec.min,
      errors: rows.filter((row) => row.error !== undefined).length,
    },
  );
}

export const check = defineCheck({
  type: 'accuracyAtLeast',
  schema,
  label: (spec) => `accuracyAtLeast(${spec.intervention} >= ${spec.min})`,
  reads: (spec) => [named('intervention', spec.intervention)],
  run: accuracyAtLeast,
});
