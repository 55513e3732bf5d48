import { InputError } from '../core/errors.ts';
import { binomialCdf, binomialPmf, normalCdf, normalQuantile } from './distributions.ts';
import { checkConfidence } from './validate.ts';
import { seededRandom } from '../core/random.ts';
import { quantileSorted } from './tokens.ts';

/**
 * Paired comparisons of two variants A and B graded on the same problems (and samples): each
 * pair is [A correct, B correct] for one problem. Paired data must be analysed as pairs: the
 * same easy and hard problems appear on both sides, so an unpaired test (two independent
 * proportions) wastes that and gets the variance wrong.
 */
export type Pair = readonly [boolean, boolean];

export interface KeyedOutcome {
  /** Identifies the problem (and sample), e.g. the result row key without the intervention. */
  key: string;
  correct: boolean;
}

export interface PairedOutcomes {
  /** [A correct, B correct] for every key graded on both sides, in A's order. */
  pairs: Pair[];
  keys: string[];
  /** Keys graded only on one side: left out of the pairs, and worth reporting. */
  onlyInA: string[];
  onlyInB: string[];
}

/** Pairs two variants' outcomes by key. A key graded twice on one side is an InputError. */
export function pairByKey(a: ReadonlyArray<KeyedOutcome>, b: ReadonlyArray<KeyedOutcome>): PairedOutcomes {
  const index = (side: ReadonlyArray<KeyedOutcome>, name: string): Map<string, boolean> => {
    const map = new Map<string, boolean>();
    side.forEach((outcome, i) => {
      if (map.has(outcome.key)) throw new InputError(`pairByKey: ${name}[${i}]`, `one outcome per key, "${outcome.key}" appears twice`);
      map.set(outcome.key, outcome.correct);
    });
    return map;
  };
  const mapA = index(a, 'a');
  const mapB = index(b, 'b');
  const pairs: Pair[] = [];
  const keys: string[] = [];
  const onlyInA: string[] = [];
  for (const [key, correct] of mapA) {
    const other = mapB.get(key);
    if (other === undefined) {
      onlyInA.push(key);
      continue;
    }
    pairs.push([correct, other]);
    keys.push(key);
  }
  const onlyInB = [...mapB.keys()].filter((key) => !mapA.has(key));
  return { pairs, keys, onlyInA, onlyInB };
}

export interface DiscordantCounts {
  n: number;
  /** Pairs where A is right and B is wrong. */
  b: number;
  /** Pairs where A is wrong and B is right. */
  c: number;
}

function checkPairs(pairs: ReadonlyArray<Pair>, where: string): void {
  pairs.forEach((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'boolean' || typeof pair[1] !== 'boolean') {
      throw new InputError(`${where}: pair ${index}`, 'a [boolean, boolean] pair (A correct, B correct)');
    }
  });
}

export function discordant(pairs: ReadonlyArray<Pair>): DiscordantCounts {
  checkPairs(pairs, 'paired');
  let b = 0;
  let c = 0;
  for (const [a, bb] of pairs) {
    if (a && !bb) b++;
    else if (!a && bb) c++;
  }
  return { n: pairs.length, b, c };
}

export interface McNemarResult {
  b: number;
  c: number;
  /** Two-sided exact p: 2 * P(X <= min(b, c)), X ~ Bin(b + c, 1/2), capped at 1; 1 with no discordant pairs. */
  pValue: number;
  /** Two-sided mid-p (Fagerland et al. 2013): less conservative, its size is close to nominal. */
  midPValue: number;
}

/**
 * McNemar's exact test: under H0 (A and B equally accurate) each discordant pair is A's or B's
 * with probability 1/2, so b ~ Bin(b + c, 1/2) conditionally on b + c. Concordant pairs carry no
 * information about the difference.
 */
export function mcnemarExact(pairs: ReadonlyArray<Pair>): McNemarResult {
  const { b, c } = discordant(pairs);
  return mcnemarExactCounts(b, c);
}

/** mcnemarExact from the discordant counts directly. */
export function mcnemarExactCounts(b: number, c: number): McNemarResult {
  for (const [name, value] of [['b', b], ['c', c]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new InputError(`mcnemarExact: ${name}`, `a non-negative integer, got ${value}`);
  }
  const n = b + c;
  if (n === 0) return { b, c, pValue: 1, midPValue: 1 };
  const m = Math.min(b, c);
  const lower = binomialCdf(m, n, 0.5);
  return {
    b,
    c,
    pValue: Math.min(1, 2 * lower),
    midPValue: Math.min(1, 2 * lower - binomialPmf(m, n, 0.5)),
  };
}

export interface PairedBootstrapOptions {
  resamples?: number;
  confidence?: number;
  /** RNG seed; the same pairs and seed always give the same interval. Default 0. */
  seed?: number;
}

export interface DifferenceInterval {
  /** accuracy(B) - accuracy(A) on the observed pairs. */
  difference: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap interval of accuracy(B) - accuracy(A), resampling whole pairs (problems)
 * with replacement so the pairing is kept. Deterministic for a seed. No pairs gives NaN and the
 * uninformative interval [-1, 1].
 */
export function pairedBootstrap(pairs: ReadonlyArray<Pair>, options: PairedBootstrapOptions = {}): DifferenceInterval {
  const { resamples = 10000, confidence = 0.95, seed = 0 } = options;
  checkPairs(pairs, 'pairedBootstrap');
  checkConfidence(confidence, 'pairedBootstrap');
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new InputError('pairedBootstrap: resamples', `a positive integer, got ${resamples}`);
  }
  const n = pairs.length;
  if (n === 0) return { difference: Number.NaN, low: -1, high: 1 };
  // Each pair contributes +1 (only B right), -1 (only A right) or 0 to n * difference.
  const deltas = Int8Array.from(pairs, ([a, b]) => Number(b) - Number(a));
  const observed = deltas.reduce((sum, d) => sum + d, 0) / n;
  const random = seededRandom(seed);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += deltas[Math.floor(random() * n)]!;
    differences[r] = sum / n;
  }
  differences.sort();
  const alpha = 1 - confidence;
  return {
    difference: observed,
    low: quantileSorted(differences, alpha / 2),
    high: quantileSorted(differences, 1 - alpha / 2),
  };
}

export interface NonInferiorityOptions {
  /** Largest acceptable loss of accuracy, in [0, 1): B may be worse than A by less than this. */
  margin: number;
  /** One-sided significance level, default 0.05 (a 95% one-sided lower bound). */
  alpha?: number;
}

export interface NonInferiorityResult {
  /** accuracy(B) - accuracy(A). */
  difference: number;
  /** One-sided (1 - alpha) lower confidence bound of the difference (Tango score interval). */
  lowerBound: number;
  /** True when H0 "B is worse than A by margin or more" is rejected at alpha. */
  nonInferior: boolean;
  /** One-sided p-value of Tango's score test of H0: difference <= -margin. */
  pValue: number;
}

/**
 * Tango's score statistic for H0: p(B) - p(A) = delta on paired binary data (Tango 1998, Stat
 * Med 17:891-908), with x = pairs where only B is right, y = pairs where only A is right:
 *   Z(delta) = (x - y - n*delta) / sqrt(n * (2*q + delta*(1 - delta)))
 * where q is the maximum-likelihood probability of "only A right" under the constraint, the
 * positive root of 2n q^2 + (-(x+y) + (2n - x + y) delta) q - y delta (1 - delta) = 0.
 */
export function tangoZ(x: number, y: number, n: number, delta: number): number {
  const numerator = x - y - n * delta;
  const A = 2 * n;
  const B = -x - y + (2 * n - x + y) * delta;
  const C = -y * delta * (1 - delta);
  const q = (Math.sqrt(Math.max(0, B * B - 4 * A * C)) - B) / (2 * A);
  const variance = n * (2 * q + delta * (1 - delta));
  if (numerator === 0) return 0;
  if (!(variance > 0)) return numerator > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return numerator / Math.sqrt(variance);
}

/**
 * Non-inferiority of B to A with a margin on paired data: H0: p(B) - p(A) <= -margin against
 * H1: p(B) - p(A) > -margin, by Tango's asymptotic score test, with the matching one-sided
 * Tango lower confidence bound (B is non-inferior exactly when lowerBound > -margin, up to the
 * bisection tolerance of 1e-10).
 *
 * Why Tango: the Wald interval for a paired difference collapses to zero width when there are
 * no discordant pairs and undercovers when there are few, which is the usual case when a release
 * gate compares two close variants; Tango's score test keeps its size near nominal in that regime
 * (Tango 1998; Fagerland, Lydersen & Laake 2014 recommend it), has a closed-form constrained MLE,
 * and gives both a p-value and a consistent bound. Newcombe's hybrid interval performs similarly
 * but gives no p-value.
 */
export function nonInferiority(pairs: ReadonlyArray<Pair>, options: NonInferiorityOptions): NonInferiorityResult {
  const { margin, alpha = 0.05 } = options;
  if (!(margin >= 0 && margin < 1)) throw new InputError('nonInferiority: margin', `a number in [0, 1), got ${margin}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new InputError('nonInferiority: alpha', `a number in (0, 0.5), got ${alpha}`);
  const { n, b: onlyA, c: onlyB } = discordant(pairs);
  if (n === 0) return { difference: Number.NaN, lowerBound: -1, nonInferior: false, pValue: 1 };
  const difference = (onlyB - onlyA) / n;
  const z = tangoZ(onlyB, onlyA, n, -margin);
  const pValue = 1 - normalCdf(z);
  const critical = normalQuantile(1 - alpha);
  // Z(delta) decreases in delta; the bound is where it crosses the critical value below the estimate.
  let low = -1;
  let high = difference;
  if (tangoZ(onlyB, onlyA, n, -1 + 1e-12) < critical) {
    high = -1;
  }
  while (high - low > 1e-10) {
    const mid = (low + high) / 2;
    if (tangoZ(onlyB, onlyA, n, mid) > critical) low = mid;
    else high = mid;
  }
  return { difference, lowerBound: high === -1 ? -1 : (low + high) / 2, nonInferior: z > critical, pValue };
}
