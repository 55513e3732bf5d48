import { binomialCdf } from '../metrics/distributions.ts';
import { nonInferiority, type Pair } from '../metrics/paired.ts';
import { compareWithGolden } from '../golden/golden.ts';
import type { CheckSpecOf } from '../suite/schema/checks.ts';
import { fmt, num, result } from './rows.ts';
import type { CheckContext, CheckResult, Json } from './types.ts';

const SHOWN = 50;

/**
 * One-sided exact McNemar p-value for "worse than golden": with b problems right in golden and
 * wrong now and c the other way, under H0 each discordant pair goes either way with probability
 * 1/2, so p = P(X >= b), X ~ Bin(b + c, 1/2) = P(X <= c) by symmetry.
 */
export function mcnemarRegressionP(regressed: number, improved: number): number {
  const n = regressed + improved;
  return n === 0 ? 1 : binomialCdf(improved, n, 0.5);
}

/**
 * The release gate: each intervention's outcomes against the golden baseline, paired on
 * problem x sample. `mcnemar`: fails when the run is significantly worse (one-sided exact McNemar);
 * `nonInferiority`: fails unless the run is shown no worse than golden by `margin` (Tango).
 * With k interventions each is tested at alpha / k (Bonferroni), so an unchanged model raises a
 * false alarm with probability at most alpha. The flips are listed both ways.
 */
export function noRegression(spec: CheckSpecOf<'noRegression'>, context: CheckContext, name: string): CheckResult {
  if (!context.golden) {
    return result(name, 'error', 'no golden baseline for this suite and model; create one with --update-golden', {});
  }
  const labels = spec.interventions ?? context.interventions.map((i) => i.label);
  const comparisons = compareWithGolden(context.golden.outcomes, context.rows, labels);
  const tested = comparisons.filter((c) => c.pairs > 0);
  const missing = comparisons.filter((c) => c.pairs === 0).map((c) => c.intervention);
  if (spec.interventions && missing.length > 0) {
    return result(name, 'error', `not in both the run and the golden baseline: ${missing.join(', ')}`, { golden: context.golden.file, missing });
  }
  if (tested.length === 0) {
    return result(name, 'error', `nothing in common with the golden baseline ${context.golden.file} (different problems or interventions?)`, {
      golden: context.golden.file,
    });
  }
  const alphaPerTest = spec.alpha / tested.length;
  const perIntervention = tested.map((c) => {
    const b = c.regressed.length;
    const cc = c.improved.length;
    const base: { [key: string]: Json } = {
      intervention: c.intervention,
      pairs: c.pairs,
      goldenAccuracy: c.goldenCorrect / c.pairs,
      accuracy: c.runCorrect / c.pairs,
      regressed: b,
      improved: cc,
      onlyInGolden: c.onlyInGolden,
      onlyInRun: c.onlyInRun,
    };
    if (spec.test === 'mcnemar') {
      const p = mcnemarRegressionP(b, cc);
      return { c, failed: p < alphaPerTest, detail: `p=${fmt(p)}`, evidence: { ...base, pValue: p } };
    }
    // Pairs as [golden correct, run correct]; concordant pairs matter for the margin.
    const pairs: Pair[] = [];
    for (let i = 0; i < c.pairs - b - cc; i++) pairs.push(i < c.goldenCorrect - b ? [true, true] : [false, false]);
    for (let i = 0; i < b; i++) pairs.push([true, false]);
    for (let i = 0; i < cc; i++) pairs.push([false, true]);
    const test = nonInferiority(pairs, { margin: spec.margin, alpha: alphaPerTest });
    return {
      c,
      failed: !test.nonInferior,
      detail: `lower bound ${fmt(test.lowerBound)} vs -${spec.margin}`,
      evidence: { ...base, lowerBound: num(test.lowerBound), pValue: num(test.pValue) },
    };
  });
  const failed = perIntervention.filter((r) => r.failed);
  const flips = (kind: 'regressed' | 'improved'): Json =>
    tested.flatMap((c) => c[kind]).slice(0, SHOWN).map((f) => ({ problemId: f.problemId, intervention: f.intervention, sample: f.sample }));
  const describe = (r: (typeof perIntervention)[number]) => `${r.c.intervention} ${r.c.regressed.length} regressed/${r.c.improved.length} improved (${r.detail})`;
  const testName = spec.test === 'mcnemar' ? 'one-sided exact McNemar' : `non-inferiority, margin ${spec.margin}`;
  const changes = context.golden.environmentChanges ?? [];
  const notes = [
    ...(missing.length > 0 ? [`not in golden: ${missing.join(', ')}`] : []),
    ...(changes.length > 0 ? [`changed since golden: ${changes.join(', ')}`] : []),
  ];
  const tail = notes.length > 0 ? ` [${notes.join('; ')}]` : '';
  return result(
    name,
    failed.length === 0 ? 'pass' : 'fail',
    failed.length === 0
      ? `no regression against golden in ${tested.length} intervention(s) (${testName}, alpha ${spec.alpha}): ${perIntervention.map(describe).join('; ')}${tail}`
      : `regression against golden: ${failed.map(describe).join('; ')} (${testName}, alpha ${spec.alpha} / ${tested.length})${tail}`,
    {
      golden: context.golden.file,
      test: spec.test,
      alpha: spec.alpha,
      alphaPerTest,
      interventions: perIntervention.map((r) => r.evidence),
      regressed: flips('regressed'),
      improved: flips('improved'),
      missing,
      environmentChanges: changes,
    },
  );
}
