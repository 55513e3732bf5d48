import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { noRegression } from './noRegression.ts';
import { budget, labeled, row } from './fixtures.ts';
import type { CheckContext, ResultRow } from './types.ts';

/**
 * The gate's statistics over many seeded synthetic runs: each problem has its own chance of being
 * solved; golden and current runs draw outcomes independently (sampling noise). An unchanged model
 * must raise false alarms at most alpha of the time; a model that lost 25 points of accuracy on
 * one intervention must be caught at least 90% of the time. Measured with 80 problems and
 * independent draws (the noisiest case; identical seeds on an unchanged model give no flips at
 * all): false alarms 0.021 / 0.034 (seeds 1 / 2), power 0.24 at 10 points, 0.49 at 15, 0.75 at
 * 20, 0.91 at 25, 0.98 at 30. (The same test on the simulator's cards comes
 * with `thinkprobe run` and the release-gate suite.)
 */
const PROBLEMS = 80;
const REPLICATES = 1000;
const ALPHA = 0.05;
const interventions = labeled({ type: 'baseline' }, budget(512));

function draw(random: () => number, chances: number[], label: string): ResultRow[] {
  return chances.map((p, i) => row(`p${i}`, label, random() < p));
}

function alarmRate(drop: number, seed: number): number {
  const random = seededRandom(seed);
  let alarms = 0;
  for (let r = 0; r < REPLICATES; r++) {
    const chances = Array.from({ length: PROBLEMS }, () => 0.3 + 0.65 * random());
    const capped = chances.map((p) => p * 0.7);
    const golden = [...draw(random, chances, 'baseline'), ...draw(random, capped, 'budget(512)')];
    const now = [...draw(random, chances.map((p) => Math.max(0, p - drop)), 'baseline'), ...draw(random, capped, 'budget(512)')];
    const context: CheckContext = { rows: now, interventions, golden: { file: 'g.json', outcomes: golden }, seed: 0 };
    const result = noRegression({ type: 'noRegression', test: 'mcnemar', alpha: ALPHA, margin: 0.05 }, context, 'gate');
    if (result.verdict === 'fail') alarms++;
  }
  return alarms / REPLICATES;
}

describe('noRegression gate statistics', () => {
  it('false alarms on an unchanged model stay at or below alpha', () => {
    const rate = alarmRate(0, 1);
    // The exact test is conservative; allow Monte Carlo error (3 standard errors at alpha).
    expect(rate).toBeLessThanOrEqual(ALPHA + 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / REPLICATES));
  });

  it('catches a 25-point regression with power >= 0.9', () => {
    expect(alarmRate(0.25, 2)).toBeGreaterThanOrEqual(0.9);
  });

  it('has less power for a smaller drop, as it should', () => {
    const small = alarmRate(0.1, 3);
    expect(small).toBeGreaterThan(ALPHA);
    expect(small).toBeLessThan(0.5);
  });
});
