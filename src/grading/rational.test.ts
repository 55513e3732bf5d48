import { describe, expect, it } from 'vitest';
import { parseExactComplex, parseExactNumber, type Rational } from './rational.ts';

const r = (n: bigint, d = 1n): Rational => ({ n, d });

describe('parseExactNumber', () => {
  it.each([
    ['42', r(42n)],
    ['025', r(25n)],
    ['-7', r(-7n)],
    ['+7', r(7n)],
    ['--7', r(7n)],
    ['3.50', r(7n, 2n)],
    ['.35625', r(57n, 160n)],
    ['5.', r(5n)],
    ['0.67', r(67n, 100n)],
    ['1e3', r(1000n)],
    ['1.5E-2', r(3n, 200n)],
    ['6.72\\times10^{-5}', r(21n, 312500n)],
    ['2\\cdot10^3', r(2000n)],
    ['10^{3}', r(1000n)],
    ['\\frac{6}{4}', r(3n, 2n)],
    ['\\frac{-1}{2}', r(-1n, 2n)],
    ['\\frac{1.5}{3}', r(1n, 2n)],
    ['3/4', r(3n, 4n)],
    ['2\\frac{1}{2}', r(5n, 2n)],
    ['-2\\frac{1}{2}', r(-5n, 2n)],
    ['-(3)', r(-3n)],
    ['(-3)', r(-3n)],
  ])('%s', (text, value) => {
    expect(parseExactNumber(text)).toEqual(value);
  });

  it.each([['x'], [''], ['.'], ['1.2.3'], ['\\frac{1}{0}'], ['2\\frac{3}{2}'], ['1e99999'], ['\\sqrt{2}'], ['1,000'], ['\\pi']])('rejects %s', (text) => {
    expect(parseExactNumber(text)).toBeUndefined();
  });
});

describe('parseExactComplex', () => {
  it.each([
    ['1+i', r(1n), r(1n)],
    ['i+1', r(1n), r(1n)],
    ['-2+7i', r(-2n), r(7n)],
    ['7i-2', r(-2n), r(7n)],
    ['-i', r(0n), r(-1n)],
    ['\\frac{1}{2}i', r(0n), r(1n, 2n)],
  ])('%s', (text, re, im) => {
    expect(parseExactComplex(text)).toEqual({ re, im });
  });

  it.each([['1+2'], ['\\pi'], ['i+i'], ['1+2i+3'], ['\\sin']])('rejects %s', (text) => {
    expect(parseExactComplex(text)).toBeUndefined();
  });
});
