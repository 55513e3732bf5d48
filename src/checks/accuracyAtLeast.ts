import { wilson } from '../metrics/proportions.ts';
import type { CheckSpecOf } from '../suite/schema/checks.ts';
import { fmt, noRows, num, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

/** Accuracy of one intervention is at least `min` (point estimate, or the Wilson lower bound). */
export function accuracyAtLeast(spec: CheckSpecOf<'accuracyAtLeast'>, context: CheckContext, name: string): CheckResult {
  const rows = rowsOf(context.rows, spec.intervention);
  if (rows.length === 0) return noRows(name, spec.intervention);
  const correct = rows.filter((row) => row.correct).length;
  const interval = wilson(correct, rows.length, spec.confidence);
  const value = spec.bound === 'point' ? interval.estimate : interval.low;
  const pass = value >= spec.min;
  const what = spec.bound === 'point' ? 'accuracy' : `Wilson ${Math.round(spec.confidence * 100)}% lower bound`;
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention}: ${what} ${fmt(value)} (${correct}/${rows.length}, ${Math.round(spec.confidence * 100)}% CI ${fmt(interval.low)}-${fmt(interval.high)}) ${pass ? '>=' : '<'} ${spec.min}`,
    {
      intervention: spec.intervention,
      n: rows.length,
      correct,
      accuracy: num(interval.estimate),
      low: num(interval.low),
      high: num(interval.high),
      bound: spec.bound,
      min: spec.min,
      errors: rows.filter((row) => row.error !== undefined).length,
    },
  );
}
