import { describe, expect, it } from 'vitest';
import { continuations, outsideTopBound } from './match.ts';

describe('continuations', () => {
  const top = [
    { text: '1', logprob: -0.5 },
    { text: '12', logprob: -1.2 },
    { text: '12}', logprob: -2 },
    { text: ' 12', logprob: -3 },
    { text: '', logprob: -4 },
    { text: '7', logprob: -5 },
  ];

  it('offers the entries that continue the reference, longest first, with their ranks', () => {
    expect(continuations('12', top)).toEqual([
      { text: '12', logprob: -1.2, rank: 2 },
      { text: '1', logprob: -0.5, rank: 1 },
    ]);
    expect(continuations('123', top).map((c) => c.text)).toEqual(['12', '1']);
  });

  it('never matches past the end of the reference, nor an empty token', () => {
    expect(continuations('7', top)).toEqual([{ text: '7', logprob: -5, rank: 6 }]);
    expect(continuations('9', top)).toEqual([]);
  });

  it('a sampled token outside the top list still counts, with rank null', () => {
    expect(continuations('9', top, { text: '9', logprob: -9 })).toEqual([{ text: '9', logprob: -9, rank: null }]);
    expect(continuations('1', top, { text: '1', logprob: -0.5 })).toEqual([{ text: '1', logprob: -0.5, rank: 1 }]);
  });

  it('bounds the unlisted by the least likely listed entry', () => {
    expect(outsideTopBound(top)).toBe(-5);
    expect(outsideTopBound([])).toBeNull();
  });
});
