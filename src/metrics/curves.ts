import { InputError } from '../core/errors.ts';
import { checkConfidence } from './validate.ts';
import { studentTQuantile } from './distributions.ts';

/**
 * Confidence curves: a per-trace series of measurements (L-hat, sampled or self-confidence) at
 * token positions, resampled onto a common grid so traces of different lengths can be averaged.
 * Absolute grids compare traces by tokens spent; normalized grids (position / trace length, in
 * [0, 1]) compare them by progress through their own reasoning.
 */
export interface CurvePoint {
  /** Token position in the trace (number of thinking tokens before the measurement). */
  position: number;
  value: number;
}

/** `count` evenly spaced positions from 0 to 1 inclusive (count >= 2). */
export function unitGrid(count: number): number[] {
  if (!Number.isInteger(count) || count < 2) throw new InputError('unitGrid', `count must be an integer >= 2, got ${count}`);
  return Array.from({ length: count }, (_, i) => i / (count - 1));
}

/**
 * Linear interpolation of the points onto the grid. Grid positions outside the measured range
 * get NaN: a curve is never extrapolated past its first or last measurement (a trace that
 * ended at 60% has no value at 80%). Points with non-finite values (a failed probe) are skipped;
 * repeated positions are averaged.
 */
export function resampleCurve(points: ReadonlyArray<CurvePoint>, grid: readonly number[]): number[] {
  const byPosition = new Map<number, { sum: number; count: number }>();
  points.forEach((point, index) => {
    if (!Number.isFinite(point.position)) {
      throw new InputError(`curve: point ${index}`, `a finite position, got ${point.position}`);
    }
    if (!Number.isFinite(point.value)) return;
    const entry = byPosition.get(point.position) ?? { sum: 0, count: 0 };
    entry.sum += point.value;
    entry.count += 1;
    byPosition.set(point.position, entry);
  });
  const xs = [...byPosition.keys()].sort((a, b) => a - b);
  const ys = xs.map((x) => byPosition.get(x)!.sum / byPosition.get(x)!.count);
  return grid.map((g) => {
    if (!Number.isFinite(g) || xs.length === 0 || g < xs[0]! || g > xs[xs.length - 1]!) return Number.NaN;
    // Binary search for the last x <= g.
    let lo = 0;
    let hi = xs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (xs[mid]! <= g) lo = mid;
      else hi = mid - 1;
    }
    if (xs[lo] === g || lo === xs.length - 1) return ys[lo]!;
    const t = (g - xs[lo]!) / (xs[lo + 1]! - xs[lo]!);
    return ys[lo]! + t * (ys[lo + 1]! - ys[lo]!);
  });
}

/** A curve on absolute token positions: resampleCurve under its domain name. */
export function absoluteCurve(points: ReadonlyArray<CurvePoint>, grid: readonly number[]): number[] {
  return resampleCurve(points, grid);
}

/**
 * A curve on normalized positions: each point's position is divided by the trace's `length`
 * (its thinking tokens), then the curve is resampled onto `grid` (values in [0, 1]).
 */
export function normalizedCurve(points: ReadonlyArray<CurvePoint>, length: number, grid: readonly number[]): number[] {
  if (!(Number.isFinite(length) && length > 0)) {
    throw new InputError('normalizedCurve: length', `a positive trace length in tokens, got ${length}`);
  }
  return resampleCurve(
    points.map((p) => ({ position: p.position / length, value: p.value })),
    grid,
  );
}

export interface BandPoint {
  /** Mean across the curves that have a value here (NaN when none do). */
  mean: number;
  /** Student-t confidence interval of that mean; NaN when fewer than 2 curves have a value. */
  low: number;
  high: number;
  /** How many curves have a value at this grid position. */
  n: number;
}

/**
 * Mean curve and a confidence band for the mean at each grid position, across traces. NaN
 * entries (a curve with no value there) are left out of that position only, so `n` can vary along
 * the grid. The band is mean ± t(n-1) · sd / √n: a confidence interval of the mean curve (the
 * traces are the sampling unit), not a spread of individual traces.
 */
export function meanBand(curves: ReadonlyArray<readonly number[]>, confidence = 0.95): BandPoint[] {
  checkConfidence(confidence, 'meanBand');
  if (curves.length === 0) return [];
  const width = curves[0]!.length;
  curves.forEach((curve, index) => {
    if (curve.length !== width) throw new InputError(`meanBand: curve ${index}`, `${width} grid values like curve 0, got ${curve.length}`);
  });
  const band: BandPoint[] = [];
  for (let g = 0; g < width; g++) {
    const values = curves.map((c) => c[g]!).filter((v) => Number.isFinite(v));
    const n = values.length;
    if (n === 0) {
      band.push({ mean: Number.NaN, low: Number.NaN, high: Number.NaN, n });
      continue;
    }
    const mean = values.reduce((s, v) => s + v, 0) / n;
    if (n < 2) {
      band.push({ mean, low: Number.NaN, high: Number.NaN, n });
      continue;
    }
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
    const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(variance / n);
    band.push({ mean, low: mean - half, high: mean + half, n });
  }
  return band;
}
