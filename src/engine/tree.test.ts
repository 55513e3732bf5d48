import { describe, expect, it } from 'vitest';
import { readBoxed } from './tree.ts';

const toks = (...t: string[]) => t.map((text) => ({ text }));

describe('readBoxed', () => {
  it('reads a brace-balanced answer after a suffix that opens the box', () => {
    expect(readBoxed('\\boxed{', toks('\\frac', '{1}', '{2', '}}', ' more'))).toEqual({ answer: '\\frac{1}{2}', used: 4, answerFrom: 0 });
  });
  it('opens the box itself after a bare \\boxed (DEER)', () => {
    expect(readBoxed('\\boxed', toks(' ', '{', '42', '}', '.'))).toEqual({ answer: '42', used: 4, answerFrom: 1 });
  });
  it('gives no answer when the box never closes or never opens', () => {
    expect(readBoxed('\\boxed{', toks('4', '2')).answer).toBeUndefined();
    expect(readBoxed('\\boxed', toks('x', '{1}'))).toEqual({ answer: undefined, used: 1, answerFrom: 0 });
  });
});
