import { InputError } from '../core/errors.ts';
import { clusterCounts, type ClusteredOutcome } from './clustered.ts';
import { normalQuantile } from './distributions.ts';

/**
 * Power of the paired release gate (sign-flip test on per-problem differences, one intervention
 * at a time, at its share of alpha), by the normal approximation. A problem answered right with
 * probability p in each of m samples on both sides has a per-problem difference of variance
 * 2 p (1 - p) / m under H0; a uniform drop of delta is detected with power 1 - beta when
 *   delta >= (z(1 - alpha) + z(1 - beta)) * sqrt(2 v / (m G))
 * with v the mean of p (1 - p) over the G problems (the within-problem variance: what the pairing
 * cannot remove). See src/metrics/README.md.
 */

export interface WithinVariance {
  /** Mean over problems of p (1 - p). */
  value: number;
  /**
   * `within`: estimated without bias from problems with 2+ samples; `discordance`: from one
   * sample per problem paired against another run (discordant share / 2); `upper-bound`: one
   * sample per problem and nothing to pair with, so the bound p(1 - p) of the overall accuracy
   * (the detectable drop is then overstated, never understated).
   */
  method: 'within' | 'discordance' | 'upper-bound';
}

/** Estimates the within-problem variance from one side's outcomes (a golden or a run). */
export function withinVariance(outcomes: ReadonlyArray<ClusteredOutcome>): WithinVariance {
  const clusters = clusterCounts(outcomes);
  const repeated = clusters.filter((c) => c.n >= 2);
  if (repeated.length > 0 && repeated.length * 2 >= clusters.length) {
    const value = repeated.reduce((s, c) => s + ((c.correct / c.n) * (1 - c.correct / c.n) * c.n) / (c.n - 1), 0) / repeated.length;
    return { value, method: 'within' };
  }
  const n = outcomes.length;
  const p = n === 0 ? 0.5 : outcomes.filter((o) => o.correct).length / n;
  return { value: p * (1 - p), method: 'upper-bound' };
}

/** From one-sample pairs of the same model: P(discordant) = 2 mean p (1 - p). */
export function varianceFromDiscordance(discordant: number, pairs: number): WithinVariance {
  return { value: pairs === 0 ? 0.25 : discordant / (2 * pairs), method: 'discordance' };
}

export interface PowerDesign {
  /** Problems (clusters) per side. */
  problems: number;
  /** Samples per problem per side. */
  samples: number;
  /** Mean within-problem variance p (1 - p). */
  variance: number;
  /** One-sided level of the test (the gate's alpha divided over its interventions). */
  alpha: number;
  /** Default 0.8. */
  power?: number;
}

function zSum(alpha: number, power: number): number {
  if (!(alpha > 0 && alpha < 0.5)) throw new InputError('power: alpha', `a number in (0, 0.5), got ${alpha}`);
  if (!(power > 0.5 && power < 1)) throw new InputError('power: power', `a number in (0.5, 1), got ${power}`);
  return normalQuantile(1 - alpha) + normalQuantile(power);
}

/** The smallest drop in accuracy (a fraction, 0.05 = 5 points) detected with the given power. */
export function minimumDetectableDrop(design: PowerDesign): number {
  const { problems, samples, variance, alpha, power = 0.8 } = design;
  if (!(problems >= 1 && samples >= 1)) return Number.NaN;
  return zSum(alpha, power) * Math.sqrt((2 * Math.max(variance, 0)) / (samples * problems));
}

/** Problems needed (with `samples` each) to detect `drop` with the given power. */
export function problemsNeeded(design: Omit<PowerDesign, 'problems'> & { drop: number }): number {
  const { drop, samples, variance, alpha, power = 0.8 } = design;
  if (!(drop > 0 && drop < 1)) throw new InputError('power: drop', `a number in (0, 1), got ${drop}`);
  const z = zSum(alpha, power);
  return Math.max(1, Math.ceil((z * z * 2 * Math.max(variance, 0)) / (samples * drop * drop)));
}

/** The sentence reports print next to a gate's verdict. */
export function powerSentence(dropPoints: number, power = 0.8): string {
  return `this gate detects a drop of >= ${dropPoints.toFixed(1)} points with ${Math.round(power * 100)}% power`;
}
