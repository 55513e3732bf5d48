import { describe, expect, it } from 'vitest';
import { answerAfterSuffix } from './answer.ts';
import { DEER_TRIAL_SUFFIX, RAML_SUFFIX } from './suffixes.ts';

describe('answerAfterSuffix', () => {
  it('reads the box the suffix opened, nested braces included', () => {
    expect(answerAfterSuffix(RAML_SUFFIX, '42}\n').answer).toBe('42');
    const r = answerAfterSuffix(RAML_SUFFIX, '\\frac{2}{3}} so');
    expect(r).toEqual({ answer: '\\frac{2}{3}', start: 0, end: 11 });
  });

  it('reads a box the model opens after DEER\'s suffix', () => {
    expect(answerAfterSuffix(DEER_TRIAL_SUFFIX, '{x=3}.')).toEqual({ answer: 'x=3', start: 1, end: 4 });
    expect(answerAfterSuffix(DEER_TRIAL_SUFFIX, ' {7}').answer).toBe('7');
  });

  it('an unclosed or missing box has no answer', () => {
    expect(answerAfterSuffix(RAML_SUFFIX, '\\frac{2}{3').answer).toBeNull();
    expect(answerAfterSuffix(DEER_TRIAL_SUFFIX, 'is 7').answer).toBeNull();
    expect(answerAfterSuffix(RAML_SUFFIX, '').answer).toBeNull();
  });

  it('escaped braces are content', () => {
    expect(answerAfterSuffix(RAML_SUFFIX, '\\{1,2\\}}').answer).toBe('\\{1,2\\}');
  });

  it('a suffix without a box takes the first box written, else the first line', () => {
    expect(answerAfterSuffix('Final Answer:', ' the answer is \\boxed{5}.').answer).toBe('5');
    expect(answerAfterSuffix('Final Answer:', ' 12\nmore').answer).toBe('12');
    expect(answerAfterSuffix('Final Answer:', '\n').answer).toBeNull();
  });

  it('100 kB of braces returns quickly without throwing', () => {
    expect(answerAfterSuffix(RAML_SUFFIX, '{'.repeat(100_000)).answer).toBeNull();
  });
});
