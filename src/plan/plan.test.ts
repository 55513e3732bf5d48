import { describe, expect, it } from 'vitest';
import { interventionFromSpec } from '../interventions/index.ts';
import { chatmlQwq } from '../templates/index.ts';
import { compilePlan, sampleSeed } from './plan.ts';

const problems = [
  { id: 'a', question: 'What is 1+1?', answer: '2' },
  { id: 'b', question: 'What is 2+2?', answer: '4' },
];
const base = { model: 'm', digest: 'd', problems, seed: 7, sampling: { temperature: 0.6, topP: 0.95, topK: 40 }, template: chatmlQwq() };

describe('plan', () => {
  it('one trunk per problem x sample; prompt variants get their own trunk', () => {
    const interventions = ['baseline', { type: 'budget', tokens: 256 }, { type: 'stopInstruction' }, { type: 'softBudget', tokens: 99 }].map((s) =>
      interventionFromSpec(s),
    );
    const plan = compilePlan({ ...base, interventions, samples: 2 });
    expect(plan).toHaveLength(2 * 2 * 3);
    const first = plan.filter((t) => t.problem.id === 'a' && t.sample === 0);
    expect(first.map((t) => t.interventions.map((i) => i.describe()))).toEqual([['baseline', 'budget(256)'], ['stopInstruction'], ['softBudget(99)']]);
    expect(first[1]?.prompt).toContain('/no_think<|im_end|>');
    expect(first[0]?.prompt.endsWith('<|im_start|>assistant\n<think>\n')).toBe(true);
    expect(new Set(plan.map((t) => t.key)).size).toBe(plan.length);
  });

  it('samples have their own seeds and namespaces; identical interventions collapse', () => {
    const plan = compilePlan({ ...base, interventions: [interventionFromSpec('baseline'), interventionFromSpec({ type: 'baseline' })], samples: 3 });
    expect(plan).toHaveLength(6);
    expect(plan[0]?.interventions).toHaveLength(1);
    const seeds = plan.filter((t) => t.problem.id === 'a').map((t) => [t.seed, t.namespace]);
    expect(new Set(seeds.map((s) => s[0])).size).toBe(3);
    expect(seeds.map((s) => s[1])).toEqual(['sample:0', 'sample:1', 'sample:2']);
    expect(sampleSeed(7, 1)).toBe(sampleSeed(7, 1));
    expect(sampleSeed(7, 1)).not.toBe(sampleSeed(8, 1));
  });

  it('rejects duplicate problem ids and empty intervention lists', () => {
    expect(() => compilePlan({ ...base, problems: [problems[0]!, problems[0]!], interventions: [interventionFromSpec('baseline')], samples: 1 })).toThrow(
      'problems/a: duplicate problem id',
    );
    expect(() => compilePlan({ ...base, interventions: [], samples: 1 })).toThrow('interventions: expected at least one intervention');
  });
});
