import { mcnemarExact, nonInferiority } from '../metrics/paired.ts';
import type { CheckSpecOf } from '../suite/schema/checks.ts';
import { fmt, noRows, num, pairRows, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

/**
 * Accuracy drops by at most `maxDrop` from `baseline` to `intervention`, paired on problem x
 * sample. `point`: the observed paired drop; `nonInferiority`: Tango's test at `alpha` with
 * `maxDrop` as the margin (passes only when the data show the drop is smaller).
 */
export function accuracyDropAtMost(spec: CheckSpecOf<'accuracyDropAtMost'>, context: CheckContext, name: string): CheckResult {
  const base = rowsOf(context.rows, spec.baseline);
  const rows = rowsOf(context.rows, spec.intervention);
  if (base.length === 0) return noRows(name, spec.baseline);
  if (rows.length === 0) return noRows(name, spec.intervention);
  const { pairs, unpaired } = pairRows(base, rows);
  if (pairs.length === 0) return result(name, 'error', `no problem x sample in common between '${spec.baseline}' and '${spec.intervention}'`, { unpaired });
  const n = pairs.length;
  const baseAccuracy = pairs.filter(([a]) => a).length / n;
  const accuracy = pairs.filter(([, b]) => b).length / n;
  const drop = baseAccuracy - accuracy;
  const mcnemar = mcnemarExact(pairs);
  const evidence = {
    baseline: spec.baseline,
    intervention: spec.intervention,
    pairs: n,
    unpaired,
    baselineAccuracy: baseAccuracy,
    accuracy,
    drop,
    maxDrop: spec.maxDrop,
    onlyBaselineCorrect: mcnemar.b,
    onlyInterventionCorrect: mcnemar.c,
    mcnemarP: mcnemar.pValue,
  };
  if (spec.bound === 'point') {
    const pass = drop <= spec.maxDrop + 1e-12;
    return result(
      name,
      pass ? 'pass' : 'fail',
      `${spec.intervention} vs ${spec.baseline}: accuracy ${fmt(accuracy)} vs ${fmt(baseAccuracy)}, drop ${fmt(drop)} ${pass ? '<=' : '>'} ${spec.maxDrop} (${n} pairs, ${mcnemar.b} lost, ${mcnemar.c} gained)`,
      evidence,
    );
  }
  const test = nonInferiority(pairs, { margin: spec.maxDrop, alpha: spec.alpha });
  return result(
    name,
    test.nonInferior ? 'pass' : 'fail',
    `${spec.intervention} vs ${spec.baseline}: difference ${fmt(test.difference)}, lower bound ${fmt(test.lowerBound)} ${test.nonInferior ? '>' : '<='} -${spec.maxDrop} (Tango p=${fmt(test.pValue)}, alpha ${spec.alpha})`,
    { ...evidence, lowerBound: num(test.lowerBound), nonInferiorityP: num(test.pValue), alpha: spec.alpha },
  );
}
