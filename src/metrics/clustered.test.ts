import { describe, expect, it } from 'vitest';
import { binomialCdf } from './distributions.ts';
import { wilson } from './proportions.ts';
import { seededRandom } from '../core/random.ts';
import {
  clusteredAccuracy,
  clusteredDifference,
  clusteredNonInferiority,
  clusteredVariance,
  clusterCounts,
  signFlipWorse,
  type ClusteredOutcome,
  type ClusteredPair,
} from './clustered.ts';

function outcomes(perCluster: boolean[][]): ClusteredOutcome[] {
  return perCluster.flatMap((cs, i) => cs.map((correct) => ({ cluster: `p${i}`, correct })));
}

describe('clusteredAccuracy', () => {
  it('is exactly Wilson with one outcome per problem', () => {
    const data = outcomes([[true], [false], [true], [true], [false], [true]]);
    const got = clusteredAccuracy(data);
    const want = wilson(4, 6);
    expect(got.low).toBe(want.low);
    expect(got.high).toBe(want.high);
    expect(got.designEffect).toBe(1);
  });

  it('computes the cluster-robust variance by hand', () => {
    // Clusters (2 of 2), (0 of 2), (1 of 2): p = 1/2; sum (c - 2p)^2 = 1 + 1 + 0 = 2; G/(G-1) = 3/2; N = 6.
    const clusters = clusterCounts(outcomes([[true, true], [false, false], [true, false]]));
    expect(clusteredVariance(clusters)).toBeCloseTo((1.5 * 2) / 36, 12);
  });

  it('widens the interval when samples of a problem agree (perfect correlation = one outcome per problem)', () => {
    const one = outcomes([[true], [true], [false], [true], [false], [true], [true], [false]]);
    const repeated = outcomes(one.map((o) => Array(8).fill(o.correct) as boolean[]));
    const naive = wilson(5 * 8, 64);
    const clustered = clusteredAccuracy(repeated);
    expect(clustered.high - clustered.low).toBeGreaterThan(2 * (naive.high - naive.low));
    // Design effect of identical samples: m * G / (G - 1) = 8 * 8 / 7; effective n = 7 problems.
    expect(clustered.designEffect).toBeCloseTo(64 / 7, 9);
    expect(clustered.effectiveN).toBeCloseTo(7, 9);
  });

  it('stays near the binomial interval when samples are independent', () => {
    const random = seededRandom(3);
    const data = outcomes(Array.from({ length: 200 }, () => Array.from({ length: 4 }, () => random() < 0.6)));
    const clustered = clusteredAccuracy(data);
    expect(clustered.designEffect).toBeGreaterThanOrEqual(1);
    expect(clustered.designEffect).toBeLessThan(1.3);
  });

  it('covers the true accuracy at about the nominal rate with correlated samples', () => {
    const random = seededRandom(11);
    let covered = 0;
    const reps = 400;
    for (let r = 0; r < reps; r++) {
      const data = outcomes(Array.from({ length: 40 }, (_, i) => Array.from({ length: 8 }, () => random() < (i % 4) / 3)));
      const interval = clusteredAccuracy(data);
      if (interval.low <= 0.5 && 0.5 <= interval.high) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.9);
  });
});

describe('signFlipWorse', () => {
  const pairs = (list: Array<[string, boolean, boolean]>): ClusteredPair[] => list.map(([cluster, a, b]) => ({ cluster, a, b }));

  it('is the one-sided exact McNemar test with one pair per problem', () => {
    const data: ClusteredPair[] = [];
    for (let i = 0; i < 9; i++) data.push({ cluster: `r${i}`, a: true, b: false });
    for (let i = 0; i < 2; i++) data.push({ cluster: `i${i}`, a: false, b: true });
    for (let i = 0; i < 20; i++) data.push({ cluster: `s${i}`, a: true, b: true });
    expect(signFlipWorse(data).pWorse).toBeCloseTo(binomialCdf(2, 11, 0.5), 14);
  });

  it('enumerates the sign flips exactly (hand-computed case)', () => {
    // Per-problem sums of differences: -2, -1, +1 (two samples each). S* takes the 8 values
    // +-2 +-1 +-1; observed -2. P(S* <= -2) = P({-4, -2, -2}) = 3/8.
    const data = pairs([
      ['x', true, false], ['x', true, false],
      ['y', true, false], ['y', true, true],
      ['z', false, true], ['z', false, false],
    ]);
    const result = signFlipWorse(data);
    expect(result.method).toBe('exact');
    expect(result.pWorse).toBeCloseTo(3 / 8, 14);
  });

  it('gives 1 with no differences and a small p when every problem got worse', () => {
    expect(signFlipWorse(pairs([['a', true, true], ['a', false, false]])).pWorse).toBe(1);
    const worse = Array.from({ length: 12 }, (_, i) => [
      { cluster: `p${i}`, a: true, b: false },
      { cluster: `p${i}`, a: true, b: true },
    ]).flat();
    expect(signFlipWorse(worse).pWorse).toBeCloseTo(2 ** -12, 14);
  });

  it('falls back to a seeded Monte Carlo for unequal samples with a large denominator, close to the exact value', () => {
    const data: ClusteredPair[] = [];
    const random = seededRandom(5);
    for (let i = 0; i < 30; i++) {
      const m = 7 + (i % 13);
      for (let j = 0; j < m; j++) data.push({ cluster: `p${i}`, a: random() < 0.6, b: random() < 0.5 });
    }
    const result = signFlipWorse(data, 1);
    expect(result.method).toBe('monte-carlo');
    expect(signFlipWorse(data, 1).pWorse).toBe(result.pWorse);
    expect(result.pWorse).toBeGreaterThan(0);
    expect(result.pWorse).toBeLessThan(0.2);
  });

  it('keeps its size at alpha when samples of a problem are correlated (a naive per-row test does not)', () => {
    const random = seededRandom(7);
    let alarms = 0;
    let naiveAlarms = 0;
    const reps = 300;
    for (let r = 0; r < reps; r++) {
      const data: ClusteredPair[] = [];
      for (let i = 0; i < 30; i++) {
        const p = random();
        // Each side draws a per-run problem "mood", shared by its 8 samples: strong within-run correlation.
        const pa = Math.min(1, Math.max(0, p + (random() - 0.5) * 0.6));
        const pb = Math.min(1, Math.max(0, p + (random() - 0.5) * 0.6));
        for (let j = 0; j < 8; j++) data.push({ cluster: `p${i}`, a: random() < pa, b: random() < pb });
      }
      if (signFlipWorse(data).pWorse < 0.05) alarms++;
      const b = data.filter((d) => d.a && !d.b).length;
      const c = data.filter((d) => !d.a && d.b).length;
      if (binomialCdf(c, b + c, 0.5) < 0.05) naiveAlarms++;
    }
    expect(alarms / reps).toBeLessThanOrEqual(0.05 + 3 * Math.sqrt((0.05 * 0.95) / reps));
    expect(naiveAlarms / reps).toBeGreaterThan(0.08);
  });
});

describe('clusteredDifference and clusteredNonInferiority', () => {
  it('computes the cluster-robust standard error by hand', () => {
    // Sums per problem: -2, 0, +1 over 2 pairs each; n = 6, d = -1/6.
    // sum (D_c - 2d)^2 = (-2 + 1/3)^2 + (1/3)^2 + (4/3)^2 = 25/9 + 1/9 + 16/9 = 42/9; x 3/2 / 36.
    const data: ClusteredPair[] = [
      { cluster: 'x', a: true, b: false }, { cluster: 'x', a: true, b: false },
      { cluster: 'y', a: true, b: true }, { cluster: 'y', a: false, b: false },
      { cluster: 'z', a: false, b: true }, { cluster: 'z', a: true, b: true },
    ];
    const got = clusteredDifference(data);
    expect(got.difference).toBeCloseTo(-1 / 6, 14);
    expect(got.standardError).toBeCloseTo(Math.sqrt((1.5 * 42) / 9 / 36), 12);
  });

  it('decides non-inferiority on the one-sided lower bound', () => {
    const same: ClusteredPair[] = Array.from({ length: 100 }, (_, i) => [
      { cluster: `p${i}`, a: i % 2 === 0, b: i % 2 === 0 },
      { cluster: `p${i}`, a: i % 3 === 0, b: i % 5 === 0 },
    ]).flat();
    const result = clusteredNonInferiority(same, 0.2);
    expect(result.lowerBound).toBeLessThan(result.difference);
    expect(result.nonInferior).toBe(result.lowerBound > -0.2);
    expect(clusteredNonInferiority(same, 0.0).nonInferior).toBe(false);
  });
});
