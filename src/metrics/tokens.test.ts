import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { quantileSorted, summarize, summarizeCosts } from './tokens.ts';

describe('summarize', () => {
  it('mean, median, p90 (numpy default, linear), min, max', () => {
    // numpy.percentile([1..10], 90) = 9.1; median 5.5.
    expect(summarize([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual({ n: 10, mean: 5.5, median: 5.5, p90: 9.1, min: 1, max: 10 });
    expect(summarize([4])).toEqual({ n: 1, mean: 4, median: 4, p90: 4, min: 4, max: 4 });
    expect(summarize([1, 2, 100]).p90).toBeCloseTo(80.4, 12);
  });

  it('empty input is all NaN; non-finite values are refused', () => {
    const empty = summarize([]);
    expect(empty.n).toBe(0);
    expect(empty.mean).toBeNaN();
    expect(empty.p90).toBeNaN();
    expect(() => summarize([1, Number.POSITIVE_INFINITY])).toThrow(InputError);
  });

  it('quantileSorted interpolates between order statistics', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('summarizeCosts', () => {
  it('summarizes each cost, optional ones over the records that report them', () => {
    const summary = summarizeCosts([
      { thinkingTokens: 100, answerTokens: 10, prefillTokens: 50, decodedTokens: 110, wallMs: 1000 },
      { thinkingTokens: 300, answerTokens: 20, prefillTokens: 5, decodedTokens: 320 },
      { thinkingTokens: 200, answerTokens: 30 },
    ]);
    expect(summary.thinkingTokens.mean).toBe(200);
    expect(summary.totalTokens).toMatchObject({ n: 3, median: 230, min: 110, max: 320 });
    expect(summary.serverTokens).toMatchObject({ n: 2, mean: (160 + 325) / 2 });
    expect(summary.wallMs).toMatchObject({ n: 1, mean: 1000 });
  });
});
