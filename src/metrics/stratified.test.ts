import { describe, expect, it } from 'vitest';
import { binomialCdf } from './distributions.ts';
import { seededRandom } from '../core/random.ts';
import { stratifiedDifference, stratifiedPermutationWorse, type ProblemCounts } from './stratified.ts';
import { clusteredDifference, type ClusteredPair } from './clustered.ts';

const problem = (i: number, aSamples: number, aCorrect: number, bSamples: number, bCorrect: number): ProblemCounts => ({ problemId: `p${i}`, aSamples, aCorrect, bSamples, bCorrect });

/** Brute force: every assignment of each problem's samples to the sides, weighted equally. */
function bruteForce(problems: readonly ProblemCounts[]): number {
  const gain = (p: ProblemCounts, r: number) => r / p.bSamples - (p.aCorrect + p.bCorrect - r) / p.aSamples;
  const observed = problems.reduce((s, p) => s + gain(p, p.bCorrect), 0);
  let outcomes: { t: number; w: number }[] = [{ t: 0, w: 1 }];
  for (const p of problems) {
    const n = p.aSamples + p.bSamples;
    const right = p.aCorrect + p.bCorrect;
    const next: { t: number; w: number }[] = [];
    // Every subset of the n samples as B's, samples 0..right-1 being the right ones.
    const subsets: number[] = [];
    for (let mask = 0; mask < 1 << n; mask++) {
      let bits = 0;
      for (let j = 0; j < n; j++) if (mask & (1 << j)) bits++;
      if (bits !== p.bSamples) continue;
      let r = 0;
      for (let j = 0; j < right; j++) if (mask & (1 << j)) r++;
      subsets.push(r);
    }
    for (const o of outcomes) for (const r of subsets) next.push({ t: o.t + gain(p, r), w: o.w / subsets.length });
    outcomes = next;
  }
  return outcomes.filter((o) => o.t <= observed + 1e-9).reduce((s, o) => s + o.w, 0);
}

describe('stratified permutation test (unequal samples per problem)', () => {
  it('is the one-sided exact McNemar test with one sample a side', () => {
    const problems = [...Array.from({ length: 9 }, (_, i) => problem(i, 1, 1, 1, 0)), ...Array.from({ length: 3 }, (_, i) => problem(20 + i, 1, 0, 1, 1)), problem(30, 1, 1, 1, 1)];
    const result = stratifiedPermutationWorse(problems);
    expect(result.method).toBe('exact');
    expect(result.pWorse).toBeCloseTo(binomialCdf(3, 12, 0.5), 12);
  });

  it('matches brute-force enumeration, exactly with equal shapes and by Monte Carlo with mixed ones', () => {
    const equal = [problem(0, 1, 1, 4, 1), problem(1, 1, 0, 4, 3), problem(2, 1, 1, 4, 2), problem(3, 1, 1, 4, 4)];
    expect(stratifiedPermutationWorse(equal).pWorse).toBeCloseTo(bruteForce(equal), 12);
    const mixed = [problem(0, 1, 1, 4, 1), problem(1, 2, 1, 3, 0), problem(2, 1, 1, 4, 2), problem(3, 2, 2, 2, 1)];
    const mc = stratifiedPermutationWorse(mixed);
    expect(mc.method).toBe('monte-carlo');
    expect(Math.abs(mc.pWorse - bruteForce(mixed))).toBeLessThan(0.01);
  });

  it('counts every sample: 3 wrong samples of 4 where the golden was right is a regression sample 0 cannot show', () => {
    const problems = Array.from({ length: 30 }, (_, i) => problem(i, 1, 1, 4, 1));
    expect(stratifiedPermutationWorse(problems).pWorse).toBeLessThan(1e-6);
    expect(stratifiedPermutationWorse(problems.map((p) => ({ ...p, bSamples: 1, bCorrect: 1 }))).pWorse).toBe(1);
  });

  it('holds its size under H0: 4 samples against 1 on problems of mixed difficulty', () => {
    const random = seededRandom(5);
    const trials = 400;
    let alarms = 0;
    for (let t = 0; t < trials; t++) {
      const problems = Array.from({ length: 40 }, (_, i) => {
        const p = [0.95, 0.8, 0.5, 0.2][i % 4]!;
        const draw = (n: number) => Array.from({ length: n }, () => random() < p).filter(Boolean).length;
        return problem(i, 1, draw(1), 4, draw(4));
      });
      if (stratifiedPermutationWorse(problems).pWorse < 0.05) alarms++;
    }
    // Binomial(400, 0.05): mean 20, sd 4.4; a test of size 0.1 would give about 40.
    expect(alarms).toBeLessThanOrEqual(32);
  });
});

describe('stratifiedDifference', () => {
  it('is the cluster-robust interval of the paired difference when both sides have equal samples per problem', () => {
    const random = seededRandom(9);
    const pairs: ClusteredPair[] = [];
    for (let i = 0; i < 30; i++) for (let s = 0; s < 3; s++) pairs.push({ cluster: `p${i}`, a: random() < 0.7, b: random() < 0.6 });
    const counts = Array.from({ length: 30 }, (_, i) => {
      const mine = pairs.filter((p) => p.cluster === `p${i}`);
      return problem(i, 3, mine.filter((p) => p.a).length, 3, mine.filter((p) => p.b).length);
    });
    const expected = clusteredDifference(pairs);
    const got = stratifiedDifference(counts);
    expect(got.difference).toBeCloseTo(expected.difference, 12);
    expect(got.standardError).toBeCloseTo(expected.standardError, 12);
    expect(got.low).toBeCloseTo(expected.low, 12);
    expect(got.high).toBeCloseTo(expected.high, 12);
  });

  it('weighs every problem the same with unequal samples, and has no interval from one problem', () => {
    const got = stratifiedDifference([problem(0, 1, 1, 4, 1), problem(1, 1, 0, 4, 4), problem(2, 1, 1, 4, 4)]);
    expect(got.difference).toBeCloseTo((-0.75 + 1 + 0) / 3, 12);
    expect(got.low).toBeLessThan(got.difference);
    expect(got.high).toBeGreaterThan(got.difference);
    expect(stratifiedDifference([problem(0, 1, 1, 4, 2)])).toMatchObject({ difference: -0.5, low: -1, high: 1 });
    expect(Number.isNaN(stratifiedDifference([]).difference)).toBe(true);
  });
});
