import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('is reproducible, differs across seeds, and stays in [0, 1)', () => {
    const a = Array.from({ length: 5 }, seededRandom(1));
    expect(Array.from({ length: 5 }, seededRandom(1))).toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(2))).not.toEqual(a);
    expect(Array.from({ length: 5 }, seededRandom(2 ** 32 + 1))).not.toEqual(a);
    const r = seededRandom(0);
    for (let i = 0; i < 10000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('is roughly uniform (chi-square over 10 bins, 20000 draws, critical value 27.88 at p = 0.001)', () => {
    const r = seededRandom(123);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 20000; i++) bins[Math.floor(r() * 10)]! += 1;
    const chi2 = bins.reduce((s, count) => s + (count - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.88);
  });
});
