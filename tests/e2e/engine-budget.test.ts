/**
 * Exact budgets, as a property over budgets and generated problems, against the simulator's HTTP
 * server: recorded thinking tokens <= budget, and == budget when the cap fired; a budget the
 * trace never reached leaves the baseline untouched.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { RunningServer } from '../../src/sim/server/server.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { startEngineToySim } from './engine-toy-model.ts';
import { ollamaAt, runToy } from './engine-helpers.ts';

let sim: RunningServer;
beforeAll(async () => {
  sim = await startEngineToySim({ parallel: 2 });
});
afterAll(async () => {
  await sim?.close();
});

describe('exact budgets (property)', () => {
  it('thinking tokens <= budget, == budget when the cap fired, baseline when not reached', async () => {
    const backend = ollamaAt(sim.url);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...families),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 60, max: 400 }),
        async (family, problemSeed, difficulty, budgets, seed, maxThinking) => {
          const problem = generateProblem(family, problemSeed, difficulty);
          const out = await runToy(backend, openStore(':memory:'), {
            specs: [{ type: 'baseline' }, ...budgets.map((tokens) => ({ type: 'budget', tokens }))],
            problems: [problem],
            sampling: { temperature: 0.6, topP: 0.95, topK: 40 },
            maxThinkingTokens: maxThinking,
            answerTokens: 8,
            runId: `p-${seed}`,
          });
          const base = out.results.find((r) => r.intervention.type === 'baseline');
          expect(base).toBeDefined();
          expect(base!.counts.thinking).toBeLessThanOrEqual(maxThinking);
          if (base!.capFired) expect(base!.counts.thinking).toBe(maxThinking);
          for (const r of out.results.filter((x) => x.intervention.type === 'budget')) {
            const budget = r.intervention.params.tokens as number;
            expect(r.counts.thinking).toBeLessThanOrEqual(Math.min(budget, maxThinking));
            if (r.capFired) expect(r.counts.thinking).toBe(Math.min(r.cap ?? -1, maxThinking));
            if (r.capFired && budget <= maxThinking) expect(r.counts.thinking).toBe(budget);
            if (!r.capFired) expect(r.trace).toEqual(base!.trace);
            // The cap fires exactly when the natural thinking reached the budget.
            if (!base!.capFired) expect(r.capFired).toBe(base!.counts.thinking >= budget);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
