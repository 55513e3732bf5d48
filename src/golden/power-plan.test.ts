import { describe, expect, it } from 'vitest';
import { minimumDetectableDrop } from '../metrics/power.ts';
import { planGate, type PlanOutcome } from './power-plan.ts';

function outcomes(problems: number, samples: number, rightIn: (problem: number, sample: number) => boolean, intervention = 'baseline'): PlanOutcome[] {
  return Array.from({ length: problems * samples }, (_, i) => ({
    problemId: `p${Math.floor(i / samples)}`,
    intervention,
    correct: rightIn(Math.floor(i / samples), i % samples),
  }));
}

describe('planGate', () => {
  it('computes the detectable drop from the within-problem variance and splits alpha over interventions', () => {
    // Half the problems right in 2 of 4 samples (p-hat 1/2: unbiased p(1-p) = 1/3), half always right (0): v = 1/6.
    const data = [...outcomes(100, 4, (p, s) => p % 2 === 0 || s < 2), ...outcomes(100, 4, () => true, 'budget(192)')];
    const plan = planGate(data, { alpha: 0.05 });
    expect(plan.alphaPerTest).toBe(0.025);
    const baseline = plan.interventions.find((i) => i.intervention === 'baseline')!;
    expect(baseline).toMatchObject({ problems: 100, samples: 4 });
    expect(baseline.variance.method).toBe('within');
    expect(baseline.variance.value).toBeCloseTo(1 / 6, 12);
    expect(baseline.detectableDrop).toBeCloseTo(100 * minimumDetectableDrop({ problems: 100, samples: 4, variance: 1 / 6, alpha: 0.025 }), 10);
    expect(plan.detectableDrop).toBe(baseline.detectableDrop);
    expect(plan.sentence).toBe(`this gate detects a drop of >= ${baseline.detectableDrop.toFixed(1)} points with 80% power`);
  });

  it('plans problems and samples for a given drop, more samples needing fewer problems', () => {
    const plan = planGate(outcomes(50, 2, (p, s) => (p + s) % 3 !== 0), { alpha: 0.05, detect: 3 });
    const options = plan.plan!.options;
    expect(options.map((o) => o.samples)).toEqual([1, 2, 4, 8, 16]);
    for (let i = 1; i < options.length; i++) expect(options[i]!.problems).toBeLessThan(options[i - 1]!.problems);
    // The planned design detects the drop: its detectable drop is at most 3 points.
    const four = options.find((o) => o.samples === 4)!;
    const variance = plan.interventions[0]!.variance.value;
    expect(100 * minimumDetectableDrop({ problems: four.problems, samples: 4, variance, alpha: 0.05 })).toBeLessThanOrEqual(3);
  });
});
