import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { binomialPmf } from './distributions.ts';
import { accuracy, clopperPearson, wilson } from './proportions.ts';
import { seededRandom } from '../core/random.ts';

describe('wilson', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Stat Med 17:857-872, Table II, method 3 (Wilson score, no continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i matches Newcombe 1998 Table II', (x, n, low, high) => {
    const ci = wilson(x, n);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  // 8/10, 0/10, 10/10: closed form with z = 1.959964 (0/n upper bound = z²/(n+z²)).
  it('8/10, 0/10, 10/10', () => {
    expect(wilson(8, 10)).toMatchObject({ estimate: 0.8 });
    expect(wilson(8, 10).low).toBeCloseTo(0.490162, 6);
    expect(wilson(8, 10).high).toBeCloseTo(0.943318, 6);
    expect(wilson(0, 10)).toEqual({ estimate: 0, low: 0, high: expect.closeTo(0.277533, 6) });
    expect(wilson(10, 10)).toEqual({ estimate: 1, low: expect.closeTo(0.722467, 6), high: 1 });
  });

  it('n = 0 is uninformative, wider confidence is wider', () => {
    const empty = wilson(0, 0);
    expect(empty.estimate).toBeNaN();
    expect([empty.low, empty.high]).toEqual([0, 1]);
    const ci90 = wilson(8, 10, 0.9);
    const ci99 = wilson(8, 10, 0.99);
    expect(ci99.low).toBeLessThan(ci90.low);
    expect(ci99.high).toBeGreaterThan(ci90.high);
  });

  it('rejects bad input with an InputError', () => {
    expect(() => wilson(11, 10)).toThrow(InputError);
    expect(() => wilson(1.5, 10)).toThrow(/successes/);
    expect(() => wilson(1, 10, 1)).toThrow(/confidence/);
  });

  it('accuracy counts outcomes', () => {
    const result = accuracy([true, true, false, true]);
    expect(result).toMatchObject({ n: 4, correct: 3, estimate: 0.75 });
    expect(result.low).toBeCloseTo(wilson(3, 4).low, 12);
  });

  // Exact coverage: sum of Bin(n, p) probabilities of the outcomes whose interval covers p.
  it('exact 95% coverage averaged over p is close to nominal (Brown, Cai & DasGupta 2001)', () => {
    for (const n of [20, 50, 100]) {
      let total = 0;
      const ps = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
      for (const p of ps) {
        let coverage = 0;
        for (let x = 0; x <= n; x++) {
          const ci = wilson(x, n);
          if (ci.low <= p && p <= ci.high) coverage += binomialPmf(x, n, p);
        }
        total += coverage;
      }
      const mean = total / ps.length;
      expect(mean).toBeGreaterThan(0.935);
      expect(mean).toBeLessThan(0.965);
    }
  });

  it('simulated binomials (seeded): 95% intervals cover the true p about 95% of the time', () => {
    const random = seededRandom(20260428);
    const trials = 4000;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const p = 0.1 + 0.8 * random();
      const n = 30 + Math.floor(random() * 70);
      let x = 0;
      for (let i = 0; i < n; i++) if (random() < p) x++;
      const ci = wilson(x, n);
      if (ci.low <= p && p <= ci.high) covered++;
    }
    // Binomial sd of the rate at 4000 trials is ~0.0034; allow ~3 sd around 0.95.
    expect(covered / trials).toBeGreaterThan(0.94);
    expect(covered / trials).toBeLessThan(0.96);
  });
});

describe('clopperPearson', () => {
  // Reference: scipy.stats.beta.ppf; at 0/n and n/n the bounds have the closed form (alpha/2)^(1/n).
  it('8/10, 0/10, 10/10', () => {
    const ci = clopperPearson(8, 10);
    expect(ci.low).toBeCloseTo(0.4439045376923585, 10);
    expect(ci.high).toBeCloseTo(0.9747892736731666, 10);
    expect(clopperPearson(0, 10)).toEqual({ estimate: 0, low: 0, high: expect.closeTo(1 - 0.025 ** 0.1, 10) });
    expect(clopperPearson(10, 10)).toEqual({ estimate: 1, low: expect.closeTo(0.025 ** 0.1, 10), high: 1 });
  });

  it('contains the Wilson interval at small n (it is conservative)', () => {
    for (let x = 0; x <= 12; x++) {
      const cp = clopperPearson(x, 12);
      const w = wilson(x, 12);
      expect(cp.low).toBeLessThanOrEqual(w.low + 1e-12);
      expect(cp.high).toBeGreaterThanOrEqual(w.high - 1e-12);
    }
  });
});
