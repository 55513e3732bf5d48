import { defineSuite, fc, property } from 'thinkprobe';

/**
 * Budgets: an s1 budget sweep gives the cost-accuracy curve (the HTML report plots it, with the
 * Pareto frontier). Every cap branches off the same trunk (a model cannot see a cap it has not
 * reached), so the whole sweep costs little more than the baseline.
 * The property check asks fast-check for budgets in [768, 4096] and runs each one; if accuracy
 * ever fell below 90% of the baseline's it would shrink to the smallest failing budget.
 *   npx thinkprobe run suites/budgets.suite.ts
 *   npx thinkprobe run suites/budgets.suite.ts --model qwq --host http://gpu-box:11434
 */
export default defineSuite({
  name: 'budgets',
  description: 'An s1 budget sweep (256..2048 thinking tokens) against the baseline: cost-accuracy curve, monotonicity, a property over the budget.',
  model: 'sim:sim-qwq',
  problems: [{ family: 'arithmetic-chain', count: 24, difficulty: 4, seed: 41 }],
  samples: 1,
  interventions: [
    { type: 'baseline' },
    { type: 'budget', tokens: 256 },
    { type: 'budget', tokens: 512 },
    { type: 'budget', tokens: 768 },
    { type: 'budget', tokens: 1024 },
    { type: 'budget', tokens: 1536 },
    { type: 'budget', tokens: 2048 },
  ],
  checks: [
    // 24 problems: one flip is 0.042 of accuracy, so allow two between neighbouring budgets.
    { type: 'monotoneInBudget', tolerance: 0.1 },
    { type: 'budgetRespected' },
    { type: 'tokensSavedAtLeast', intervention: 'budget(512)', min: 0.3 },
    { type: 'accuracyDropAtMost', intervention: 'budget(1024)', maxDrop: 0.1 },
    property(
      'budgets of 768+ tokens keep 90% of baseline accuracy',
      fc.integer({ min: 768, max: 4096 }),
      async (tokens, { evaluate, accuracy }) => accuracy(await evaluate({ type: 'budget', tokens })) >= 0.9 * accuracy('baseline'),
      { numRuns: 12 },
    ),
  ],
});
