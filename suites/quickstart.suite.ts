import { defineSuite } from 'thinkprobe';

/**
 * The first thing to run: `npx thinkprobe run suites/quickstart.suite.ts`.
 * Twelve generated arithmetic problems on the built-in simulator (no GPU, no download), four ways
 * of handling the model's thinking, one L-hat probe curve, and checks that hold.
 * Against a real model: `--model qwq --host http://gpu-box:11434`.
 */
export default defineSuite({
  name: 'quickstart',
  description: 'Baseline vs no thinking vs a 256-token budget vs one forced "Wait", with an L-hat probe curve (RaML).',
  model: 'sim:sim-qwq',
  problems: [{ family: 'arithmetic-chain', count: 12, difficulty: 3, seed: 1 }],
  samples: 2,
  maxThinkingTokens: 4096,
  interventions: [
    { type: 'baseline' },
    { type: 'noThinking' },
    { type: 'budget', tokens: 256 },
    { type: 'extend', times: 1 },
    { type: 'probes', every: 128, label: 'L-hat probes' },
  ],
  checks: [
    { type: 'accuracyAtLeast', intervention: 'baseline', min: 0.7 },
    { type: 'tokensSavedAtLeast', intervention: 'budget(256)', min: 0.2 },
    { type: 'budgetRespected' },
    { type: 'confidenceRises', intervention: 'L-hat probes', minShare: 0.6 },
  ],
});
