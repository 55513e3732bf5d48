import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { averageRanks, positionSpearman, spearman } from './correlation.ts';

describe('spearman', () => {
  it('textbook example without ties: IQ vs hours of TV, rho = -29/165', () => {
    // The worked example of the Wikipedia article "Spearman's rank correlation coefficient".
    const iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
    const tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];
    expect(spearman(iq, tv)).toBeCloseTo(-29 / 165, 12);
  });

  it('with ties uses average ranks (scipy.stats.spearmanr documentation example: 0.8207826816681233)', () => {
    expect(averageRanks([5, 6, 7, 8, 7])).toEqual([1, 2, 3.5, 5, 3.5]);
    expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    // Here the no-ties shortcut 1 - 6Σd²/(n(n²-1)) would give 0.825: ties must not use it.
    expect(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.825)).toBeGreaterThan(1e-3);
  });

  it('is NaN when undefined', () => {
    expect(spearman([], [])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
  });

  it('is +1 for any increasing transform and -1 for a decreasing one (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 40 }), (xs) => {
        expect(spearman(xs, xs.map((x) => x ** 3 + 5))).toBeCloseTo(1, 12);
        expect(spearman(xs, xs.map((x) => -Math.exp(x / 100)))).toBeCloseTo(-1, 12);
      }),
      { numRuns: 200 },
    );
  });

  it('is symmetric and within [-1, 1] (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 30 }),
        (pairs) => {
          const xs = pairs.map((p) => p[0]);
          const ys = pairs.map((p) => p[1]);
          const rho = spearman(xs, ys);
          if (Number.isNaN(rho)) return;
          expect(rho).toBeCloseTo(spearman(ys, xs), 12);
          expect(Math.abs(rho)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects mismatched lengths and NaN', () => {
    expect(() => spearman([1, 2], [1])).toThrow(InputError);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow('spearman: xs[1]');
  });
});

describe('positionSpearman', () => {
  it('correlates the measurements of a trace with their positions, skipping failed probes', () => {
    const falling = [
      { position: 0, value: 3 },
      { position: 10, value: 2.5 },
      { position: 20, value: Number.NaN },
      { position: 30, value: 2.6 },
      { position: 40, value: 1 },
    ];
    expect(positionSpearman(falling)).toBeCloseTo(spearman([0, 10, 30, 40], [3, 2.5, 2.6, 1]), 12);
    expect(positionSpearman(falling)).toBeCloseTo(-0.8, 12);
    expect(positionSpearman([{ position: 0, value: 1 }])).toBeNaN();
  });
});
