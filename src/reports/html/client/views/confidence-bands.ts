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

interface Accumulator {
  n: number[];
  sum: number[];
  sq: number[];
}

function accumulator(): Accumulator {
  return { n: new Array<number>(BINS + 1).fill(0), sum: new Array<number>(BINS + 1).fill(0), sq: new Array<number>(BINS + 1).fill(0) };
}

/**
 * Mean and 95% normal band per normalized-position bin, per intervention and per outcome. RaML draws
 * correct and wrong traces apart: mixed, the falling curves of correct traces and the flat ones of
 * wrong traces average into a jagged line that describes neither.
 */
export function bandByPosition(results: ResultSummary[], value: 'pCorrect' | 'lhat'): BandPoint[] {
  const sums = new Map<string, { intervention: string; outcome: Outcome; acc: Accumulator }>();
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
        entry = { intervention: r.intervention, outcome, acc: accumulator() };
        sums.set(key, entry);
      }
      const bin = Math.min(BINS, Math.max(0, Math.round(p.normalized * BINS)));
      entry.acc.n[bin] = (entry.acc.n[bin] ?? 0) + 1;
      entry.acc.sum[bin] = (entry.acc.sum[bin] ?? 0) + v;
      entry.acc.sq[bin] = (entry.acc.sq[bin] ?? 0) + v * v;
    }
  }
  const out: BandPoint[] = [];
  // Probabilities live in [0, 1] and L-hat in [0, inf): a normal band must not leave them.
  const top = value === 'pCorrect' ? 1 : Number.POSITIVE_INFINITY;
  for (const { intervention, outcome, acc } of sums.values()) {
    for (let bin = 0; bin <= BINS; bin++) {
      const n = acc.n[bin] ?? 0;
      if (n === 0) continue;
      const mean = (acc.sum[bin] ?? 0) / n;
      const variance = n > 1 ? Math.max(0, ((acc.sq[bin] ?? 0) - n * mean * mean) / (n - 1)) : 0;
      // One trace gives no interval: its band collapses onto the mean instead of pretending to one.
      const half = n > 1 ? 1.96 * Math.sqrt(variance / n) : 0;
      out.push({ intervention, outcome, x: bin / BINS, mean, low: Math.max(0, mean - half), high: Math.min(top, mean + half), n });
    }
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
