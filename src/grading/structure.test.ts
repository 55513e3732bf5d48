import { describe, expect, it } from 'vitest';
import { normalizeAnswer } from './normalize.ts';
import { parseStructure } from './structure.ts';

function shape(answer: string): unknown {
  const n = normalizeAnswer(answer);
  return parseStructure(n.text, n.isText);
}

describe('normalizeAnswer', () => {
  it.each([
    ['\\left( 3, \\dfrac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})'],
    ['\\frac12', '\\frac{1}{2}'],
    ['\\sqrt2', '\\sqrt{2}'],
    ['\\$32,\\!348', '32348'],
    ['1 000', '1000'],
    ['5 \\text{ cm}', '5'],
    ['864 \\mbox{ inches}^2', '864'],
    ['\\cot x', '\\cot x'],
    ['$\\boxed{7}$', '7'],
    ['x^2', 'x^2'],
  ])('%s -> %s', (raw, text) => {
    expect(normalizeAnswer(raw).text).toBe(text);
  });

  it('records and removes percent and degree signs', () => {
    expect(normalizeAnswer('50\\%')).toMatchObject({ text: '50', percent: true, degrees: false });
    expect(normalizeAnswer('30^{\\circ}')).toMatchObject({ text: '30', percent: false, degrees: true });
  });

  it('rejects unbalanced braces and overlong answers', () => {
    expect(normalizeAnswer('\\frac{1}{2').text).toBe('');
    expect(normalizeAnswer('1'.repeat(5000)).text).toBe('');
  });
});

describe('parseStructure', () => {
  it('tells tuples, intervals, sets, lists and unions apart', () => {
    expect(shape('(1,2]')).toMatchObject({ kind: 'sequence', open: '(', close: ']' });
    expect(shape('\\{1,2\\}')).toMatchObject({ kind: 'collection', of: 'set' });
    expect(shape('1, 2')).toMatchObject({ kind: 'collection', of: 'list' });
    expect(shape('(0,1)\\cup(2,3)')).toMatchObject({ kind: 'collection', of: 'union' });
    expect(shape('1 \\pm \\sqrt{2}')).toMatchObject({ kind: 'collection', of: 'list', items: [{ latex: '1+\\sqrt{2}' }, { latex: '1-\\sqrt{2}' }] });
  });

  it('reads matrices, equations, words, letters, bases and the empty set', () => {
    expect(shape('\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}')).toMatchObject({ kind: 'matrix', rows: [[{ latex: '1' }, { latex: '2' }], [{ latex: '3' }, { latex: '4' }]] });
    expect(shape('y = 2x+1')).toEqual({ kind: 'scalar', latex: '2x+1', variable: 'y' });
    expect(shape('x+y=1')).toEqual({ kind: 'equation', lhs: 'x+y', rhs: '1' });
    expect(shape('\\text{Evelyn}')).toEqual({ kind: 'text', words: 'evelyn' });
    expect(shape('\\text{(C)}')).toEqual({ kind: 'choice', letter: 'C' });
    expect(shape('4210_{5}')).toEqual({ kind: 'base', digits: '4210', base: 5 });
    expect(shape('\\varnothing')).toEqual({ kind: 'empty' });
    expect(shape('2<x\\leq 5')).toMatchObject({ kind: 'sequence', open: '(', close: ']' });
  });

  it('unwraps grouping brackets around one value', () => {
    expect(shape('(5)')).toEqual({ kind: 'scalar', latex: '5' });
  });
});
