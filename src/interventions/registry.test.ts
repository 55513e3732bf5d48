import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaBackend } from '../backends/ollama.ts';
import { InputError } from '../core/errors.ts';
import { validator } from '../core/validate.ts';
import { runPlan } from '../engine/index.ts';
import { startSimServer, type SimServer } from '../sim/server/index.ts';
import { openStore } from '../store/sqlite-store.ts';
import { suiteSchemaWith } from '../suite/schema/suite.ts';
import { chatmlQwq } from '../templates/index.ts';
import * as plusOne from '../../tests/fixtures/interventions/builtins-plus.ts';
import { createRegistry, INTERVENTION_TYPES, interventionFromSpec, type InterventionDefinition } from './index.ts';

/** Adding an intervention is one file plus one line: a registry over the built-in list plus one fixture file. */
const registry = createRegistry(plusOne as unknown as Record<string, InterventionDefinition>);

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('a registry over the built-ins plus one fixture file', () => {
  it("is the file CONTRIBUTING.md shows (its imports from the fixture's folder)", () => {
    const doc = readFileSync(new URL('../../CONTRIBUTING.md', import.meta.url), 'utf8');
    const shown = /```ts\n\/\/ src\/interventions\/halfBudget\.ts\n([\s\S]*?)```/.exec(doc)?.[1];
    const fixture = readFileSync(new URL('../../tests/fixtures/interventions/halfBudget.ts', import.meta.url), 'utf8');
    expect(shown?.replaceAll("from '../", "from '../../../src/")).toBe(fixture);
    expect(doc).toContain("```ts\nexport * as halfBudget from './halfBudget.ts';\n```");
  });

  it('knows the new type beside every built-in', () => {
    expect(registry.types).toEqual([...INTERVENTION_TYPES, 'halfBudget'].sort());
    expect(INTERVENTION_TYPES).toEqual([...INTERVENTION_TYPES].sort());
    expect(INTERVENTION_TYPES).not.toContain('halfBudget');
  });

  it('builds it from its spec, labelled by its describe, with params that rebuild it', () => {
    const iv = registry.fromSpec({ type: 'halfBudget', tokens: 100 }, '/interventions/0');
    expect(iv.describe()).toBe('halfBudget(100)');
    expect(registry.fromSpec(JSON.parse(JSON.stringify(iv.params))).describe()).toBe('halfBudget(100)');
    // The built-ins are unchanged in the new registry.
    expect(registry.fromSpec({ type: 'budget', tokens: 7 }).describe()).toBe(interventionFromSpec({ type: 'budget', tokens: 7 }).describe());
  });

  it('its schema is the only parser of its parameters: errors name the field', () => {
    expect(thrown(() => registry.fromSpec({ type: 'halfBudget', tokens: 0 }, '/interventions/3'))).toBe(
      '/interventions/3/tokens: expected a whole number of thinking tokens >= 1, got number 0',
    );
    expect(thrown(() => registry.fromSpec({ type: 'halfBudget' }, '/interventions/3'))).toContain('/interventions/3/tokens: missing');
    expect(thrown(() => registry.fromSpec({ type: 'halfBudget', tokens: 4, half: true }, 'x'))).toBe('x/half: unknown field; expected one of type, label, tokens');
    expect(() => interventionFromSpec({ type: 'halfBudget', tokens: 4 })).toThrow('/type: expected one of');
  });

  it('the suite schema assembled from the registry takes it, and nests it under probes', () => {
    const validate = validator<{ interventions: unknown[] }>(suiteSchemaWith(registry.itemSchema()));
    const suite = { name: 's', problems: [{ id: 'a', question: 'q', answer: '1' }] };
    const ok = validate({ ...suite, interventions: [{ type: 'halfBudget', tokens: 8 }, { type: 'probes', every: 4, on: { type: 'halfBudget', tokens: 8 } }] }, 's.yaml');
    expect(ok.interventions).toHaveLength(2);
    expect(() => validate({ ...suite, interventions: [{ type: 'baseline' }, { type: 'halfBudget', tokens: -1 }] }, 's.yaml')).toThrow(
      's.yaml: /interventions/1/tokens: expected a whole number of thinking tokens >= 1, got number -1',
    );
  });

  describe('runs on the simulator', () => {
    let sim: SimServer;
    beforeAll(async () => {
      sim = await startSimServer({ port: 0, parallel: 1 });
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('caps the thinking at half its tokens', async () => {
      const backend = new OllamaBackend({ host: sim.url, numCtx: 8192 });
      const outcome = await runPlan({
        backend,
        store: openStore(':memory:'),
        model: 'sim-fast',
        template: chatmlQwq(),
        problems: [{ id: 'p', question: 'What is 12 + 30?', answer: '42' }],
        interventions: [registry.fromSpec('baseline'), registry.fromSpec({ type: 'halfBudget', tokens: 40 })],
        runId: 'r',
        maxThinkingTokens: 2000,
        answerTokens: 64,
      });
      const base = outcome.results.find((r) => r.intervention.label === 'baseline');
      const half = outcome.results.find((r) => r.intervention.label === 'halfBudget(40)');
      expect(base?.counts.thinking).toBeGreaterThan(20);
      expect(half?.capFired).toBe(true);
      expect(half?.counts.thinking).toBe(20);
    });
  });
});
