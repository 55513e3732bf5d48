import { defineSuite } from 'thinkprobe';

/**
 * Reflection: what forcing, injecting or banning "Wait" does to accuracy and length.
 * s1's budget forcing (extend: when the model closes its thinking, drop the delimiter and append
 * "Wait"), a "Wait" injected halfway through the natural trace, and NoWait (reflection words
 * banned for the whole trace, emulated by stopping on the word and taking the best allowed
 * alternative).
 *   npx thinkprobe run suites/reflection.suite.ts
 *   npx thinkprobe run suites/reflection.suite.ts --model qwq --host http://gpu-box:11434
 */
export default defineSuite({
  name: 'reflection',
  description: 'Extend with "Wait" x1/x2 (s1), inject "Wait" at half the trace, suppress reflection words (NoWait).',
  model: 'sim:sim-qwq',
  problems: [
    { family: 'arithmetic-chain', count: 16, difficulty: 4, seed: 31 },
    { family: 'linear-equation', count: 8, difficulty: 3, seed: 31 },
  ],
  samples: 1,
  interventions: [
    { type: 'baseline' },
    { type: 'extend', times: 1 },
    { type: 'extend', times: 2 },
    { type: 'injectReflection', fraction: 0.5, label: 'Wait at 50%' },
    { type: 'suppressReflection', label: 'NoWait' },
  ],
  checks: [
    { type: 'accuracyAtLeast', intervention: 'baseline', min: 0.6 },
    // Forcing more thinking must not cost accuracy (it may buy some: s1's 50.0 -> 56.7 on AIME24).
    { type: 'accuracyDropAtMost', intervention: 'extend(x1)', maxDrop: 0.05 },
    { type: 'accuracyDropAtMost', intervention: 'extend(x2)', maxDrop: 0.05 },
    // NoWait's promise: shorter traces at little cost.
    { type: 'tokensSavedAtLeast', intervention: 'NoWait', tokens: 'thinking', min: 0.05 },
    { type: 'accuracyDropAtMost', intervention: 'NoWait', maxDrop: 0.15 },
  ],
});
