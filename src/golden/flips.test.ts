import { describe, expect, it } from 'vitest';
import { flipLine, flipLines, gateFlips, TERMINAL_FLIPS, type GateFlip } from './flips.ts';

const flip = (i: number, golden: 'correct' | 'wrong' = 'correct'): GateFlip => ({
  problemId: `arith-${i}`,
  intervention: 'budget(192)',
  sample: i % 2,
  golden,
  now: golden === 'correct' ? 'wrong' : 'correct',
});

describe('gate flips', () => {
  it('reads the flips of a gate check and nothing from other evidence', () => {
    const flips = [flip(1), flip(2, 'wrong')];
    expect(gateFlips({ flips, pValue: 0.01 })).toEqual(flips);
    expect(gateFlips({ regressed: [{ problemId: 'x' }] })).toEqual([]);
    expect(gateFlips(undefined)).toEqual([]);
    expect(gateFlips('flips')).toEqual([]);
    // Malformed entries (a hand-edited summary.json) are left out, not shown as "undefined".
    expect(gateFlips({ flips: [flip(3), { problemId: 4 }, { ...flip(5), golden: 'maybe' }, null] })).toEqual([flip(3)]);
  });

  it('names the problem, intervention and sample, golden -> now', () => {
    expect(flipLine(flip(7))).toBe('arith-7 · budget(192) · sample 1: correct -> wrong');
    expect(flipLine(flip(8, 'wrong'))).toBe('arith-8 · budget(192) · sample 0: wrong -> correct');
  });

  it('shows the first N then says how many more; without a limit, every one', () => {
    const flips = [...Array.from({ length: 30 }, (_, i) => flip(i)), flip(99, 'wrong')];
    const shown = flipLines(flips, TERMINAL_FLIPS);
    expect(shown[0]).toBe('flipped against golden (golden -> now): 30 regressed, 1 improved');
    expect(shown.slice(1, -1)).toEqual(flips.slice(0, 20).map(flipLine));
    expect(shown.at(-1)).toMatch(/^and 11 more /);
    const all = flipLines(flips);
    expect(all).toHaveLength(32);
    expect(all.at(-1)).toBe(flipLine(flip(99, 'wrong')));
    expect(flipLines(flips.slice(0, 20), 20).at(-1)).toBe(flipLine(flip(19)));
    expect(flipLines([], 20)).toEqual([]);
  });
});
