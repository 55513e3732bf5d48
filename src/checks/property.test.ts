import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { InterventionSpec } from '../suite/schema/interventions.ts';
import { validateSuite } from '../suite/suite.ts';
import type { CheckSpec } from './registry.ts';
import { property, runCheck } from './index.ts';
import { context, rowsFor } from './fixtures.ts';
import type { Evaluate } from './types.ts';

/**
 * A planted model: the engine's evaluate() replaced by a deterministic function of the
 * intervention's parameters (a pure test of the check logic; the end-to-end property test runs
 * through `thinkprobe run` on the simulator). Budget accuracy is 0.9 from 700 tokens on, 0.5
 * below; and, the planted bug, 0.2 from 1337 tokens on.
 */
const N = 20;
function plantedAccuracy(tokens: number): number {
  if (tokens >= 1337) return 0.2;
  return tokens >= 700 ? 0.9 : 0.5;
}
function planted(calls: InterventionSpec[] = []): Evaluate {
  return async (intervention) => {
    calls.push(intervention);
    if (intervention.type !== 'budget') throw new Error(`unexpected ${intervention.type}`);
    return rowsFor(`budget-${intervention.tokens}`, N, Math.round(plantedAccuracy(intervention.tokens) * N));
  };
}
const baselineRows = rowsFor('baseline', N, 18);

describe('property()', () => {
  it('finds the planted counterexample and shrinks it to the minimal one', async () => {
    const calls: InterventionSpec[] = [];
    const check = property(
      'no collapse at large budgets',
      fc.integer({ min: 700, max: 4096 }),
      async (tokens, { evaluate, accuracy }) => accuracy(await evaluate({ type: 'budget', tokens })) >= 0.9 * accuracy('baseline'),
      { seed: 7, numRuns: 50 },
    );
    const result = await check.run(context(baselineRows, undefined, { evaluate: planted(calls) }));
    expect(result.verdict).toBe('fail');
    expect(result.counterexample).toBe(1337);
    expect(result.evidence['numShrinks']).toBeGreaterThan(0);
    expect(result.summary).toMatch(/^fails for 1337: the predicate returned false/);
    // The engine sees validated interventions, and repeats are not re-run.
    expect(calls[0]).toEqual({ type: 'budget', tokens: expect.any(Number) });
    expect(new Set(calls.map((c) => JSON.stringify(c))).size).toBe(calls.length);
    expect(result.evidence['evaluations']).toBe(calls.length);
  });

  it('is reproducible for a seed', async () => {
    const make = () =>
      property('p', fc.integer({ min: 1, max: 5000 }), async (tokens, { evaluate, accuracy }) => accuracy(await evaluate({ type: 'budget', tokens })) >= 0.45, { seed: 3 });
    const a = await make().run(context(baselineRows, undefined, { evaluate: planted() }));
    const b = await make().run(context(baselineRows, undefined, { evaluate: planted() }));
    expect(a).toEqual(b);
    expect(a.counterexample).toBe(1337);
  });

  it('passes when the property holds, and says why it failed when the predicate gives a reason', async () => {
    const holds = property('fine', fc.integer({ min: 700, max: 1336 }), async (tokens, { evaluate, accuracy }) => accuracy(await evaluate({ type: 'budget', tokens })) >= 0.9);
    const pass = await holds.run(context(baselineRows, undefined, { evaluate: planted() }));
    expect(pass.verdict).toBe('pass');
    expect(pass.evidence['numRuns']).toBe(30);
    const reasoned = property('why', fc.constantFrom('Wait', 'Hmm'), (word) => (word === 'Hmm' ? `'${word}' is banned` : true), { seed: 1 });
    const fail = await reasoned.run(context(baselineRows, undefined, { evaluate: planted() }));
    expect(fail).toMatchObject({ verdict: 'fail', counterexample: 'Hmm', evidence: { reason: "'Hmm' is banned" } });
  });

  it('reports a crash as an error, not a failure, and skips without an engine', async () => {
    const crashes = property('crash', fc.integer({ min: 0, max: 10 }), async (tokens, { evaluate }) => {
      await evaluate({ type: 'budget', tokens }); // tokens 0 is not a valid budget
      return true;
    }, { seed: 1 });
    const error = await crashes.run(context(baselineRows, undefined, { evaluate: planted() }));
    expect(error.verdict).toBe('error');
    expect(error.counterexample).toBe(0);
    expect(error.summary).toContain('/tokens: expected a whole number of thinking tokens >= 1, got number 0');
    expect((await crashes.run(context(baselineRows))).verdict).toBe('skipped');
  });
});

describe('the declarative property of JSON/YAML suites', () => {
  function spec(towards: 'min' | 'max'): CheckSpec {
    const suite = validateSuite(
      {
        name: 't',
        problems: [{ id: 'a', question: 'q', answer: 1 }],
        checks: [{ type: 'property', intervention: { type: 'budget' }, vary: { param: 'tokens', min: 64, max: 1336 }, minRatio: 0.9, towards, seed: 11 }],
      },
      'suite.yaml',
    );
    return suite.checks[0] as CheckSpec;
  }
  it('shrinks toward the largest failing budget: where accuracy falls below 90% of baseline', async () => {
    const result = await runCheck(spec('max'), context(baselineRows, undefined, { evaluate: planted() }));
    expect(result.verdict).toBe('fail');
    expect(result.counterexample).toBe(699);
    expect(result.summary).toContain('tokens=699: accuracy 0.500 < 0.9 x 0.900 (baseline)');
    expect(result.name).toBe('property(budget.tokens in [64, 1336]: accuracy >= 0.9 x baseline)');
  });
  it('or toward the smallest', async () => {
    const result = await runCheck(spec('min'), context(baselineRows, undefined, { evaluate: planted() }));
    expect(result.counterexample).toBe(64);
  });
});
