import { describe, expect, it } from 'vitest';
import { answersAgree } from './earlyExit.ts';

describe("Dynasor's agreement of the last W probe answers", () => {
  it('equivalent answers agree though written differently', () => {
    expect(answersAgree(['1/2', '0.5', '\\frac{1}{2}'])).toBe(true);
    expect(answersAgree(['42', '42'])).toBe(true);
  });
  it('different, missing or empty answers do not', () => {
    expect(answersAgree(['41', '42'])).toBe(false);
    expect(answersAgree(['42', undefined])).toBe(false);
    expect(answersAgree([undefined, undefined])).toBe(false);
    expect(answersAgree(['', ''])).toBe(false);
    expect(answersAgree([])).toBe(false);
  });
  it('an answer only the symbolic engine could decide counts as disagreeing', () => {
    expect(answersAgree(['x+1', '1+x'])).toBe(false);
  });
});
