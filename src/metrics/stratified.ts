import { seededRandom } from '../core/random.ts';
import { logChoose, zCritical } from './distributions.ts';
import { checkConfidence } from './validate.ts';

/**
 * One-sided test that B is worse than A when the two sides have different numbers of samples per
 * problem (a `samples: 4` run against a `samples: 1` golden): a permutation test stratified by
 * problem. Under H0 (the same model) every sample of a problem, A's or B's, is an independent draw
 * with that problem's success rate, so given a problem's total right answers s, which of its
 * n_a + n_b samples are B's is a random subset: B's right count is hypergeometric. The statistic is
 * the sum over problems of B's accuracy minus A's, so every sample counts and every problem weighs
 * the same. Exact (by convolution) when the informative problems share their sample counts, else
 * Monte Carlo with a fixed seed. With one sample a side it is exactly the one-sided McNemar test.
 */

export interface ProblemCounts {
  problemId: string;
  aSamples: number;
  aCorrect: number;
  bSamples: number;
  bCorrect: number;
}

export interface StratifiedResult {
  /** Sum over problems of accuracy(B) - accuracy(A). */
  statistic: number;
  /** P(statistic under permutation <= observed). */
  pWorse: number;
  method: 'exact' | 'monte-carlo';
}

const MONTE_CARLO_DRAWS = 20_000;

/** P(R = r) for r = 0..min(k, n): B's right count among `draws` of `total` samples of which `right` are right. */
function hypergeometric(total: number, right: number, draws: number): number[] {
  const pmf: number[] = [];
  const base = logChoose(total, draws);
  for (let r = 0; r <= draws; r++) {
    const ok = r <= right && draws - r <= total - right;
    pmf.push(ok ? Math.exp(logChoose(right, r) + logChoose(total - right, draws - r) - base) : 0);
  }
  return pmf;
}

function convolve(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  a.forEach((x, i) => {
    if (x !== 0) b.forEach((y, j) => (out[i + j]! += x * y));
  });
  return out;
}

/** Exact P(sum of B's right counts <= observed) when every informative problem has the same sample counts. */
function exactWorse(strata: readonly ProblemCounts[], observed: number): number {
  let dist = [1];
  for (const s of strata) dist = convolve(dist, hypergeometric(s.aSamples + s.bSamples, s.aCorrect + s.bCorrect, s.bSamples));
  let cdf = 0;
  for (let r = 0; r < dist.length && r <= observed; r++) cdf += dist[r]!;
  return Math.min(1, cdf);
}

function drawFrom(pmf: readonly number[], u: number): number {
  let acc = 0;
  for (let r = 0; r < pmf.length; r++) {
    acc += pmf[r]!;
    if (u < acc) return r;
  }
  return pmf.length - 1;
}

export function stratifiedPermutationWorse(problems: readonly ProblemCounts[], seed = 0): StratifiedResult {
  const usable = problems.filter((p) => p.aSamples > 0 && p.bSamples > 0);
  const gain = (p: ProblemCounts, bRight: number) => bRight / p.bSamples - (p.aCorrect + p.bCorrect - bRight) / p.aSamples;
  const statistic = usable.reduce((sum, p) => sum + gain(p, p.bCorrect), 0);
  // Problems all right or all wrong on both sides cannot move under permutation.
  const informative = usable.filter((p) => p.aCorrect + p.bCorrect > 0 && p.aCorrect + p.bCorrect < p.aSamples + p.bSamples);
  if (informative.length === 0) return { statistic, pWorse: 1, method: 'exact' };
  const shape = (p: ProblemCounts) => `${p.aSamples}/${p.bSamples}`;
  if (informative.every((p) => shape(p) === shape(informative[0]!))) {
    const observed = informative.reduce((sum, p) => sum + p.bCorrect, 0);
    return { statistic, pWorse: exactWorse(informative, observed), method: 'exact' };
  }
  const pmfs = informative.map((p) => hypergeometric(p.aSamples + p.bSamples, p.aCorrect + p.bCorrect, p.bSamples));
  const observed = informative.reduce((sum, p) => sum + gain(p, p.bCorrect), 0);
  const random = seededRandom(seed);
  let hits = 0;
  for (let d = 0; d < MONTE_CARLO_DRAWS; d++) {
    let t = 0;
    informative.forEach((p, i) => (t += gain(p, drawFrom(pmfs[i]!, random()))));
    if (t <= observed + 1e-9) hits++;
  }
  return { statistic, pWorse: (1 + hits) / (1 + MONTE_CARLO_DRAWS), method: 'monte-carlo' };
}

export interface StratifiedDifference {
  /** Mean over problems of accuracy(B) - accuracy(A): every problem weighs the same, whatever its samples. */
  difference: number;
  /** Standard error of that mean, the problems being the independent units. */
  standardError: number;
  low: number;
  high: number;
}

/**
 * The difference the stratified test is about (its statistic over the number of problems) with a
 * normal interval from the spread of the per-problem differences: with equal samples per problem
 * on each side it is the cluster-robust interval of clusteredDifference. Fewer than two problems:
 * no spread to measure, the uninformative [-1, 1].
 */
export function stratifiedDifference(problems: readonly ProblemCounts[], confidence = 0.95): StratifiedDifference {
  checkConfidence(confidence, 'stratifiedDifference');
  const usable = problems.filter((p) => p.aSamples > 0 && p.bSamples > 0);
  const g = usable.length;
  if (g === 0) return { difference: Number.NaN, standardError: Number.NaN, low: -1, high: 1 };
  const d = usable.map((p) => p.bCorrect / p.bSamples - p.aCorrect / p.aSamples);
  const difference = d.reduce((s, x) => s + x, 0) / g;
  if (g < 2) return { difference, standardError: Number.NaN, low: -1, high: 1 };
  const standardError = Math.sqrt(d.reduce((s, x) => s + (x - difference) ** 2, 0) / (g - 1) / g);
  const half = zCritical(confidence) * standardError;
  return { difference, standardError, low: Math.max(-1, difference - half), high: Math.min(1, difference + half) };
}
