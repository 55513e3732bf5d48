import { binomialCdf } from '../metrics/distributions.ts';
import { nonInferiority, type Pair } from '../metrics/paired.ts';
import { clusterDifferences, clusteredNonInferiority, signFlipWorse } from '../metrics/clustered.ts';
import { stratifiedPermutationWorse } from '../metrics/stratified.ts';
import { formatP } from '../metrics/format.ts';
import { minimumDetectableDrop, powerSentence, varianceFromDiscordance, withinVariance } from '../metrics/power.ts';
import { compareWithGolden, type InterventionComparison } from '../golden/golden.ts';
import { Default, Fraction, type Resolved } from '../core/typebox.ts';
import { Alpha, Bound, Labels, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, namedList } from './check.ts';
import { fmt, num, result } from './rows.ts';
import type { CheckContext, CheckResult, Json } from './types.ts';

const SHOWN = 50;

export const schema = checkSchema('noRegression', {
  /** Interventions to compare against golden (default: all). */
  interventions: Labels(),
  test: Bound(['mcnemar', 'nonInferiority'], 'mcnemar'),
  alpha: Alpha(),
  /** Non-inferiority margin (accuracy points). */
  margin: Default(Fraction(), 0.05),
});
export type NoRegressionSpec = Resolved<typeof schema>;

/**
 * One-sided exact McNemar p-value for "worse than golden": with b problems right in golden and
 * wrong now and c the other way, under H0 each discordant pair goes either way with probability
 * 1/2, so p = P(X >= b), X ~ Bin(b + c, 1/2) = P(X <= c) by symmetry.
 */
export function mcnemarRegressionP(regressed: number, improved: number): number {
  const n = regressed + improved;
  return n === 0 ? 1 : binomialCdf(improved, n, 0.5);
}

/** True when some problem has more than one pair (samples > 1): the clustered tests apply. */
export function isClustered(c: InterventionComparison): boolean {
  return clusterDifferences(c.clusteredPairs).some((d) => d.pairs > 1);
}

/** The drop (a fraction) this intervention's comparison detects with 80% power at `alpha`. */
export function detectableDrop(c: InterventionComparison, alpha: number): number {
  const clusters = clusterDifferences(c.clusteredPairs);
  const samples = c.pairs / Math.max(1, clusters.length);
  const side = (which: 'a' | 'b') => withinVariance(c.clusteredPairs.map((p) => ({ cluster: p.cluster, correct: p[which] }))).value;
  let variance = isClustered(c) ? (side('a') + side('b')) / 2 : varianceFromDiscordance(c.regressed.length + c.improved.length, c.pairs).value;
  // No variation at all (e.g. a same-seed rerun reproducing the golden) says nothing about the
  // noise between independent runs: fall back to the upper bound p(1 - p) of the golden.
  if (!(variance > 0)) {
    const p = c.goldenCorrect / Math.max(1, c.pairs);
    variance = p * (1 - p);
  }
  return minimumDetectableDrop({ problems: clusters.length, samples, variance, alpha });
}

interface Tested {
  c: InterventionComparison;
  failed: boolean;
  detail: string;
  evidence: { [key: string]: Json };
}

function testOne(spec: NoRegressionSpec, c: InterventionComparison, alphaPerTest: number): Tested {
  const b = c.regressed.length;
  const cc = c.improved.length;
  const clustered = isClustered(c);
  const drop = detectableDrop(c, alphaPerTest);
  const base: { [key: string]: Json } = {
    intervention: c.intervention,
    pairs: c.pairs,
    problems: clusterDifferences(c.clusteredPairs).length,
    clustered,
    goldenAccuracy: c.goldenCorrect / c.pairs,
    accuracy: c.runCorrect / c.pairs,
    regressed: b,
    improved: cc,
    onlyInGolden: c.onlyInGolden,
    onlyInRun: c.onlyInRun,
    detectableDropPoints: num(drop * 100),
  };
  if (spec.test === 'mcnemar') {
    const p = c.byProblem ? stratifiedPermutationWorse(c.byProblem).pWorse : clustered ? signFlipWorse(c.clusteredPairs).pWorse : mcnemarRegressionP(b, cc);
    return { c, failed: p < alphaPerTest, detail: formatP(p), evidence: { ...base, pValue: p } };
  }
  if (clustered) {
    const test = clusteredNonInferiority(c.clusteredPairs, spec.margin, alphaPerTest);
    return { c, failed: !test.nonInferior, detail: `lower bound ${fmt(test.lowerBound)} vs -${spec.margin}`, evidence: { ...base, lowerBound: num(test.lowerBound), pValue: num(test.pValue) } };
  }
  // Pairs as [golden correct, run correct]; concordant pairs matter for the margin.
  const pairs: Pair[] = c.clusteredPairs.map((p) => [p.a, p.b]);
  const test = nonInferiority(pairs, { margin: spec.margin, alpha: alphaPerTest });
  return {
    c,
    failed: !test.nonInferior,
    detail: `lower bound ${fmt(test.lowerBound)} vs -${spec.margin}`,
    evidence: { ...base, lowerBound: num(test.lowerBound), pValue: num(test.pValue) },
  };
}

function testName(spec: NoRegressionSpec, clustered: boolean): string {
  if (spec.test === 'mcnemar') return clustered ? 'one-sided sign-flip test on per-problem differences, clustered by problem' : 'one-sided exact McNemar';
  return clustered ? `non-inferiority, margin ${spec.margin}, clustered by problem` : `non-inferiority, margin ${spec.margin}`;
}

/**
 * The release gate: each intervention's outcomes against the golden baseline, paired on
 * problem x sample. `mcnemar`: fails when the run is significantly worse (one-sided exact McNemar
 * with one sample per problem; with more, the exact sign-flip test on per-problem differences,
 * valid however a problem's samples correlate); `nonInferiority`: fails unless the run is shown no
 * worse than golden by `margin` (Tango; cluster-robust with samples). With k interventions each is
 * tested at alpha / k (Bonferroni), so an unchanged model raises a false alarm with probability at
 * most alpha. The flips are listed both ways, and the evidence says which drop the gate detects
 * with 80% power.
 */
export function noRegression(spec: NoRegressionSpec, context: CheckContext, name: string): CheckResult {
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
  const perIntervention = tested.map((c) => testOne(spec, c, alphaPerTest));
  const failed = perIntervention.filter((r) => r.failed);
  const flips = (kind: 'regressed' | 'improved'): Json =>
    tested.flatMap((c) => c[kind]).slice(0, SHOWN).map((f) => ({ problemId: f.problemId, intervention: f.intervention, sample: f.sample }));
  // Every flip, regressions first: the files list them all, the terminal the first few.
  const allFlips: Json = [
    ...tested.flatMap((c) => c.regressed).map((f) => ({ problemId: f.problemId, intervention: f.intervention, sample: f.sample, golden: 'correct', now: 'wrong' })),
    ...tested.flatMap((c) => c.improved).map((f) => ({ problemId: f.problemId, intervention: f.intervention, sample: f.sample, golden: 'wrong', now: 'correct' })),
  ];
  const describe = (r: Tested) => `${r.c.intervention} ${r.c.regressed.length} regressed/${r.c.improved.length} improved (${r.detail})`;
  const clustered = perIntervention.some((r) => r.evidence['clustered'] === true);
  const name_ = tested.some((c) => c.byProblem) && spec.test === 'mcnemar' ? 'one-sided permutation test stratified by problem (unequal samples per problem)' : testName(spec, clustered);
  // The gate catches a drop of X in any one intervention: the largest per-intervention X.
  const drops = perIntervention.map((r) => r.evidence['detectableDropPoints']).filter((x): x is number => typeof x === 'number');
  const detectable = drops.length === perIntervention.length ? Math.max(...drops) : Number.NaN;
  const sentence = Number.isFinite(detectable) ? `${powerSentence(detectable)}${perIntervention.length > 1 ? ' in any one intervention' : ''}` : '';
  const changes = context.golden.environmentChanges ?? [];
  const notes = [
    ...(missing.length > 0 ? [`not in golden: ${missing.join(', ')}`] : []),
    ...(changes.length > 0 ? [`changed since golden: ${changes.join(', ')}`] : []),
  ];
  const tail = `${sentence ? `; ${sentence}` : ''}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`;
  return result(
    name,
    failed.length === 0 ? 'pass' : 'fail',
    failed.length === 0
      ? `no regression against golden in ${tested.length} intervention(s) (${name_}, alpha ${spec.alpha}): ${perIntervention.map(describe).join('; ')}${tail}`
      : `regression against golden: ${failed.map(describe).join('; ')} (${name_}, alpha ${spec.alpha} / ${tested.length})${tail}`,
    {
      golden: context.golden.file,
      test: spec.test,
      clustered,
      alpha: spec.alpha,
      alphaPerTest,
      detectableDropPoints: num(detectable),
      power: sentence,
      interventions: perIntervention.map((r) => r.evidence),
      regressed: flips('regressed'),
      improved: flips('improved'),
      flips: allFlips,
      missing,
      environmentChanges: changes,
    },
  );
}

export const check = defineCheck({
  type: 'noRegression',
  schema,
  label: (spec) => `noRegression(${spec.test})`,
  reads: (spec) => namedList('interventions', spec.interventions),
  run: noRegression,
});
