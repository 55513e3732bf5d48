import type { ResultSummary } from '../../../run-data.ts';

export const BINS = 20;

export type Outcome = 'correct' | 'wrong';

export interface BandPoint {
  intervention: string;
  outcome: Outcome;
  x: number;
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Per bin: the sum and count of values from each problem (the cluster). */
type Bins = Array<Map<string, { n: number; sum: number }>>;

function bins(): Bins {
  return Array.from({ length: BINS + 1 }, () => new Map<string, { n: number; sum: number }>());
}

/**
 * Mean and 95% interval of one bin, the interval from the cluster-robust variance of the mean with
 * problems as clusters: V = G/(G-1) * sum_c (S_c - n_c * mean)^2 / N^2. With one value per problem
 * this is exactly s^2/N, the plain standard error; values from the samples (and nearby probes) of
 * one problem are correlated and must not narrow the band as if independent. One problem gives no
 * interval: the band collapses onto the mean instead of pretending to one.
 */
export function clusteredMean(clusters: ReadonlyMap<string, { n: number; sum: number }>): { mean: number; half: number; n: number } {
  let n = 0;
  let sum = 0;
  for (const c of clusters.values()) {
    n += c.n;
    sum += c.sum;
  }
  const mean = n > 0 ? sum / n : Number.NaN;
  const g = clusters.size;
  if (g < 2) return { mean, half: 0, n };
  let spread = 0;
  for (const c of clusters.values()) spread += (c.sum - c.n * mean) ** 2;
  return { mean, half: 1.96 * Math.sqrt(((g / (g - 1)) * spread) / (n * n)), n };
}

/**
 * Mean and 95% band per normalized-position bin, per intervention and per outcome. RaML draws
 * correct and wrong traces apart: mixed, the falling curves of correct traces and the flat ones of
 * wrong traces average into a jagged line that describes neither.
 */
export function bandByPosition(results: ResultSummary[], value: 'pCorrect' | 'lhat'): BandPoint[] {
  const sums = new Map<string, { intervention: string; outcome: Outcome; bins: Bins }>();
  for (const r of results) {
    if (r.error !== undefined) continue;
    const outcome: Outcome = r.correct ? 'correct' : 'wrong';
    for (const p of r.confidence) {
      const v = p[value];
      // Bounded L-hat values are bounds, not measurements: they would bias the mean.
      if (typeof v !== 'number' || !Number.isFinite(v) || p.bounded === true) continue;
      const key = `${r.intervention}\u0000${outcome}`;
      let entry = sums.get(key);
      if (!entry) {
        entry = { intervention: r.intervention, outcome, bins: bins() };
        sums.set(key, entry);
      }
      const bin = entry.bins[Math.min(BINS, Math.max(0, Math.round(p.normalized * BINS)))];
      const cluster = bin?.get(r.problemId) ?? { n: 0, sum: 0 };
      cluster.n += 1;
      cluster.sum += v;
      bin?.set(r.problemId, cluster);
    }
  }
  const out: BandPoint[] = [];
  // Probabilities live in [0, 1] and L-hat in [0, inf): a band must not leave them.
  const top = value === 'pCorrect' ? 1 : Number.POSITIVE_INFINITY;
  for (const { intervention, outcome, bins: perBin } of sums.values()) {
    perBin.forEach((clusters, bin) => {
      if (clusters.size === 0) return;
      const { mean, half, n } = clusteredMean(clusters);
      out.push({ intervention, outcome, x: bin / BINS, mean, low: Math.max(0, mean - half), high: Math.min(top, mean + half), n });
    });
  }
  return out;
}

/** Traces (not probe points) behind each panel, for the panel titles. */
export function tracesByOutcome(results: ResultSummary[], value: 'pCorrect' | 'lhat'): Record<Outcome, number> {
  const counts: Record<Outcome, number> = { correct: 0, wrong: 0 };
  for (const r of results) {
    if (r.error !== undefined) continue;
    if (r.confidence.some((p) => typeof p[value] === 'number' && Number.isFinite(p[value]) && p.bounded !== true)) counts[r.correct ? 'correct' : 'wrong'] += 1;
  }
  return counts;
}
