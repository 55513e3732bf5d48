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
    [{ type: 'budget' }, 'suite/interventions/0.tokens: required: expected an integer'],
    [{ type: 'budget', tokens: -1 }, 'suite/interventions/0.tokens: expected an integer >= 1, got -1'],
    [{ type: 'budget', tokens: 5, cap: 3 }, 'suite/interventions/0.cap: unknown parameter; expected one of tokens, close, answerTokens'],
    [{ type: 'nope' }, 'suite/interventions/0.type: expected one of'],
    [42, 'suite/interventions/0: expected an object'],
    [{ type: 'injectReflection', at: 3, fraction: 0.5 }, 'needs exactly one of'],
    [{ type: 'earlyExit', method: 'magic' }, 'suite/interventions/0.method: expected "deer" or "dynasor"'],
    [{ type: 'probes', every: 10, on: { type: 'probes', every: 5 } }, 'suite/interventions/0.on: probes cannot wrap probes'],
    [{ type: 'probes', every: 10, on: { type: 'budget' } }, 'suite/interventions/0.on.tokens: required'],
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
