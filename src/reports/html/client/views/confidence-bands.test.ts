import { describe, expect, it } from 'vitest';
import type { ResultSummary } from '../../../run-data.ts';
import { bandByPosition, clusteredMean } from './confidence-bands.ts';

function result(problemId: string, sample: number, lhat: number): ResultSummary {
  return { problemId, intervention: 'probes', sample, correct: true, thinkingTokens: 100, answerTokens: 5, confidence: [{ position: 50, normalized: 0.5, lhat }] };
}

describe('bandByPosition', () => {
  it('with one value per problem, gives the plain mean and 1.96 standard errors', () => {
    const values = [1, 2, 3, 4, 6];
    const [band] = bandByPosition(values.map((v, i) => result(`p${i}`, 0, v)), 'lhat');
    const mean = 3.2;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
    expect(band?.mean).toBeCloseTo(mean, 12);
    expect((band?.high ?? 0) - mean).toBeCloseTo((1.96 * sd) / Math.sqrt(values.length), 12);
  });

  it('does not narrow the band when samples of a problem repeat its value', () => {
    const once = bandByPosition([1, 2, 3, 4, 6].map((v, i) => result(`p${i}`, 0, v)), 'lhat')[0];
    const repeated = bandByPosition([1, 2, 3, 4, 6].flatMap((v, i) => [0, 1, 2, 3].map((s) => result(`p${i}`, s, v))), 'lhat')[0];
    expect(repeated?.mean).toBeCloseTo(once?.mean ?? Number.NaN, 12);
    expect(repeated?.n).toBe(20);
    // Treated as 20 independent values the half-width would shrink by half; clustered it stays close to the 5-problem one.
    expect((repeated?.high ?? 0) - (repeated?.low ?? 0)).toBeGreaterThan(0.85 * ((once?.high ?? 0) - (once?.low ?? 0)));
  });

  it('gives no interval for a single problem, however many values it has', () => {
    expect(clusteredMean(new Map([['p0', { n: 4, sum: 10 }]]))).toEqual({ mean: 2.5, half: 0, n: 4 });
  });
});
