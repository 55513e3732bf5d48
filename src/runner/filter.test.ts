import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { problemFilter } from './run-suite.ts';

const problems = ['gsm8k/1', 'gsm8k/2', 'gsm8k/3', 'math/1'].map((id) => ({ id, question: id, answer: '1' }));

describe('--filter', () => {
  it('keeps ids containing the text, or matching a /regex/ (flags g and y ignored)', () => {
    expect(problems.filter(problemFilter('gsm8k')).map((p) => p.id)).toEqual(['gsm8k/1', 'gsm8k/2', 'gsm8k/3']);
    expect(problems.filter(problemFilter('/k\\/[12]$/g')).map((p) => p.id)).toEqual(['gsm8k/1', 'gsm8k/2']);
    expect(problems.filter(problemFilter('/^MATH/i')).map((p) => p.id)).toEqual(['math/1']);
    expect(problems.filter(problemFilter(undefined))).toHaveLength(4);
  });

  it('names the flag when the regex is broken', () => {
    expect(() => problemFilter('/(/')).toThrow(InputError);
    expect(() => problemFilter('/(/')).toThrow(/^--filter: expected a valid \/regex\//);
  });
});
