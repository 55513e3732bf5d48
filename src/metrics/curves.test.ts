import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { absoluteCurve, meanBand, normalizedCurve, resampleCurve, unitGrid } from './curves.ts';

describe('curves', () => {
  it('interpolates linearly onto the grid and never extrapolates', () => {
    const points = [
      { position: 10, value: 2 },
      { position: 0, value: 4 },
      { position: 30, value: 1 },
    ];
    expect(absoluteCurve(points, [0, 5, 10, 20, 30, 31, -1])).toEqual([4, 3, 2, 1.5, 1, Number.NaN, Number.NaN]);
  });

  it('normalizes positions by trace length', () => {
    const points = [
      { position: 0, value: 3 },
      { position: 50, value: 2 },
      { position: 200, value: 0 },
    ];
    const grid = unitGrid(5); // 0, .25, .5, .75, 1
    expect(grid).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const curve = normalizedCurve(points, 200, grid);
    [3, 2, 4 / 3, 2 / 3, 0].forEach((expected, i) => expect(curve[i]).toBeCloseTo(expected, 12));
    // A trace that ended early has no values past its end.
    // Positions 0, 0.125, 0.5 of a 400-token trace: 0.25 lies a third of the way from 0.125 to 0.5.
    const early = normalizedCurve(points, 400, grid);
    expect(early[0]).toBe(3);
    expect(early[1]).toBeCloseTo(4 / 3, 12);
    expect(early.slice(2)).toEqual([0, Number.NaN, Number.NaN]);
  });

  it('skips failed probes and averages repeated positions', () => {
    expect(
      resampleCurve(
        [
          { position: 0, value: 1 },
          { position: 0, value: 3 },
          { position: 5, value: Number.NaN },
          { position: 10, value: 4 },
        ],
        [0, 5],
      ),
    ).toEqual([2, 3]);
    expect(resampleCurve([], [0, 1])).toEqual([Number.NaN, Number.NaN]);
  });

  it('rejects a bad length or position', () => {
    expect(() => normalizedCurve([], 0, [0])).toThrow(InputError);
    expect(() => resampleCurve([{ position: Number.NaN, value: 1 }], [0])).toThrow('curve: point 0');
  });
});

describe('meanBand', () => {
  it('mean and Student-t band at each grid position', () => {
    const band = meanBand([
      [1, 2, Number.NaN],
      [3, 2, 5],
      [5, 2, Number.NaN],
    ]);
    // Position 0: values 1, 3, 5: mean 3, sd 2, t(0.975, 2) = 4.302652729749464.
    expect(band[0]!.mean).toBe(3);
    expect(band[0]!.n).toBe(3);
    expect(band[0]!.low).toBeCloseTo(3 - (4.302652729749464 * 2) / Math.sqrt(3), 9);
    expect(band[0]!.high).toBeCloseTo(3 + (4.302652729749464 * 2) / Math.sqrt(3), 9);
    // No spread: zero-width band.
    expect(band[1]).toEqual({ mean: 2, low: 2, high: 2, n: 3 });
    // One curve only: a mean but no band.
    expect(band[2]!.mean).toBe(5);
    expect(band[2]!.n).toBe(1);
    expect(band[2]!.low).toBeNaN();
  });

  it('a wider confidence gives a wider band; no curves gives nothing', () => {
    const curves = [[1], [2], [4], [7]];
    const narrow = meanBand(curves, 0.8)[0]!;
    const wide = meanBand(curves, 0.99)[0]!;
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
    expect(meanBand([])).toEqual([]);
  });

  it('rejects curves of different lengths', () => {
    expect(() => meanBand([[1, 2], [1]])).toThrow('meanBand: curve 1');
  });
});
