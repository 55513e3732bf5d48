import { describe, expect, it } from 'vitest';
import { choiceLetter, extractAnswer } from './extract.ts';

describe('extractAnswer: boxes', () => {
  it('takes the last balanced \\boxed{} and reports where it is', () => {
    const out = 'First \\boxed{1}, then on reflection \\boxed{\\frac{1}{2}}.';
    const got = extractAnswer(out);
    expect(got).toMatchObject({ text: '\\frac{1}{2}', method: 'boxed' });
    expect(out.slice(got!.start, got!.end)).toBe(got!.text);
  });

  it('keeps nested braces whole', () => {
    expect(extractAnswer('so \\boxed{\\left(3, \\frac{\\pi}{2}\\right)} done')?.text).toBe('\\left(3, \\frac{\\pi}{2}\\right)');
    expect(extractAnswer('\\boxed{\\begin{pmatrix} 1 \\\\ {2} \\end{pmatrix}}')?.text).toBe('\\begin{pmatrix} 1 \\\\ {2} \\end{pmatrix}');
  });

  it('reads \\fbox and \\framebox, and prefers whichever box comes last', () => {
    expect(extractAnswer('x \\fbox{42}')).toMatchObject({ text: '42', method: 'fbox' });
    expect(extractAnswer('\\boxed{1} then \\framebox{204}')).toMatchObject({ text: '204', method: 'fbox' });
    expect(extractAnswer('\\fbox{1} then \\boxed{2}')).toMatchObject({ text: '2', method: 'boxed' });
  });

  it('skips a box cut off before its closing brace and falls back to the last complete one', () => {
    expect(extractAnswer('\\boxed{7} and finally \\boxed{12')?.text).toBe('7');
    expect(extractAnswer('\\boxed{12')).toBeUndefined();
  });

  it('ignores empty boxes', () => {
    expect(extractAnswer('\\boxed{5} \\boxed{ }')?.text).toBe('5');
  });
});

describe('extractAnswer: the thinking is never graded', () => {
  const think = '</think>';
  it('reads only after the thinking closed', () => {
    const out = 'maybe \\boxed{3}? wait, no.</think>\n\nThe answer is \\boxed{4}.';
    expect(extractAnswer(out, { thinkClose: think })?.text).toBe('4');
  });

  it('has no answer when the thinking never closed, whatever it contains', () => {
    expect(extractAnswer('Hmm \\boxed{3}. Final Answer: 3', { thinkClose: think })).toBeUndefined();
  });

  it('has no answer when the answer section has none', () => {
    expect(extractAnswer('\\boxed{3}</think>I cannot tell.', { thinkClose: think })).toBeUndefined();
  });

  it('offsets point into the full output', () => {
    const out = 'reasoning \\boxed{1}</think>so \\boxed{2}';
    const got = extractAnswer(out, { thinkClose: think })!;
    expect(out.slice(got.start, got.end)).toBe('2');
    expect(got.start).toBeGreaterThan(out.indexOf(think));
  });
});

describe('extractAnswer: phrase fallbacks', () => {
  it.each([
    ['The final answer is 42.', '42'],
    ['Final Answer: $\\frac{1}{2}$', '\\frac{1}{2}'],
    ['**Final Answer**\n\n17', '17'],
    ['**Final Answer**: 3.5', '3.5'],
    ['So the answer is 1,000.', '1,000'],
    ['answer: -3', '-3'],
    ['The answer is 5. Later: the answer is 6.', '6'],
    ['Final Answer: The final answer is $5$. I hope it is correct.', '5'],
    ['The answer is \\(\\frac{1}{2}\\), as computed.', '\\frac{1}{2}'],
    ['**Answer:** 42', '42'],
    ['Total: 18 eggs.\n#### 18', '18'],
    ['The answer is 3.5. Done.', '3.5'],
  ])('%j -> %j', (out, want) => {
    const got = extractAnswer(out);
    expect(got?.method).toBe('phrase');
    expect(got?.text).toBe(want);
    expect(out.slice(got!.start, got!.end)).toBe(got!.text);
  });

  it('prefers a box over a phrase', () => {
    expect(extractAnswer('The answer is 5. \\boxed{6}')?.text).toBe('6');
  });

  it('returns undefined for text without an answer', () => {
    expect(extractAnswer('no idea')).toBeUndefined();
    expect(extractAnswer('')).toBeUndefined();
    expect(extractAnswer('The answer is')).toBeUndefined();
  });
});

describe('extractAnswer: multiple choice', () => {
  const choices = ['12', '14', '16', '18', '20'];
  it.each([
    ['\\boxed{B}', 'B', 'boxed'],
    ['\\boxed{(C)}', 'C', 'boxed'],
    ['\\boxed{\\text{(D)}}', 'D', 'boxed'],
    ['\\boxed{\\textbf{(E) } 20}', 'E', 'boxed'],
    ['\\boxed{16}', 'C', 'boxed'],
    ['The answer is (B).', 'B', 'phrase'],
    ['I pick option A because ...', 'A', 'choice'],
    ['Between (A) and (D), it must be (D)', 'D', 'choice'],
  ])('%j -> %s', (out, letter, method) => {
    expect(extractAnswer(out, { choices })).toMatchObject({ text: letter, method });
  });

  it('ignores letters past the last option', () => {
    expect(extractAnswer('\\boxed{E}', { choices: ['1', '2'] })).toBeUndefined();
  });

  it('choiceLetter maps a choice text or a letter form', () => {
    expect(choiceLetter('(b)', choices)).toBe('B');
    expect(choiceLetter('\\text{18}', choices)).toBe('D');
    expect(choiceLetter('13', choices)).toBeUndefined();
  });
});

describe('extractAnswer: hostile output', () => {
  it('handles huge and unbalanced text without throwing', () => {
    const huge = '\\boxed{'.repeat(20000) + '}'.repeat(100);
    expect(() => extractAnswer(huge, { thinkClose: '' })).not.toThrow();
    expect(extractAnswer('x'.repeat(200_000) + '\\boxed{9}')?.text).toBe('9');
    expect(extractAnswer(`\\boxed{${'1'.repeat(5000)}}`)).toBeUndefined();
  });
});

describe('extractAnswer: unbraced boxes', () => {
  it('reads `\\boxed 5` as 5, and the last box still wins', () => {
    expect(extractAnswer('so it is \\boxed 5.')).toMatchObject({ text: '5', method: 'boxed' });
    expect(extractAnswer('first \\boxed{4}, then \\boxed -12, done')).toMatchObject({ text: '-12', method: 'boxed' });
    expect(extractAnswer('\\boxed 7 then \\boxed{8}')?.text).toBe('8');
    expect(extractAnswer('\\fbox 3')).toMatchObject({ text: '3', method: 'fbox' });
  });
  it('does not take a command that only starts with boxed, or a box with nothing after it', () => {
    expect(extractAnswer('\\boxedtext 5')).toBeUndefined();
    expect(extractAnswer('the \\boxed')).toBeUndefined();
  });
  it('reads nothing before the thinking closes', () => {
    expect(extractAnswer('<think>\\boxed 5</think> no answer here', { thinkClose: '</think>' })).toBeUndefined();
  });
});
