import { describe, expect, it } from 'vitest';
import { minimumDetectableDrop, powerSentence, problemsNeeded, varianceFromDiscordance, withinVariance } from './power.ts';
import { formatP } from './format.ts';

describe('gate power', () => {
  it('matches the closed form (z(0.95) + z(0.8)) * sqrt(2 v / (m G))', () => {
    // v = 0.1, m = 1, G = 200, alpha 0.05: (1.644854 + 0.841621) * sqrt(0.001) = 0.078630.
    expect(minimumDetectableDrop({ problems: 200, samples: 1, variance: 0.1, alpha: 0.05 })).toBeCloseTo(0.07863, 5);
  });

  it('plans problems: four times the samples needs a quarter of the problems', () => {
    const one = problemsNeeded({ drop: 0.05, samples: 1, variance: 0.1, alpha: 0.05 / 3 });
    const four = problemsNeeded({ drop: 0.05, samples: 4, variance: 0.1, alpha: 0.05 / 3 });
    expect(Math.abs(one / 4 - four)).toBeLessThanOrEqual(1);
    // (2.128045 + 0.841621)^2 * 0.2 / 0.0025 = 705.2 -> 706
    expect(one).toBe(706);
    const back = minimumDetectableDrop({ problems: one, samples: 1, variance: 0.1, alpha: 0.05 / 3 });
    expect(back).toBeLessThanOrEqual(0.05);
  });

  it('estimates the within-problem variance without bias from repeated samples', () => {
    // p-hat 1/2 over 4 samples: 1/4 * 4/3 = 1/3; 4/4: 0.
    const data = [true, true, false, false, true, true, true, true].map((correct, i) => ({ cluster: i < 4 ? 'a' : 'b', correct }));
    expect(withinVariance(data)).toEqual({ value: (1 / 3 + 0) / 2, method: 'within' });
    const single = [true, false, true, true].map((correct, i) => ({ cluster: `p${i}`, correct }));
    expect(withinVariance(single)).toEqual({ value: 0.75 * 0.25, method: 'upper-bound' });
    expect(varianceFromDiscordance(10, 100)).toEqual({ value: 0.05, method: 'discordance' });
  });

  it('writes the sentence reports show', () => {
    expect(powerSentence(4.96)).toBe('this gate detects a drop of >= 5.0 points with 80% power');
  });
});

describe('formatP', () => {
  it('writes every p-value one way', () => {
    expect(formatP(7.75e-7)).toBe('p<0.001');
    expect(formatP(0)).toBe('p<0.001');
    expect(formatP(0.0123)).toBe('p=0.012');
    expect(formatP(1)).toBe('p=1.000');
    expect(formatP(Number.NaN)).toBe('p=n/a');
  });
});
