import { describe, expect, it } from 'vitest';
import { syntheticRun } from '../../../../tests/fixtures/synthetic-run.ts';
import { interventionColours, naturalCompare, NEUTRAL_COLOURS } from './palette.ts';
import { bandByPosition } from './views/confidence-bands.ts';

describe('report palette', () => {
  it('gives every intervention its own colour, none of them a neutral one', () => {
    const colours = interventionColours(syntheticRun({ problems: 3 }));
    expect(colours.domain).toEqual(['baseline', 'noThinking', 'budget(512)', 'budget(1024)', 'extend(Wait x1)']);
    expect(new Set(colours.range).size).toBe(colours.range.length);
    for (const c of NEUTRAL_COLOURS) expect(colours.range).not.toContain(c);
  });
  it('sorts problem ids naturally', () => {
    expect(['p10', 'p2', 'p1', 'p11'].sort(naturalCompare)).toEqual(['p1', 'p2', 'p10', 'p11']);
  });
});

describe('confidence bands', () => {
  it('keeps correct and wrong traces apart and counts each bin', () => {
    const data = syntheticRun({ problems: 20 });
    const bands = bandByPosition(data.results, 'lhat');
    expect(new Set(bands.map((b) => b.outcome))).toEqual(new Set(['correct', 'wrong']));
    // In the synthetic run correct traces fall towards 0 and wrong ones stay near 1.5-2: mixing them would not.
    const lastCorrect = bands.filter((b) => b.outcome === 'correct' && b.x === 1);
    const lastWrong = bands.filter((b) => b.outcome === 'wrong' && b.x === 1);
    expect(Math.max(...lastCorrect.map((b) => b.mean))).toBeLessThan(0.5);
    expect(Math.min(...lastWrong.map((b) => b.mean))).toBeGreaterThan(1.4);
    for (const b of bands) {
      expect(b.low).toBeLessThanOrEqual(b.mean);
      expect(b.high).toBeGreaterThanOrEqual(b.mean);
      expect(b.n).toBeGreaterThan(0);
    }
  });
  it('leaves errored results out', () => {
    const data = syntheticRun({ problems: 4 });
    const all = bandByPosition(data.results, 'lhat').reduce((s, b) => s + b.n, 0);
    const first = data.results[0];
    if (first) first.error = 'problem p0000: unusable reply';
    const fewer = bandByPosition(data.results, 'lhat').reduce((s, b) => s + b.n, 0);
    expect(fewer).toBe(all - (first?.confidence.length ?? 0));
  });
});
