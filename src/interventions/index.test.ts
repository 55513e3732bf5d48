import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { INTERVENTION_TYPES, interventionFromSpec } from './index.ts';

describe('intervention registry', () => {
  const cases: [unknown, string][] = [
    [{ type: 'baseline' }, 'baseline'],
    ['baseline', 'baseline'],
    [{ type: 'noThinking' }, 'noThinking'],
    [{ type: 'stopPhrase' }, 'stopPhrase'],
    [{ type: 'stopInstruction' }, 'stopInstruction'],
    [{ type: 'budget', tokens: 512 }, 'budget(512)'],
    [{ type: 'budget', tokens: 512, close: 'qwen3' }, 'budget(512,qwen3)'],
    [{ type: 'extend', times: 2 }, 'extend(x2)'],
    [{ type: 'extend', times: 1, word: 'Hmm', budget: 4096 }, 'extend("Hmm",x1,budget=4096)'],
    [{ type: 'injectReflection', at: 100 }, 'injectReflection(at=100)'],
    [{ type: 'injectReflection', fraction: 0.5 }, 'injectReflection(fraction=0.5)'],
    [{ type: 'injectReflection', paragraphs: true }, 'injectReflection(paragraphs)'],
    [{ type: 'suppressReflection' }, 'suppressReflection'],
    [{ type: 'softBudget', tokens: 1000 }, 'softBudget(1000)'],
    [{ type: 'earlyExit', method: 'deer' }, 'earlyExit(deer,0.95)'],
    [{ type: 'earlyExit', method: 'dynasor', every: 128, window: 2 }, 'earlyExit(dynasor,every=128,window=2)'],
    [{ type: 'probes', every: 256 }, 'probes(every=256)'],
    [{ type: 'probes', at: [0.25, 0.5], suffix: 'dynasor', on: { type: 'budget', tokens: 512 } }, 'probes(at=0.25/0.5,dynasor,on=budget(512))'],
  ];

  it.each(cases)('%j is labelled %s and round-trips through its params', (spec, label) => {
    const iv = interventionFromSpec(spec);
    expect(iv.describe()).toBe(label);
    const again = interventionFromSpec(JSON.parse(JSON.stringify(iv.params)));
    expect(again.describe()).toBe(label);
    expect(again.params).toEqual(iv.params);
  });

  it('covers every intervention type', () => {
    const covered = new Set(cases.map(([spec]) => interventionFromSpec(spec).type));
    expect([...covered].sort()).toEqual([...INTERVENTION_TYPES].sort());
  });

  it('prompt variants carry their user-turn text', () => {
    expect(interventionFromSpec({ type: 'stopInstruction' }).userSuffix).toBe(' /no_think');
    expect(interventionFromSpec({ type: 'softBudget', tokens: 300 }).userSuffix).toBe('\n\nThink for maximum 300 tokens.');
    expect(interventionFromSpec({ type: 'budget', tokens: 3 }).userSuffix).toBeUndefined();
  });

  const bad: [unknown, string][] = [
    [{ type: 'budget' }, 'suite/interventions/0/tokens: missing; expected a whole number of thinking tokens >= 1'],
    [{ type: 'budget', tokens: -1 }, 'suite/interventions/0/tokens: expected a whole number of thinking tokens >= 1, got number -1'],
    [{ type: 'budget', tokens: 1.5 }, 'suite/interventions/0/tokens: expected a whole number of thinking tokens >= 1, got number 1.5'],
    [{ type: 'budget', tokens: 5, close: '' }, 'suite/interventions/0/close: expected s1, qwen3 or a closing text'],
    [{ type: 'budget', tokens: 5, cap: 3 }, 'suite/interventions/0/cap: unknown field; expected one of type, label, tokens, close, answerTokens'],
    [{ type: 'nope' }, 'suite/interventions/0/type: expected one of baseline, budget, earlyExit'],
    [42, 'suite/interventions/0: expected an object'],
    [{ type: 'injectReflection', at: 3, fraction: 0.5 }, 'suite/interventions/0: expected exactly one of at (token), fraction (0..1) or paragraphs: true'],
    [{ type: 'injectReflection' }, 'suite/interventions/0: expected exactly one of at (token), fraction (0..1) or paragraphs: true'],
    [{ type: 'injectReflection', paragraphs: false }, 'suite/interventions/0/paragraphs: expected true'],
    [{ type: 'earlyExit', method: 'magic' }, 'suite/interventions/0/method: expected deer or dynasor, got string "magic"'],
    [{ type: 'earlyExit', every: 5 }, 'suite/interventions/0/every: unknown field; expected one of type, label, method, threshold, words'],
    [{ type: 'earlyExit', method: 'dynasor', threshold: 0.9 }, 'suite/interventions/0/threshold: unknown field; expected one of type, label, method, every, window'],
    [{ type: 'earlyExit', threshold: 2 }, 'suite/interventions/0/threshold: expected a number >= 0 and <= 1, got number 2'],
    [{ type: 'probes', every: 10, at: [0.5] }, 'suite/interventions/0: expected exactly one of every (tokens), at (fractions) or words: true'],
    [{ type: 'probes', every: 10, on: { type: 'probes', every: 5 } }, 'suite/interventions/0/on/type: expected one of'],
    [{ type: 'probes', every: 10, on: { type: 'budget' } }, 'suite/interventions/0/on/tokens: missing'],
    [{ type: 'probes', every: 10, on: { type: 'budget', tokens: 0 } }, 'suite/interventions/0/on/tokens: expected a whole number of thinking tokens >= 1, got number 0'],
    [{ type: 'suppressReflection', words: [] }, 'suite/interventions/0/words: expected a non-empty array of words'],
    [{ type: 'user', name: 'x', params: {} }, "suite/interventions/0/type: 'user' is an intervention loaded from a module"],
  ];

  it.each(bad)('rejects %j with one clear line', (spec, message) => {
    let error: unknown;
    try {
      interventionFromSpec(spec, 'suite/interventions/0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
