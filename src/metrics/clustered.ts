import { InputError } from '../core/errors.ts';
import { binomialCdf, normalCdf, normalQuantile, zCritical } from './distributions.ts';
import { wilson, type Interval } from './proportions.ts';
import { checkConfidence } from './validate.ts';
import { seededRandom } from '../core/random.ts';

/**
 * Statistics for outcomes that repeat a problem (samples > 1). Samples of one problem are
 * correlated (an easy problem is right in every sample), so the problem is the unit of
 * independence: the cluster. Method and references in src/metrics/README.md (Miller 2024,
 * "Adding Error Bars to Evals"). With one outcome per problem every function here gives exactly
 * the unclustered result (Wilson interval, exact McNemar).
 */

export interface ClusteredOutcome {
  /** The cluster: the problem id. */
  cluster: string;
  correct: boolean;
}

export interface ClusterCount {
  cluster: string;
  n: number;
  correct: number;
}

/** Outcomes grouped by cluster, in first-seen order. */
export function clusterCounts(outcomes: ReadonlyArray<ClusteredOutcome>): ClusterCount[] {
  const byCluster = new Map<string, ClusterCount>();
  for (const { cluster, correct } of outcomes) {
    const count = byCluster.get(cluster) ?? { cluster, n: 0, correct: 0 };
    count.n++;
    if (correct) count.correct++;
    byCluster.set(cluster, count);
  }
  return [...byCluster.values()];
}

/**
 * Cluster-robust variance of the pooled proportion sum(correct) / sum(n) (Miller 2024 eq. 5,
 * with the usual G / (G - 1) small-sample factor): (G/(G-1)) * sum_c (correct_c - n_c p)^2 / N^2.
 */
export function clusteredVariance(clusters: ReadonlyArray<ClusterCount>): number {
  const total = clusters.reduce((s, c) => s + c.n, 0);
  const g = clusters.length;
  if (total === 0 || g < 2) return Number.NaN;
  const p = clusters.reduce((s, c) => s + c.correct, 0) / total;
  const sum = clusters.reduce((s, c) => s + (c.correct - c.n * p) ** 2, 0);
  return ((g / (g - 1)) * sum) / (total * total);
}

/** Wilson's score interval for a proportion p observed on a (possibly fractional) effective n. */
export function wilsonEffective(p: number, n: number, confidence = 0.95): { low: number; high: number } {
  const z = zCritical(confidence);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: p === 0 ? 0 : Math.max(0, centre - half), high: p === 1 ? 1 : Math.min(1, centre + half) };
}

export interface ClusteredInterval extends Interval {
  n: number;
  correct: number;
  clusters: number;
  /** Clustered variance / binomial variance; 1 when every cluster has one outcome. */
  designEffect: number;
  /** n / designEffect: the number of independent outcomes the data are worth. */
  effectiveN: number;
}

/**
 * Accuracy with a clustered Wilson interval: Wilson's interval on the effective sample size
 * n / design effect (Korn & Graubard 1998), the design effect being the cluster-robust variance
 * over the binomial one, never below 1 (clustering cannot make data worth more than n
 * independent outcomes). One outcome per cluster gives exactly wilson(correct, n).
 */
export function clusteredAccuracy(outcomes: ReadonlyArray<ClusteredOutcome>, confidence = 0.95): ClusteredInterval {
  checkConfidence(confidence, 'clusteredAccuracy');
  const clusters = clusterCounts(outcomes);
  const n = outcomes.length;
  const correct = clusters.reduce((s, c) => s + c.correct, 0);
  const base = { n, correct, clusters: clusters.length };
  if (clusters.every((c) => c.n === 1)) return { ...wilson(correct, n, confidence), ...base, designEffect: 1, effectiveN: n };
  const p = correct / n;
  const binomial = (p * (1 - p)) / n;
  // All right or all wrong: no variance to measure; count clusters, the conservative unit.
  const designEffect = binomial > 0 && clusters.length > 1 ? Math.max(1, clusteredVariance(clusters) / binomial) : n / clusters.length;
  const effectiveN = n / designEffect;
  return { estimate: p, ...wilsonEffective(p, effectiveN, confidence), ...base, designEffect, effectiveN };
}

/** One paired outcome: the same problem (cluster) graded under A and under B. */
export interface ClusteredPair {
  cluster: string;
  a: boolean;
  b: boolean;
}

export interface ClusterDifference {
  cluster: string;
  pairs: number;
  /** Right under B minus right under A, summed over the cluster's pairs. */
  difference: number;
}

export function clusterDifferences(pairs: ReadonlyArray<ClusteredPair>): ClusterDifference[] {
  const byCluster = new Map<string, ClusterDifference>();
  for (const { cluster, a, b } of pairs) {
    const d = byCluster.get(cluster) ?? { cluster, pairs: 0, difference: 0 };
    d.pairs++;
    d.difference += Number(b) - Number(a);
    byCluster.set(cluster, d);
  }
  return [...byCluster.values()];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const EXACT_LIMIT = 4_000_000;
const MONTE_CARLO_FLIPS = 20_000;

/**
 * Exact distribution of S = sum(e_i k_i) for independent fair signs e_i, by convolution over
 * integer values: P(S <= s) for the given s. k_i are non-negative integers.
 */
function signFlipCdfExact(k: readonly number[], s: number): number {
  const total = k.reduce((a, b) => a + b, 0);
  let probs = new Float64Array(2 * total + 1);
  probs[total] = 1;
  let reach = 0;
  for (const ki of k) {
    if (ki === 0) continue;
    const next = new Float64Array(probs.length);
    for (let v = total - reach; v <= total + reach; v++) {
      const p = probs[v]!;
      if (p === 0) continue;
      next[v - ki] = next[v - ki]! + p / 2;
      next[v + ki] = next[v + ki]! + p / 2;
    }
    probs = next;
    reach += ki;
  }
  let cdf = 0;
  for (let v = 0; v < probs.length && v - total <= s + 1e-9; v++) cdf += probs[v]!;
  return Math.min(1, cdf);
}

export interface SignFlipResult {
  /** sum over clusters of the per-cluster mean difference (B - A). */
  statistic: number;
  /** One-sided p that B is worse than A: P(S* <= S) under random sign flips. */
  pWorse: number;
  method: 'exact' | 'monte-carlo';
}

/**
 * Sign-flip permutation test on per-cluster mean differences (Fisher 1935; a cluster
 * permutation test). Under H0 (B as accurate as A on every problem; both sides exchangeable) the
 * sign of each problem's mean difference is a fair coin, whatever the correlation between its
 * samples. Exact by convolution when the differences share a small denominator (equal samples
 * per problem), else Monte Carlo with a fixed seed and the (1 + hits) / (1 + flips) p-value. With
 * one pair per problem it is exactly the one-sided exact McNemar test.
 */
export function signFlipWorse(pairs: ReadonlyArray<ClusteredPair>, seed = 0): SignFlipResult {
  const clusters = clusterDifferences(pairs);
  if (clusters.every((c) => c.pairs === 1)) {
    const regressed = clusters.filter((c) => c.difference < 0).length;
    const improved = clusters.filter((c) => c.difference > 0).length;
    const n = regressed + improved;
    return { statistic: improved - regressed, pWorse: n === 0 ? 1 : binomialCdf(improved, n, 0.5), method: 'exact' };
  }
  const lcm = clusters.reduce((l, c) => (l * c.pairs) / gcd(l, c.pairs), 1);
  const k = clusters.map((c) => Math.abs(c.difference) * (lcm / c.pairs));
  const observed = clusters.reduce((s, c) => s + c.difference * (lcm / c.pairs), 0);
  const total = k.reduce((a, b) => a + b, 0);
  const statistic = observed / lcm;
  if (total === 0) return { statistic, pWorse: 1, method: 'exact' };
  if (Number.isSafeInteger(lcm) && total * k.length <= EXACT_LIMIT) {
    return { statistic, pWorse: signFlipCdfExact(k, observed), method: 'exact' };
  }
  const random = seededRandom(seed);
  let hits = 0;
  for (let r = 0; r < MONTE_CARLO_FLIPS; r++) {
    let s = 0;
    for (const ki of k) s += random() < 0.5 ? -ki : ki;
    if (s <= observed + 1e-9) hits++;
  }
  return { statistic, pWorse: (1 + hits) / (1 + MONTE_CARLO_FLIPS), method: 'monte-carlo' };
}

export interface ClusteredDifference {
  /** accuracy(B) - accuracy(A) over all pairs. */
  difference: number;
  /** Cluster-robust standard error of the difference. */
  standardError: number;
  low: number;
  high: number;
}

/**
 * Paired difference of accuracies with a cluster-robust standard error (the per-cluster sums of
 * differences are the independent units; Miller 2024 section 4) and a normal interval.
 */
export function clusteredDifference(pairs: ReadonlyArray<ClusteredPair>, confidence = 0.95): ClusteredDifference {
  checkConfidence(confidence, 'clusteredDifference');
  const clusters = clusterDifferences(pairs);
  const n = pairs.length;
  if (n === 0) return { difference: Number.NaN, standardError: Number.NaN, low: -1, high: 1 };
  const difference = clusters.reduce((s, c) => s + c.difference, 0) / n;
  const g = clusters.length;
  const sum = clusters.reduce((s, c) => s + (c.difference - c.pairs * difference) ** 2, 0);
  const standardError = g < 2 ? Number.NaN : Math.sqrt(((g / (g - 1)) * sum) / (n * n));
  const z = zCritical(confidence);
  const half = Number.isFinite(standardError) ? z * standardError : Number.POSITIVE_INFINITY;
  return { difference, standardError, low: Math.max(-1, difference - half), high: Math.min(1, difference + half) };
}

export interface ClusteredNonInferiority {
  difference: number;
  /** One-sided (1 - alpha) lower bound of the difference. */
  lowerBound: number;
  nonInferior: boolean;
  /** One-sided p of H0: difference <= -margin (normal, cluster-robust standard error). */
  pValue: number;
}

/**
 * Non-inferiority with clustered pairs: H0 difference <= -margin, rejected when the one-sided
 * cluster-robust lower bound is above -margin. (With one pair per problem use Tango's test,
 * nonInferiority() in paired.ts.) A zero standard error (every problem moved the same way) is
 * decided on the point estimate.
 */
export function clusteredNonInferiority(pairs: ReadonlyArray<ClusteredPair>, margin: number, alpha = 0.05): ClusteredNonInferiority {
  if (!(margin >= 0 && margin < 1)) throw new InputError('clusteredNonInferiority: margin', `a number in [0, 1), got ${margin}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new InputError('clusteredNonInferiority: alpha', `a number in (0, 0.5), got ${alpha}`);
  const { difference, standardError } = clusteredDifference(pairs);
  if (!Number.isFinite(difference)) return { difference, lowerBound: -1, nonInferior: false, pValue: 1 };
  if (!(standardError > 0)) {
    const ok = difference > -margin;
    return { difference, lowerBound: difference, nonInferior: ok, pValue: ok ? 0 : 1 };
  }
  const lowerBound = difference - normalQuantile(1 - alpha) * standardError;
  const pValue = 1 - normalCdf((difference + margin) / standardError);
  return { difference, lowerBound, nonInferior: lowerBound > -margin, pValue };
}

/**
 * The accuracy interval every report shows (terminal, HTML, summary files): 95% clustered Wilson,
 * which is exactly Wilson's interval when each problem has one outcome.
 */
export function accuracyInterval(outcomes: ReadonlyArray<ClusteredOutcome>): Interval {
  const { estimate, low, high } = clusteredAccuracy(outcomes);
  return { estimate, low, high };
}
