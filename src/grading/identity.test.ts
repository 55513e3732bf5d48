import { ComputeEngine } from '@cortex-js/compute-engine';
import { describe, expect, it } from 'vitest';
import { identical, proportional, type MathJson } from './identity.ts';

const ce = new ComputeEngine();
const j = (latex: string): MathJson => ce.parse(latex).json as MathJson;

describe('exact identity testing', () => {
  it.each([
    ['(x+1)^2', 'x^2+2x+1'],
    ['\\sin^2 x+\\cos^2 x', '1'],
    ['\\sin 2x', '2\\sin x\\cos x'],
    ['\\tan\\frac{x}{2}', '\\frac{1-\\cos x}{\\sin x}'],
    ['e^{2x}', '(e^x)^2'],
    ['\\frac{x}{3}', '\\frac{1}{3}x'],
    ['\\cos(x+\\pi)', '-\\cos x'],
  ])('%s = %s', (a, b) => expect(identical(j(a), j(b))).toBe(true));

  it.each([
    ['x', 'x+10^{-12}'],
    ['\\frac{x}{3}', '\\frac{333333333333}{1000000000000}x'],
    ['e^x', 'e^x+10^{-20}'],
    ['\\sin 2x', '2\\sin x'],
    ['x y', 'x+y'],
    ['\\pi', '\\frac{355}{113}'],
  ])('%s != %s, exactly', (a, b) => expect(identical(j(a), j(b))).toBe(false));

  it.each([['\\sqrt{x}', 'x^{1/2}'], ['\\ln x', '\\ln x'], ['\\sin 1', '\\sin 1'], ['\\sin(x+1)', '\\sin x']])(
    'leaves %s vs %s undecided (out of exact reach)',
    (a, b) => expect(identical(j(a), j(b))).toBeUndefined(),
  );

  it('finds equations equal up to a nonzero constant factor, and only then', () => {
    expect(proportional(j('3x-6'), j('x-2'))).toBe(true);
    expect(proportional(j('2x+4y-6'), j('-x-2y+3'))).toBe(true);
    expect(proportional(j('2x+4y-6'), j('x+2y-4'))).toBe(false);
    expect(proportional(j('x^2-1'), j('x-1'))).toBe(false);
  });
});
