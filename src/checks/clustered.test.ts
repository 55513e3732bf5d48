import { describe, expect, it } from 'vitest';
import { binomialCdf } from '../metrics/distributions.ts';
import { accuracyAtLeast } from './accuracyAtLeast.ts';
import { accuracyDropAtMost } from './accuracyDropAtMost.ts';
import { confidenceRises } from './confidenceRises.ts';
import { noRegression } from './noRegression.ts';
import { context, labeled, row } from './fixtures.ts';
import type { ConfidencePoint, GoldenOutcome, ResultRow } from './types.ts';

/** Checks with repeated samples (clustered by problem), and the honesty fixes of issue 9. */

function points(values: number[]): ConfidencePoint[] {
  return values.map((lhat, i) => ({ position: (i + 1) * 100, normalized: (i + 1) / values.length, lhat }));
}

/** `problems` problems x `samples` samples; problem i right in every sample when right(i). */
function repeated(label: string, problems: number, samples: number, right: (i: number, s: number) => boolean): ResultRow[] {
  return Array.from({ length: problems * samples }, (_, k) => row(`p${Math.floor(k / samples)}`, label, right(Math.floor(k / samples), k % samples), { sample: k % samples }));
}

describe('accuracyAtLeast', () => {
  it('wilsonLower at confidence 0.95 is the one-sided 95% bound (8/10: 0.5408), not the 97.5% one (0.4902)', () => {
    const rows = Array.from({ length: 10 }, (_, i) => row(`p${i}`, 'baseline', i < 8));
    const result = accuracyAtLeast({ type: 'accuracyAtLeast', intervention: 'baseline', min: 0.52, bound: 'wilsonLower', confidence: 0.95 }, context(rows), 'gate');
    expect(result.evidence['lowerBound']).toBeCloseTo(0.54079, 4);
    expect(result.evidence['low']).toBeCloseTo(0.4902, 3);
    expect(result.verdict).toBe('pass');
    expect(result.summary).toContain('one-sided 95% lower bound 0.541');
  });

  it('with 8 identical samples per problem the interval is as wide as for the problems alone', () => {
    const rows = repeated('baseline', 10, 8, (i) => i < 8);
    const result = accuracyAtLeast({ type: 'accuracyAtLeast', intervention: 'baseline', min: 0.6, bound: 'wilsonLower', confidence: 0.95 }, context(rows), 'gate');
    // Naively 64/80 would give a one-sided bound of about 0.72 and pass; clustered it is below 0.6.
    expect(result.verdict).toBe('fail');
    expect(result.evidence).toMatchObject({ n: 80, problems: 10, correct: 64 });
    expect(result.evidence['designEffect']).toBeCloseTo(80 / 9, 6);
  });
});

describe('confidenceRises', () => {
  it('with minRho 0 a flat or trendless trace (rho = 0) does not count as rising', () => {
    const rows = [
      row('a', 'baseline', true, { confidence: points([2, 1, 2, 1, 2]) }),
      row('b', 'baseline', true, { confidence: points([3, 2, 1, 0.5, 0.2]) }),
    ];
    const result = confidenceRises({ type: 'confidenceRises', intervention: 'baseline', measure: 'lhat', minRho: 0, minShare: 0.7, minPoints: 3 }, context(rows), 'c');
    expect(result.evidence).toMatchObject({ traces: 2, rising: 1 });
    expect(result.verdict).toBe('fail');
    expect(result.summary).toContain('rho > 0');
  });
});

describe('accuracyDropAtMost with samples', () => {
  it('tests per-problem differences: one problem lost in all 8 samples is not significant', () => {
    const base = repeated('baseline', 12, 8, () => true);
    const fast = repeated('fast', 12, 8, (i) => i !== 0);
    const result = accuracyDropAtMost({ type: 'accuracyDropAtMost', intervention: 'fast', baseline: 'baseline', maxDrop: 0.2, bound: 'point', alpha: 0.05 }, context([...base, ...fast]), 'd');
    expect(result.evidence).toMatchObject({ pairs: 96, problems: 12, clustered: true, onlyBaselineCorrect: 8, mcnemarP: null });
    expect(result.evidence['worseP']).toBeCloseTo(0.5, 12);
    expect(result.evidence['worseTest']).toBe('one-sided sign-flip test clustered by problem (8 samples)');
    expect(result.summary).toContain('96 pairs over 12 problems, 8 lost, 0 gained; one-sided sign-flip test clustered by problem (8 samples) p=0.500');
  });

  it('with samples the one-sided p is the clustered test, not McNemar on the rows; with one sample it is McNemar', () => {
    // Four problems lose in 3 of 4 samples: 12 lost rows (row-level McNemar p = 2^-12), but only 4 of 10 problems moved.
    const spec = { type: 'accuracyDropAtMost', intervention: 'fast', baseline: 'baseline', maxDrop: 0.5, bound: 'point', alpha: 0.05 } as const;
    const base = repeated('baseline', 10, 4, () => true);
    const fast = repeated('fast', 10, 4, (i, s) => i >= 4 || s === 0);
    const result = accuracyDropAtMost(spec, context([...base, ...fast]), 'd');
    expect(result.evidence).toMatchObject({ clustered: true, pairs: 40, problems: 10, onlyBaselineCorrect: 12, mcnemarP: null, worseTest: 'one-sided sign-flip test clustered by problem (4 samples)' });
    // Exact sign flips of four equal per-problem differences: P(all four negative) = 1/16.
    expect(result.evidence['worseP']).toBeCloseTo(1 / 16, 12);
    const single = accuracyDropAtMost(spec, context([...repeated('baseline', 10, 1, () => true), ...repeated('fast', 10, 1, (i) => i >= 4)]), 'd');
    expect(single.evidence).toMatchObject({ clustered: false, worseTest: 'one-sided McNemar' });
    expect(single.evidence['worseP']).toBeCloseTo(1 / 16, 12);
    expect(single.evidence['mcnemarP']).toBeCloseTo(1 / 8, 12);
  });

  it('non-inferiority uses the cluster-robust bound with samples', () => {
    const base = repeated('baseline', 40, 4, (i, s) => (i + s) % 3 !== 0);
    const fast = repeated('fast', 40, 4, (i, s) => (i + s) % 3 !== 0);
    const result = accuracyDropAtMost({ type: 'accuracyDropAtMost', intervention: 'fast', baseline: 'baseline', maxDrop: 0.05, bound: 'nonInferiority', alpha: 0.05 }, context([...base, ...fast]), 'd');
    expect(result.verdict).toBe('pass');
    expect(result.summary).toContain('clustered by problem');
  });
});

describe('noRegression with samples', () => {
  const interventions = labeled({ type: 'baseline' });
  const golden = (rows: ResultRow[]): GoldenOutcome[] => rows.map((r) => ({ problemId: r.problemId, intervention: r.intervention, sample: r.sample, correct: r.correct }));
  const spec = { type: 'noRegression' as const, test: 'mcnemar' as const, alpha: 0.05, margin: 0.05 };

  it('with one sample per problem the p-value is the exact McNemar one, as before', () => {
    const before = repeated('baseline', 30, 1, () => true);
    const now = repeated('baseline', 30, 1, (i) => i >= 6 || i === 0);
    const result = noRegression(spec, context(now, interventions, { golden: { file: 'g.json', outcomes: golden(before) } }), 'gate');
    const evidence = (result.evidence['interventions'] as Array<{ pValue: number; clustered: boolean }>)[0]!;
    expect(evidence.clustered).toBe(false);
    expect(evidence.pValue).toBeCloseTo(binomialCdf(0, 5, 0.5), 14);
    expect(result.summary).toContain('one-sided exact McNemar');
  });

  it('with 8 samples one bad problem is no alarm, while the same losses spread over problems are', () => {
    const before = repeated('baseline', 20, 8, () => true);
    const oneProblem = repeated('baseline', 20, 8, (i) => i !== 0);
    const calm = noRegression(spec, context(oneProblem, interventions, { golden: { file: 'g.json', outcomes: golden(before) } }), 'gate');
    expect(calm.verdict).toBe('pass');
    expect(calm.evidence['clustered']).toBe(true);
    expect(calm.summary).toContain('sign-flip test on per-problem differences');
    const spread = repeated('baseline', 20, 8, (i, s) => !(s === 0 && i < 8));
    expect(noRegression(spec, context(spread, interventions, { golden: { file: 'g.json', outcomes: golden(before) } }), 'gate').verdict).toBe('fail');
  });

  it('a rerun that reproduces the golden exactly does not claim to detect a drop of 0 points', () => {
    const same = repeated('baseline', 50, 1, (i) => i % 5 !== 0);
    const result = noRegression(spec, context(same, interventions, { golden: { file: 'g.json', outcomes: golden(same) } }), 'gate');
    // No discordant pair: the bound p(1 - p) = 0.16 of the golden's accuracy stands in:
    // (z(0.95) + z(0.8)) * sqrt(2 * 0.16 / 50) = 19.89 points.
    expect(result.evidence['detectableDropPoints'] as number).toBeCloseTo(19.892, 2);
  });

  it('says which drop it detects with 80% power, smaller with more samples', () => {
    const right = (i: number, s: number) => (i * 7 + s * 3) % 5 !== 0;
    const sentence = (samples: number) => {
      const before = repeated('baseline', 100, samples, right);
      const now = repeated('baseline', 100, samples, (i, s) => right(i, s + 1));
      return noRegression(spec, context(now, interventions, { golden: { file: 'g.json', outcomes: golden(before) } }), 'gate');
    };
    const one = sentence(1);
    const four = sentence(4);
    expect(one.summary).toMatch(/this gate detects a drop of >= \d+\.\d points with 80% power/);
    expect(one.evidence['power']).toBe(`this gate detects a drop of >= ${(one.evidence['detectableDropPoints'] as number).toFixed(1)} points with 80% power`);
    expect(four.evidence['detectableDropPoints'] as number).toBeLessThan(one.evidence['detectableDropPoints'] as number);
  });
});
