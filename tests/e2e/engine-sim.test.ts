/**
 * The engine against the real simulator (sim-qwq behind its Ollama-compatible HTTP server): the
 * interventions do what they say on a model whose confidence, reflection words and answers are
 * the simulator's, rows are graded by src/grading, and budgets are exact (property over budgets
 * and generated problems).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import { atReflections } from '../../src/confidence/positions.ts';
import { runPlan, RAML_SAMPLING, type RunOutcome } from '../../src/engine/index.ts';
import { createGrader, type Grader } from '../../src/grading/index.ts';
import { interventionFromSpec } from '../../src/interventions/index.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { FAST_RETRY } from './engine-helpers.ts';

const MODEL = 'sim-fast';
let sim: SimServer;
let grader: Grader;
let outcome: RunOutcome;
const problems = [0, 1, 2, 3].map((i) => generateProblem(families[i % families.length]!, 500 + i, 2 + (i % 2)));
const specs = [
  { type: 'baseline' },
  { type: 'noThinking' },
  { type: 'budget', tokens: 64 },
  { type: 'extend', times: 1 },
  { type: 'probes', every: 64 },
  { type: 'earlyExit', method: 'deer' },
  { type: 'suppressReflection' },
];

const backendFor = (url: string) => new OllamaBackend({ host: url, numCtx: 8192, retry: FAST_RETRY, preflightRetry: FAST_RETRY });

beforeAll(async () => {
  sim = await startSimServer({ port: 0, parallel: 2 });
  grader = createGrader({ workers: 1 });
  outcome = await runPlan({
    backend: backendFor(sim.url),
    store: openStore(':memory:'),
    model: MODEL,
    template: chatmlQwq(),
    problems,
    interventions: specs.map((s) => interventionFromSpec(s)),
    runId: 'sim',
    sampling: RAML_SAMPLING,
    concurrency: 2,
    maxThinkingTokens: 3000,
    answerTokens: 200,
    grader,
  });
});
afterAll(async () => {
  await grader?.close();
  await sim?.close();
});

const rowsOf = (label: string) => outcome.results.filter((r) => r.intervention.label === label);
const base = (problemId: string) => outcome.results.find((r) => r.problemId === problemId && r.intervention.type === 'baseline')!;

describe('engine on the simulator', () => {
  it('baseline: thinks, closes, answers; graded against the reference', () => {
    const rows = rowsOf('baseline');
    expect(rows).toHaveLength(problems.length);
    for (const r of rows) {
      expect(r.counts.thinking).toBeGreaterThan(20);
      expect(r.extracted).not.toBeNull();
      expect(typeof r.correct).toBe('boolean');
    }
    expect(rows.some((r) => r.correct)).toBe(true);
  });

  it('noThinking answers with no thinking; budget caps exactly and the model answers after the close', () => {
    for (const r of rowsOf('noThinking')) {
      expect(r.counts.thinking).toBe(0);
      expect(r.counts.answer).toBeGreaterThan(0);
    }
    for (const r of rowsOf('budget(64)')) {
      const b = base(r.problemId);
      expect(r.capFired).toBe(b.counts.thinking >= 64);
      if (r.capFired) {
        expect(r.counts.thinking).toBe(64);
        expect(r.counts.answer).toBeGreaterThan(0);
      } else expect(r.trace).toEqual(b.trace);
    }
  });

  it('extend puts Wait where the baseline closed and the model keeps thinking', () => {
    for (const r of rowsOf('extend(x1)')) {
      const b = base(r.problemId);
      expect(r.injections[0]).toMatchObject({ position: b.counts.thinking, text: 'Wait' });
      expect(r.thinking.startsWith(b.thinking.trimEnd())).toBe(true);
      expect(r.counts.thinking).toBeGreaterThan(b.counts.thinking);
    }
  });

  it('probes sit every 64 thinking tokens with an answer and its probability; DEER probes before reflection words', () => {
    for (const r of rowsOf('probes(every=64)')) {
      const b = base(r.problemId);
      expect(r.probes.map((p) => p.position)).toEqual(Array.from({ length: Math.ceil(b.counts.thinking / 64) - 1 }, (_, i) => 64 * (i + 1)));
      for (const p of r.probes) {
        expect(p.meanProb).toBeGreaterThan(0);
        expect(p.meanProb).toBeLessThanOrEqual(1);
        if (p.answer !== undefined) expect(typeof p.correct).toBe('boolean');
      }
    }
    for (const r of rowsOf('earlyExit(deer,0.95)')) {
      const b = base(r.problemId);
      const generated = b.trace[1];
      expect(generated?.kind).toBe('generated');
      const tokens = generated?.kind === 'generated' ? generated.tokens : [];
      // The trials sit right before the natural reflection phrases of the baseline's thinking, as the confidence stage finds them.
      const at = atReflections(tokens.slice(0, b.counts.thinking).map((t) => t.text));
      expect(r.probes.map((p) => p.position)).toEqual(at.slice(0, r.probes.length));
      for (const p of r.probes) expect(p.kind).toBe('deer');
      if (r.exit) expect(r.counts.thinking).toBe(r.exit.position);
    }
  });

  it('suppressReflection leaves no banned word in the thinking', () => {
    for (const r of rowsOf('suppressReflection')) expect(r.thinking).not.toMatch(/\b(Wait|wait|Hmm|hmm|Alternatively|alternatively)\b/);
  });

  it('the session spent exactly what the simulator decoded', () => {
    const stats = sim.stats();
    expect(outcome.spent.decoded).toBe(stats.decoded_tokens);
    expect(outcome.spent.requests).toBe(stats.requests);
  });

  it('exact budgets on the simulator (property over budgets and generated problems)', async () => {
    const backend = backendFor(sim.url);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...families),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 100, max: 800 }),
        async (family, problemSeed, difficulty, budgets, seed, maxThinking) => {
          const out = await runPlan({
            backend,
            store: openStore(':memory:'),
            model: MODEL,
            template: chatmlQwq(),
            problems: [generateProblem(family, problemSeed, difficulty)],
            interventions: [interventionFromSpec('baseline'), ...budgets.map((tokens) => interventionFromSpec({ type: 'budget', tokens }))],
            runId: 'prop',
            seed,
            sampling: RAML_SAMPLING,
            maxThinkingTokens: maxThinking,
            answerTokens: 8,
          });
          const b = out.results.find((r) => r.intervention.type === 'baseline')!;
          expect(b.counts.thinking).toBeLessThanOrEqual(maxThinking);
          for (const r of out.results.filter((x) => x.intervention.type === 'budget')) {
            const budget = r.intervention.params.tokens as number;
            expect(r.counts.thinking).toBeLessThanOrEqual(Math.min(budget, maxThinking));
            if (r.capFired) expect(r.counts.thinking).toBe(Math.min(budget, maxThinking));
            if (!b.capFired) expect(r.capFired).toBe(b.counts.thinking >= budget);
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
