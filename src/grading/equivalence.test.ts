import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { equivalentSync } from './equivalence.ts';
import { equivalentSymbolic } from './symbolic.ts';

interface Case {
  gold: string;
  pred: string;
  equivalent: boolean;
  category: string;
}

const cases: Case[] = readFileSync(new URL('./cases.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);
const categories = [...new Set(cases.map((c) => c.category))];

describe('the bundled corpus', () => {
  it('covers every category the issue names, with hundreds of cases, both verdicts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(500);
    for (const category of [
      'fraction-decimal', 'frac-forms', 'radicals', 'pi', 'degrees', 'percent', 'units-text', 'currency', 'thousands',
      'scientific', 'intervals', 'sets-tuples', 'equations', 'matrices', 'signs', 'zeros', 'mixed-numbers', 'complex',
      'infinity-empty', 'latex-noise', 'choice', 'bases', 'expressions', 'bad-input', 'gsm8k', 'aime', 'math500',
    ]) {
      expect(categories).toContain(category);
    }
    expect(cases.filter((c) => c.equivalent).length).toBeGreaterThan(100);
    expect(cases.filter((c) => !c.equivalent).length).toBeGreaterThan(100);
  });
});

describe.each(categories)('equivalence: %s', (category) => {
  const rows = cases.filter((c) => c.category === category).map((c) => [c.gold, c.pred, c.equivalent] as const);
  it.each(rows)('%s vs %s -> %s (symbolic path)', (gold, pred, equivalent) => {
    expect(equivalentSymbolic(gold, pred)).toBe(equivalent);
  });
  it.each(rows)('%s vs %s -> %s (fast path agrees when it decides)', (gold, pred, equivalent) => {
    const fast = equivalentSync(gold, pred);
    if (fast !== undefined) expect(fast).toBe(equivalent);
  });
});

describe('the fast path', () => {
  it('decides plain numbers itself and defers radicals, pi and algebra to the engine', () => {
    expect(equivalentSync('025', '25')).toBe(true);
    expect(equivalentSync('0.67', '\\frac23')).toBe(false);
    expect(equivalentSync('123456', '123457')).toBe(false);
    expect(equivalentSync('1,000', '1000')).toBe(true);
    expect(equivalentSync('2\\sqrt{2}', '\\sqrt{8}')).toBeUndefined();
    expect(equivalentSync('\\pi', '3.14159')).toBeUndefined();
    expect(equivalentSync('2k+2', '2(k+1)')).toBeUndefined();
  });
});

describe('decisions worth pinning down', () => {
  it('reads decimals exactly: no tolerance between two exact numbers', () => {
    expect(equivalentSymbolic('\\frac{1}{3}', '0.3333333333333333')).toBe(false);
    expect(equivalentSymbolic('0.1', '\\frac{1}{10}')).toBe(true);
  });
  it('treats an undefined value (division by zero, 0/0) as equal to nothing', () => {
    expect(equivalentSymbolic('\\frac{1}{0}', '\\frac{2}{0}')).toBe(false);
    expect(equivalentSymbolic('\\frac{0}{0}', '0/0')).toBe(false);
    expect(equivalentSymbolic('5', '\\frac{5}{0}')).toBe(false);
    expect(equivalentSymbolic('\\tan\\frac{\\pi}{2}', '\\frac{1}{0}')).toBe(false);
    expect(equivalentSymbolic('\\infty', '\\infty')).toBe(true);
  });
  it('compares huge exact values exactly, not relatively', () => {
    expect(equivalentSymbolic('10^{100}', '10^{100}+1')).toBe(false);
    expect(equivalentSymbolic('2^{64}', '18446744073709551616')).toBe(true);
    expect(equivalentSymbolic('100!', '100!+1')).toBe(false);
    expect(equivalentSymbolic('\\pi', '\\pi+10^{-30}')).toBe(false);
  });
  it('never equates a decimal with an irrational closed form: numbers are equal exactly or not at all', () => {
    expect(equivalentSymbolic('\\sqrt{2}', '1.41421356237')).toBe(false);
    expect(equivalentSymbolic('\\pi', '3.14159265358979')).toBe(false);
    expect(equivalentSymbolic('\\sqrt{2}', '1.41421')).toBe(false);
    expect(equivalentSymbolic('\\sqrt{2}+\\sqrt{3}', '\\sqrt{5+2\\sqrt{6}}')).toBe(true);
  });
  it('takes percent and degree signs as units: dropped on one side, never a conversion', () => {
    expect(equivalentSymbolic('50\\%', '50')).toBe(true);
    expect(equivalentSymbolic('50\\%', '0.5')).toBe(false);
    expect(equivalentSymbolic('0.5', '50\\%')).toBe(false);
    expect(equivalentSymbolic('50', '0.5')).toBe(false);
    expect(equivalentSymbolic('30^\\circ, 150^\\circ', '150, 30')).toBe(true);
    expect(equivalentSymbolic('90^\\circ', '\\frac{\\pi}{2}')).toBe(false);
    expect(equivalentSymbolic('(3, 90^\\circ)', '(3, \\frac{\\pi}{2})')).toBe(false);
    expect(equivalentSymbolic('\\sin 60^\\circ', '\\frac{\\sqrt{3}}{2}')).toBe(true);
  });
  it('reads a bare 1,000 as one thousand but a bracketed (1,000) as a pair', () => {
    expect(equivalentSymbolic('1,000', '1000')).toBe(true);
    expect(equivalentSymbolic('(1,000)', '1000')).toBe(false);
    expect(equivalentSymbolic('1, 2', '2, 1')).toBe(true);
  });
  it('drops known unit words after a number, but not a variable', () => {
    expect(equivalentSymbolic('5', '5 sq ft')).toBe(true);
    expect(equivalentSymbolic('5x', '5 x')).toBe(true);
    expect(equivalentSymbolic('5', '5 x')).toBe(false);
  });
  it('treats answers with different variables as different', () => {
    expect(equivalentSymbolic('3R^2', '3r^2')).toBe(false);
    expect(equivalentSymbolic('x+1', 'y+1')).toBe(false);
  });
});

describe('bad input', () => {
  const hundredKb = '\\frac{1}{2}+'.repeat(9000);
  const hostile: [string, string][] = [
    ['', ''],
    ['', '5'],
    ['5', ''],
    ['\\frac{1}{2', '\\frac{1}{2'],
    ['}}}{{{', '5'],
    ['\\boxed{', '\\boxed{'],
    [hundredKb, hundredKb],
    [hundredKb, '5'],
    ['\\begin{pmatrix}', '\\end{pmatrix}'],
    ['\u0000\u001b[31m', '\u001b[0m'],
    ['1\\pm 2\\pm 3\\pm 4\\pm 5', '1\\pm 2\\pm 3\\pm 4\\pm 5'],
    ['5' + '\\pm'.repeat(600), '5'],
    // 181 copies of one interval are that interval as a set: against another one, merged and refused.
    ['(1,2)\\cup'.repeat(180) + '(1,2)', '(1,3)'],
    ['(a,2)\\cup'.repeat(180) + '(a,2)', '(a,3)'],
  ];
  it.each(hostile.map(([a, b]) => [a.slice(0, 30), b.slice(0, 30), a, b]))('%s vs %s is not equivalent and does not throw', (_a, _b, gold, pred) => {
    expect(equivalentSync(gold, pred)).not.toBe(true);
    expect(equivalentSymbolic(gold, pred)).toBe(false);
  });
  it('treats non-strings as not equivalent', () => {
    expect(equivalentSync(42 as unknown as string, '42')).toBe(false);
    expect(equivalentSymbolic(null as unknown as string, '42')).toBe(false);
  });
  it('still reads deep but sane nesting', () => {
    expect(equivalentSymbolic('((((1))))', '1')).toBe(true);
  });
});

describe('parsed answers shared between comparisons', () => {
  it('property: a verdict does not depend on which comparisons came before it', async () => {
    const answers = [...new Set(cases.flatMap((c) => [c.gold, c.pred]))];
    // The corpus's own pairs (half of them equivalent, so comparisons go deep) and arbitrary ones.
    const pair = fc.oneof(
      fc.nat(cases.length - 1).map((i) => [cases[i]!.gold, cases[i]!.pred] as const),
      fc.tuple(fc.nat(answers.length - 1), fc.nat(answers.length - 1)).map(([g, p]) => [answers[g]!, answers[p]!] as const),
    );
    const samples = fc.sample(fc.array(pair, { minLength: 1, maxLength: 40 }), { numRuns: 60, seed: 15 });
    // Fresh module instances: each starts with no parsed answers.
    vi.resetModules();
    const forward = (await import('./equivalence.ts')).equivalentSync;
    vi.resetModules();
    const backward = (await import('./equivalence.ts')).equivalentSync;
    for (const sample of samples) {
      const list = sample;
      const once = list.map(([g, p]) => forward(g, p));
      // The other instance sees the same comparisons the other way round, each twice, with roles swapped in between.
      const reversed = [...list].reverse().map(([g, p]) => [backward(g, p), backward(p, g), backward(g, p)] as const).reverse();
      expect(reversed.map(([first]) => first)).toEqual(once);
      expect(reversed.map(([, , again]) => again)).toEqual(once);
    }
  });
});
