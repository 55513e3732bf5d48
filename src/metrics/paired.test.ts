import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { mcnemarExact, pairByKey, mcnemarExactCounts, nonInferiority, pairedBootstrap, tangoZ, type Pair } from './paired.ts';
import { seededRandom } from '../core/random.ts';

/** Builds pairs from the four cell counts: both right, only A right, only B right, both wrong. */
function table(both: number, onlyA: number, onlyB: number, neither: number): Pair[] {
  return [
    ...Array.from({ length: both }, (): Pair => [true, true]),
    ...Array.from({ length: onlyA }, (): Pair => [true, false]),
    ...Array.from({ length: onlyB }, (): Pair => [false, true]),
    ...Array.from({ length: neither }, (): Pair => [false, false]),
  ];
}

describe('mcnemarExact', () => {
  it('b = 1, c = 9 gives p = 2 * 11/1024 = 0.021484375', () => {
    const result = mcnemarExact(table(20, 1, 9, 5));
    expect(result.b).toBe(1);
    expect(result.c).toBe(9);
    expect(result.pValue).toBeCloseTo(0.021484375, 12);
    // mid-p = 2 * (P(X <= 1) - P(X = 1) / 2) = 2 * (11 - 5) / 1024
    expect(result.midPValue).toBeCloseTo(12 / 1024, 12);
  });

  it('textbook values: symmetric, capped at 1, 1 without discordant pairs', () => {
    expect(mcnemarExactCounts(9, 1).pValue).toBeCloseTo(0.021484375, 12);
    expect(mcnemarExactCounts(5, 5).pValue).toBe(1);
    expect(mcnemarExactCounts(5, 5).midPValue).toBeCloseTo(1, 12);
    expect(mcnemarExactCounts(0, 0).pValue).toBe(1);
    // 0 vs 6: 2 / 64
    expect(mcnemarExactCounts(0, 6).pValue).toBeCloseTo(2 / 64, 14);
    // Reference: scipy.stats.binomtest(k, n).pvalue (exact two-sided, symmetric at p = 1/2).
    expect(mcnemarExactCounts(3, 17).pValue).toBeCloseTo(0.0025768280029296875, 14);
    // Large counts stay accurate.
    expect(mcnemarExactCounts(400, 500).pValue / 0.0009564441369189373).toBeCloseTo(1, 10);
  });

  it('rejects malformed pairs', () => {
    expect(() => mcnemarExact([[true, 'yes' as unknown as boolean]])).toThrow(InputError);
    expect(() => mcnemarExact([[true, 'yes' as unknown as boolean]])).toThrow('pair 0');
  });

  it('under the null its false-positive rate at alpha = 0.05 is at most alpha (seeded simulation)', () => {
    const random = seededRandom(7);
    const trials = 3000;
    let rejections = 0;
    for (let t = 0; t < trials; t++) {
      // 60 problems, A and B equally accurate (both 0.6) with a positive correlation.
      const pairs: Pair[] = [];
      for (let i = 0; i < 60; i++) {
        const shared = random() < 0.5;
        const a = shared ? random() < 0.8 : random() < 0.4;
        const b = shared ? random() < 0.8 : random() < 0.4;
        pairs.push([a, b]);
      }
      if (mcnemarExact(pairs).pValue < 0.05) rejections++;
    }
    const rate = rejections / trials;
    // The exact test is conservative: expect well below 5%, but it must still reject sometimes.
    expect(rate).toBeLessThanOrEqual(0.05 + 0.008);
    expect(rate).toBeGreaterThan(0.01);
  });
});

describe('pairedBootstrap', () => {
  const pairs = table(40, 6, 14, 10);

  it('is deterministic for a seed and varies with the seed', () => {
    const a = pairedBootstrap(pairs, { resamples: 2000, seed: 42 });
    const b = pairedBootstrap(pairs, { resamples: 2000, seed: 42 });
    expect(a).toEqual(b);
    // Differences are multiples of 1/70, so neighbouring seeds may share both ends; across ten
    // small-resample seeds the ends must move.
    const ends = new Set(
      Array.from({ length: 10 }, (_, seed) => {
        const r = pairedBootstrap(pairs, { resamples: 100, seed });
        return `${r.low},${r.high}`;
      }),
    );
    expect(ends.size).toBeGreaterThan(1);
    expect(a.difference).toBeCloseTo((14 - 6) / 70, 14);
  });

  it('agrees with the normal approximation for a moderate sample', () => {
    const result = pairedBootstrap(pairs, { seed: 1 });
    // Wald SE of a paired difference: sqrt((b + c) - (c - b)^2 / n) / n.
    const se = Math.sqrt(20 - 64 / 70) / 70;
    expect(result.low).toBeCloseTo(result.difference - 1.96 * se, 1);
    expect(result.high).toBeCloseTo(result.difference + 1.96 * se, 1);
    expect(result.high - result.low).toBeGreaterThan(2 * 1.7 * se);
    expect(result.high - result.low).toBeLessThan(2 * 2.2 * se);
  });

  it('the interval contains the observed difference (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 60 }), fc.integer(), (raw, seed) => {
        const result = pairedBootstrap(raw, { resamples: 500, seed });
        expect(result.low).toBeLessThanOrEqual(result.difference);
        expect(result.high).toBeGreaterThanOrEqual(result.difference);
        expect(result.low).toBeGreaterThanOrEqual(-1);
        expect(result.high).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('no pairs: NaN and [-1, 1]; bad options are InputErrors', () => {
    const empty = pairedBootstrap([]);
    expect(empty.difference).toBeNaN();
    expect([empty.low, empty.high]).toEqual([-1, 1]);
    expect(() => pairedBootstrap(pairs, { resamples: 0 })).toThrow(InputError);
    expect(() => pairedBootstrap(pairs, { confidence: 95 })).toThrow(/confidence/);
  });
});

describe('nonInferiority (Tango score test)', () => {
  it('Tango statistic matches an independent constrained-MLE computation', () => {
    // Fagerland, Lydersen & Laake (2014) example: cells 1, 1, 7, 12 (n = 21). Reference Z values
    // from maximizing the constrained likelihood numerically (scipy.optimize), not from this formula.
    expect(tangoZ(7, 1, 21, -0.1)).toBeCloseTo(2.718638009367644, 6);
    expect(tangoZ(7, 1, 21, 0.1)).toBeCloseTo(1.4713332323546389, 6);
    // At delta = 0 it reduces to McNemar's z = (c - b) / sqrt(b + c).
    expect(tangoZ(7, 1, 21, 0)).toBeCloseTo(6 / Math.sqrt(8), 12);
  });

  it('its bound reproduces the published Tango interval (Fagerland et al. 2014: 0.026 to 0.517)', () => {
    // A two-sided 95% interval's lower limit is the one-sided 97.5% bound.
    const result = nonInferiority(table(1, 1, 7, 12), { margin: 0.05, alpha: 0.025 });
    expect(result.difference).toBeCloseTo(6 / 21, 12);
    expect(result.lowerBound).toBeCloseTo(0.026003, 5);
    const oneSided = nonInferiority(table(1, 1, 7, 12), { margin: 0.05 });
    expect(oneSided.lowerBound).toBeCloseTo(0.0746308, 5);
    expect(oneSided.pValue).toBeCloseTo(0.0077002, 5);
    expect(oneSided.nonInferior).toBe(true);
  });

  it('decisions on constructed data', () => {
    // Identical variants on 200 problems with a few swaps either way: non-inferior at a 5-point margin.
    expect(nonInferiority(table(150, 5, 5, 40), { margin: 0.05 }).nonInferior).toBe(true);
    // ... but not at margin 0: equal is not "better than".
    expect(nonInferiority(table(150, 5, 5, 40), { margin: 0 }).nonInferior).toBe(false);
    // B loses 10 points: not non-inferior at a 5-point margin.
    expect(nonInferiority(table(130, 25, 5, 40), { margin: 0.05 }).nonInferior).toBe(false);
    // Too little data to show anything.
    expect(nonInferiority(table(8, 1, 1, 0), { margin: 0.05 }).nonInferior).toBe(false);
    // No discordant pairs at all with many problems: non-inferior (Wald would claim zero variance).
    const noChange = nonInferiority(table(300, 0, 0, 100), { margin: 0.02 });
    expect(noChange.nonInferior).toBe(true);
    expect(noChange.lowerBound).toBeLessThan(0);
    expect(noChange.lowerBound).toBeGreaterThan(-0.02);
  });

  it('the decision agrees with lowerBound > -margin and pValue < alpha (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.nat(60), fc.nat(30), fc.nat(30), fc.nat(60)),
        fc.double({ min: 0.001, max: 0.3, noNaN: true }),
        ([both, onlyA, onlyB, neither], margin) => {
          fc.pre(both + onlyA + onlyB + neither > 0);
          const result = nonInferiority(table(both, onlyA, onlyB, neither), { margin });
          fc.pre(Math.abs(result.lowerBound + margin) > 1e-8);
          expect(result.nonInferior).toBe(result.lowerBound > -margin);
          expect(result.nonInferior).toBe(result.pValue < 0.05);
          expect(result.lowerBound).toBeLessThanOrEqual(result.difference + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a bad margin or alpha; no data is never non-inferior', () => {
    expect(() => nonInferiority([], { margin: -0.1 })).toThrow(InputError);
    expect(() => nonInferiority([], { margin: 0.05, alpha: 0.7 })).toThrow(/alpha/);
    expect(nonInferiority([], { margin: 0.05 })).toMatchObject({ nonInferior: false, lowerBound: -1 });
  });
});

describe('pairByKey', () => {
  it('pairs outcomes by key and lists the unmatched ones', () => {
    const result = pairByKey(
      [
        { key: 'p1', correct: true },
        { key: 'p2', correct: false },
        { key: 'p3', correct: true },
      ],
      [
        { key: 'p3', correct: false },
        { key: 'p1', correct: true },
        { key: 'p4', correct: true },
      ],
    );
    expect(result.pairs).toEqual([
      [true, true],
      [true, false],
    ]);
    expect(result.keys).toEqual(['p1', 'p3']);
    expect(result.onlyInA).toEqual(['p2']);
    expect(result.onlyInB).toEqual(['p4']);
  });

  it('refuses a key graded twice on one side', () => {
    expect(() => pairByKey([], [{ key: 'x', correct: true }, { key: 'x', correct: false }])).toThrow('pairByKey: b[1]');
  });
});
