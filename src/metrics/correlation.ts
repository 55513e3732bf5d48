import { InputError } from '../core/errors.ts';

/** Average (fractional) ranks, 1-based: tied values share the mean of the ranks they span. */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.value === order[i]!.value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!.index] = rank;
    i = j + 1;
  }
  return ranks;
}

function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Spearman's rank correlation: Pearson's r of the average ranks, which is the correct
 * definition with ties (the 1 - 6Σd²/(n(n²-1)) shortcut is only exact without ties).
 * NaN when undefined: fewer than 2 points or either side constant. Used per trace for
 * confidence against position (does confidence rise as the trace grows?).
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) {
    throw new InputError('spearman', `xs and ys of equal length, got ${xs.length} and ${ys.length}`);
  }
  [xs, ys].forEach((values, side) => {
    values.forEach((value, index) => {
      if (Number.isNaN(value)) throw new InputError(`spearman: ${side === 0 ? 'xs' : 'ys'}[${index}]`, 'a number, got NaN');
    });
  });
  if (xs.length < 2) return Number.NaN;
  return pearson(averageRanks(xs), averageRanks(ys));
}

/**
 * Spearman rho of a trace's confidence measurements against their positions (per trace).
 * Measurements with non-finite values (failed probes) are left out. For a loss such as L-hat a
 * negative rho means confidence in the reference answer rises along the trace; for a probability
 * (sampled or self-confidence) a positive rho does.
 */
export function positionSpearman(points: ReadonlyArray<{ position: number; value: number }>): number {
  const kept = points.filter((p) => Number.isFinite(p.position) && Number.isFinite(p.value));
  return spearman(
    kept.map((p) => p.position),
    kept.map((p) => p.value),
  );
}
