import { InputError } from '../core/errors.ts';
import { betaQuantile, zCritical } from './distributions.ts';
import { checkConfidence } from './validate.ts';

export interface Interval {
  /** Point estimate (NaN when there is no data). */
  estimate: number;
  low: number;
  high: number;
}

function checkCounts(successes: number, n: number, where: string): void {
  if (!Number.isInteger(n) || n < 0) throw new InputError(where, `n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new InputError(where, `successes must be an integer in 0..${n}, got ${successes}`);
  }
}

/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998 method 3, no
 * continuity correction). Chosen over the Wald interval because it stays inside [0, 1], is not
 * degenerate at 0/n or n/n, and keeps coverage close to nominal for the small n of eval suites.
 * n = 0 gives estimate NaN and the uninformative interval [0, 1].
 */
export function wilson(successes: number, n: number, confidence = 0.95): Interval {
  checkCounts(successes, n, 'wilson');
  checkConfidence(confidence, 'wilson');
  if (n === 0) return { estimate: Number.NaN, low: 0, high: 1 };
  const z = zCritical(confidence);
  const z2 = z * z;
  const p = successes / n;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // At 0/n and n/n the bound is exactly 0 or 1; clamp away rounding noise elsewhere.
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === n ? 1 : Math.min(1, centre + half);
  return { estimate: p, low, high };
}

/** Accuracy of a list of graded outcomes with its Wilson interval. */
export function accuracy(outcomes: readonly boolean[], confidence = 0.95): Interval & { n: number; correct: number } {
  const correct = outcomes.filter(Boolean).length;
  return { ...wilson(correct, outcomes.length, confidence), n: outcomes.length, correct };
}

/**
 * Clopper-Pearson "exact" interval: inverts two one-sided binomial tests, so its coverage is at
 * least the nominal level for every p. Wider than Wilson; offered for gates that want a
 * guaranteed-conservative bound. n = 0 gives NaN and [0, 1].
 */
export function clopperPearson(successes: number, n: number, confidence = 0.95): Interval {
  checkCounts(successes, n, 'clopperPearson');
  checkConfidence(confidence, 'clopperPearson');
  if (n === 0) return { estimate: Number.NaN, low: 0, high: 1 };
  const alpha = 1 - confidence;
  return {
    estimate: successes / n,
    low: successes === 0 ? 0 : betaQuantile(alpha / 2, successes, n - successes + 1),
    high: successes === n ? 1 : betaQuantile(1 - alpha / 2, successes + 1, n - successes),
  };
}
