import { describe, expect, it } from 'vitest';
import {
  betaQuantile,
  binomialCdf,
  binomialPmf,
  incompleteBeta,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  zCritical,
} from './distributions.ts';

// Reference values: Abramowitz & Stegun tables 26.1 / 26.10, checked to full precision
// against scipy 1.17 (scipy.stats.norm, scipy.stats.t, scipy.special.betainc).
describe('normal distribution', () => {
  it('quantile matches reference values to 1e-12', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 12);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080409, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.5)).toBe(0);
    expect(zCritical(0.99)).toBeCloseTo(2.5758293035489004, 12);
  });

  it('CDF matches reference values', () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 13);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300933, 14);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 13);
    expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 6);
    expect(normalCdf(0)).toBe(0.5);
  });

  it('quantile inverts the CDF across the range (relative error < 1e-8, < 1e-13 in the body)', () => {
    for (const p of [1e-12, 1e-6, 0.001, 0.02, 0.1, 0.4, 0.5, 0.6, 0.9, 0.99, 0.999999]) {
      expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(p < 1e-3 ? 1e-8 : 1e-13);
    }
  });

  it('edges: 0, 1 and out of range', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('Student t and incomplete beta', () => {
  it('t quantiles match the textbook table', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 9);
    expect(studentTQuantile(0.975, 30)).toBeCloseTo(2.0422724563012378, 9);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 9);
  });

  it('t CDF is symmetric and tends to the normal', () => {
    expect(studentTCdf(1.3, 7) + studentTCdf(-1.3, 7)).toBeCloseTo(1, 12);
    expect(studentTCdf(1.96, 1e6)).toBeCloseTo(normalCdf(1.96), 6);
  });

  it('incomplete beta matches reference values', () => {
    expect(incompleteBeta(0.3, 2, 5)).toBeCloseTo(0.579825, 12);
    expect(incompleteBeta(0.5, 0.5, 0.5)).toBeCloseTo(0.5, 12);
    // I_x(a, n-a+1) = P(Bin(n, x) >= a): here P(Bin(11, 0.9) >= 10).
    expect(incompleteBeta(0.9, 10, 2)).toBeCloseTo(0.9 ** 11 + 11 * 0.9 ** 10 * 0.1, 12);
  });
});

describe('beta quantile', () => {
  it('matches scipy.stats.beta.ppf and inverts the incomplete beta', () => {
    expect(betaQuantile(0.3, 2.5, 7)).toBeCloseTo(0.17680146270511063, 12);
    expect(betaQuantile(0.975, 1, 10)).toBeCloseTo(1 - 0.025 ** (1 / 10), 12);
    expect(incompleteBeta(betaQuantile(0.123, 3, 4), 3, 4)).toBeCloseTo(0.123, 12);
  });
});

describe('binomial', () => {
  it('pmf and cdf match exact fractions', () => {
    expect(binomialPmf(1, 10, 0.5)).toBeCloseTo(10 / 1024, 14);
    expect(binomialCdf(1, 10, 0.5)).toBeCloseTo(11 / 1024, 14);
    expect(binomialCdf(10, 10, 0.3)).toBe(1);
    expect(binomialCdf(-1, 10, 0.3)).toBe(0);
  });

  it('cdf agrees with the incomplete beta identity P(X <= k) = I_{1-p}(n-k, k+1)', () => {
    for (const [k, n, p] of [[3, 20, 0.3], [50, 120, 0.45], [0, 7, 0.9]] as const) {
      expect(binomialCdf(k, n, p)).toBeCloseTo(incompleteBeta(1 - p, n - k, k + 1), 11);
    }
  });
});
