import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { averageAtK, majorityAtK, majorityVote, meanPassAtK, passAtK, type GradedSample } from './passAtK.ts';

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('passAtK (Chen et al. 2021)', () => {
  it('known cases', () => {
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10, 14); // 1 - C(3,2)/C(5,2)
    expect(passAtK(10, 3, 5)).toBeCloseTo(1 - 21 / 252, 14); // 1 - C(7,5)/C(10,5) = 11/12
    expect(passAtK(200, 0, 10)).toBe(0);
    expect(passAtK(10, 6, 5)).toBe(1); // fewer than k wrong samples: any k contain a correct one
    expect(passAtK(10, 10, 1)).toBe(1);
  });

  it('pass@1 = c/n and pass@k matches the binomial-coefficient formula', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n })),
        ),
        ([n, c, k]) => {
          expect(passAtK(n, c, 1)).toBeCloseTo(c / n, 12);
          const exact = n - c < k ? 1 : 1 - choose(n - c, k) / choose(n, k);
          expect(passAtK(n, c, k)).toBeCloseTo(exact, 9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is monotone in k and c', () => {
    expect(passAtK(20, 4, 3)).toBeGreaterThan(passAtK(20, 4, 2));
    expect(passAtK(20, 5, 3)).toBeGreaterThan(passAtK(20, 4, 3));
  });

  it('stays finite for large n', () => {
    const value = passAtK(10000, 30, 100);
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThan(1);
  });

  it('rejects bad input', () => {
    expect(() => passAtK(5, 6, 1)).toThrow(InputError);
    expect(() => passAtK(5, 2, 6)).toThrow(/k must be at most/);
    expect(() => passAtK(5, 2, 0)).toThrow(/k must be a positive integer/);
  });
});

const s = (answer: string | null, correct: boolean, key?: string): GradedSample => (key === undefined ? { answer, correct } : { answer, correct, key });

describe('maj@k, avg@k, mean pass@k', () => {
  it('majority vote picks the most frequent answer', () => {
    expect(majorityVote([s('3', true), s('5', false), s('3', true)])).toBe(1);
    expect(majorityVote([s('5', false), s('5', false), s('3', true)])).toBe(0);
    // Equivalent correct answers written differently vote together (the grader judged each correct).
    expect(majorityVote([s('1/2', true), s('0.5', true), s('7', false)])).toBe(1);
    // Only the first k samples vote.
    expect(majorityVote([s('5', false), s('5', false), s('3', true), s('3', true), s('3', true)], 2)).toBe(0);
  });

  it('ties score the expected value of a random tie-break; no answers do not vote', () => {
    expect(majorityVote([s('3', true), s('5', false)])).toBe(0.5);
    expect(majorityVote([s('3', true), s('5', false), s('6', false)])).toBeCloseTo(1 / 3, 12);
    expect(majorityVote([s(null, false), s(null, false), s('3', true)])).toBe(1);
    expect(majorityVote([s(null, false)])).toBe(0);
  });

  it('wrong answers group by key when given, else by whitespace-collapsed text', () => {
    const samples = [s('2', true), s('2', true), s('0.5', false, 'half'), s('1/2', false, 'half'), s('\\frac12', false, 'half')];
    expect(majorityVote(samples)).toBe(0);
    expect(majorityVote([s('x = 1', false), s('x  =  1 ', false), s('2', true)])).toBe(0);
  });

  it('averages over problems', () => {
    const problems = [
      [s('1', true), s('1', true), s('2', false), s('2', false)],
      [s('3', false), s('4', true), s('4', true), s('4', true)],
    ];
    expect(majorityAtK(problems)).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(averageAtK(problems)).toBeCloseTo((0.5 + 0.75) / 2, 12);
    expect(averageAtK(problems, 1)).toBeCloseTo((1 + 0) / 2, 12);
    expect(meanPassAtK(problems, 2)).toBeCloseTo((passAtK(4, 2, 2) + passAtK(4, 3, 2)) / 2, 12);
    expect(meanPassAtK(problems, 1)).toBeCloseTo(averageAtK(problems), 12);
    expect(majorityAtK([])).toBeNaN();
  });

  it('names the problem that has too few samples', () => {
    expect(() => majorityAtK([[s('1', true)], []])).toThrow('maj@k: problem 1');
    expect(() => meanPassAtK([[s('1', true)]], 2)).toThrow(/at least k = 2 samples/);
  });
});
