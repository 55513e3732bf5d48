import { mcnemarExact, nonInferiority } from '../metrics/paired.ts';
import { clusterDifferences, clusteredNonInferiority, signFlipWorse, type ClusteredPair } from '../metrics/clustered.ts';
import { formatP, pairedTestName } from '../metrics/format.ts';
import type { Resolved } from '../core/typebox.ts';
import { Fraction } from '../core/typebox.ts';
import { Alpha, Bound, Label, LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, named } from './check.ts';
import { fmt, noRows, num, pairRows, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

export const schema = checkSchema('accuracyDropAtMost', {
  intervention: Label(),
  baseline: LabelOr('baseline'),
  maxDrop: Fraction(),
  /** `point`: paired drop <= maxDrop; `nonInferiority`: the test at `alpha` with maxDrop as margin. */
  bound: Bound(['point', 'nonInferiority'], 'point'),
  alpha: Alpha(),
});
export type AccuracyDropAtMostSpec = Resolved<typeof schema>;

/** The problem of a pair key `problemId#sample` (ids may contain '#': cut at the last one). */
function problemOf(key: string): string {
  const at = key.lastIndexOf('#');
  return at < 0 ? key : key.slice(0, at);
}

/**
 * Accuracy drops by at most `maxDrop` from `baseline` to `intervention`, paired on problem x
 * sample. `point`: the observed paired drop; `nonInferiority`: Tango's test at `alpha` with
 * `maxDrop` as the margin (passes only when the data show the drop is smaller). With samples > 1
 * the pairs are clustered by problem: the p-value is the sign-flip test's on per-problem
 * differences and non-inferiority uses the cluster-robust bound (src/metrics/clustered.ts).
 */
export function accuracyDropAtMost(spec: AccuracyDropAtMostSpec, context: CheckContext, name: string): CheckResult {
  const base = rowsOf(context.rows, spec.baseline);
  const rows = rowsOf(context.rows, spec.intervention);
  if (base.length === 0) return noRows(name, spec.baseline);
  if (rows.length === 0) return noRows(name, spec.intervention);
  const { pairs, keys, unpaired } = pairRows(base, rows);
  if (pairs.length === 0) return result(name, 'error', `no problem x sample in common between '${spec.baseline}' and '${spec.intervention}'`, { unpaired });
  const clusteredPairs: ClusteredPair[] = pairs.map(([a, b], i) => ({ cluster: problemOf(keys[i] ?? ''), a, b }));
  const problems = clusterDifferences(clusteredPairs);
  const clustered = problems.some((p) => p.pairs > 1);
  const n = pairs.length;
  const baseAccuracy = pairs.filter(([a]) => a).length / n;
  const accuracy = pairs.filter(([, b]) => b).length / n;
  const drop = baseAccuracy - accuracy;
  const mcnemar = mcnemarExact(pairs);
  // One-sided "worse" p: exact McNemar with one sample per problem, the clustered sign-flip test otherwise.
  const worseP = signFlipWorse(clusteredPairs).pWorse;
  const samples = Math.max(...problems.map((p) => p.pairs));
  const worseTest = `one-sided ${pairedTestName(clustered ? 'sign-flip' : 'mcnemar')}${clustered ? ` (${samples} samples)` : ''}`;
  const evidence = {
    baseline: spec.baseline,
    intervention: spec.intervention,
    pairs: n,
    problems: problems.length,
    clustered,
    unpaired,
    baselineAccuracy: baseAccuracy,
    accuracy,
    drop,
    maxDrop: spec.maxDrop,
    onlyBaselineCorrect: mcnemar.b,
    onlyInterventionCorrect: mcnemar.c,
    mcnemarP: clustered ? null : mcnemar.pValue,
    worseP,
    /** The test behind worseP: exact McNemar with one sample per problem, the sign-flip test on per-problem differences with more. */
    worseTest,
  };
  if (spec.bound === 'point') {
    const pass = drop <= spec.maxDrop + 1e-12;
    return result(
      name,
      pass ? 'pass' : 'fail',
      `${spec.intervention} vs ${spec.baseline}: accuracy ${fmt(accuracy)} vs ${fmt(baseAccuracy)}, drop ${fmt(drop)} ${pass ? '<=' : '>'} ${spec.maxDrop} (${n} pairs${clustered ? ` over ${problems.length} problems` : ''}, ${mcnemar.b} lost, ${mcnemar.c} gained; ${worseTest} ${formatP(worseP)})`,
      evidence,
    );
  }
  const test = clustered ? clusteredNonInferiority(clusteredPairs, spec.maxDrop, spec.alpha) : nonInferiority(pairs, { margin: spec.maxDrop, alpha: spec.alpha });
  return result(
    name,
    test.nonInferior ? 'pass' : 'fail',
    `${spec.intervention} vs ${spec.baseline}: difference ${fmt(test.difference)}, lower bound ${fmt(test.lowerBound)} ${test.nonInferior ? '>' : '<='} -${spec.maxDrop} (${clustered ? 'clustered by problem' : 'Tango'} ${formatP(test.pValue)}, alpha ${spec.alpha})`,
    { ...evidence, lowerBound: num(test.lowerBound), nonInferiorityP: num(test.pValue), alpha: spec.alpha },
  );
}

export const check = defineCheck({
  type: 'accuracyDropAtMost',
  schema,
  label: (spec) => `accuracyDropAtMost(${spec.intervention} vs ${spec.baseline} <= ${spec.maxDrop})`,
  reads: (spec) => [named('intervention', spec.intervention), named('baseline', spec.baseline)],
  run: accuracyDropAtMost,
});
