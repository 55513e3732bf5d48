/**
 * Every intervention end to end: the real Ollama backend over HTTP against the simulator's server
 * (with the toy thinking model), a real SQLite store. For each: what was injected, where, and that
 * the model's continuation follows it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/sim/server/server.ts';
import type { Result, StoredSegment } from '../../src/core/model.ts';
import type { RunOutcome } from '../../src/engine/index.ts';
import { RAML_STOP_PHRASE } from '../../src/interventions/index.ts';
import { openStore } from '../../src/store/sqlite-store.ts';
import { selfConfidence } from '../../src/confidence/self-confidence.ts';
import { startEngineToySim, TOY_MODEL } from './engine-toy-model.ts';
import { ollamaAt, runToy, toyProblems } from './engine-helpers.ts';

const specs = [
  { type: 'baseline' },
  { type: 'noThinking' },
  { type: 'stopPhrase' },
  { type: 'stopInstruction' },
  { type: 'softBudget', tokens: 100 },
  { type: 'budget', tokens: 24 },
  { type: 'budget', tokens: 5000 },
  { type: 'budget', tokens: 30, close: 'qwen3', answerTokens: 5 },
  { type: 'extend', times: 1 },
  { type: 'extend', times: 2 },
  { type: 'extend', times: 3, budget: 120 },
  { type: 'injectReflection', at: 20 },
  { type: 'injectReflection', fraction: 0.5, word: 'Hmm' },
  { type: 'injectReflection', paragraphs: true, max: 2 },
  { type: 'suppressReflection' },
  { type: 'earlyExit', method: 'deer', threshold: 0.8 },
  { type: 'earlyExit', method: 'dynasor', every: 16, window: 2 },
  { type: 'probes', every: 32 },
  { type: 'probes', at: [0.5], on: { type: 'extend', times: 1 } },
];

let sim: RunningServer;
let outcome: RunOutcome;
const problems = toyProblems(3);

beforeAll(async () => {
  sim = await startEngineToySim({ parallel: 2 });
  outcome = await runToy(ollamaAt(sim.url), openStore(':memory:'), { specs, problems, concurrency: 2, maxThinkingTokens: 1000 });
});
afterAll(async () => {
  await sim?.close();
});

function rows(label: string): Result[] {
  const found = outcome.results.filter((r) => r.intervention.label === label);
  expect(found).toHaveLength(problems.length);
  return found;
}
function row(label: string, problemId: string): Result {
  const r = outcome.results.find((x) => x.intervention.label === label && x.problemId === problemId);
  expect(r).toBeDefined();
  return r as Result;
}
const generatedAfter = (trace: StoredSegment[], i: number) => trace.slice(i + 1).some((s) => s.kind === 'generated' && s.text.length > 0);
const injectedIndex = (trace: StoredSegment[], label: string) => trace.findIndex((s) => s.kind === 'injected' && s.label === label);
const thinkingTokensBefore = (trace: StoredSegment[], i: number) =>
  trace.slice(0, i).reduce((n, s) => n + (s.kind === 'generated' ? s.tokens.length : 0), 0);

describe('interventions end to end', () => {
  it('writes one result per problem x intervention, keyed problem|label|sample', () => {
    expect(outcome.status).toBe('completed');
    expect(outcome.results).toHaveLength(problems.length * specs.length);
    expect(new Set(outcome.results.map((r) => r.key)).size).toBe(outcome.results.length);
    expect(outcome.results[0]?.key).toMatch(/^toy-\d\|.+\|0$/);
  });

  it('baseline: the model thinks, closes its thinking and answers', () => {
    for (const r of rows('baseline')) {
      expect(r.trace.map((s) => s.kind)).toEqual(['prompt', 'generated']);
      expect(r.counts.thinking).toBeGreaterThan(40);
      expect(r.capFired).toBe(false);
      expect(r.answer).toContain('\\boxed{42}');
    }
  });

  it('noThinking: the close is prefilled right after the prompt; ~0 thinking tokens, then an answer', () => {
    for (const r of rows('noThinking')) {
      expect(r.trace[1]).toMatchObject({ kind: 'injected', label: 'noThinking', text: 'Okay, I think I have finished thinking.\n</think>\n\n' });
      expect(r.counts.thinking).toBe(0);
      expect(r.counts.answer).toBeGreaterThan(3);
      expect(r.answer).toContain('\\boxed{');
    }
  });

  it('stopPhrase: RaML phrase right after the thinking opens, then the model continues and answers', () => {
    for (const r of rows('stopPhrase')) {
      expect(r.trace[0]?.text.endsWith('<think>\n')).toBe(true);
      expect(r.trace[1]).toMatchObject({ kind: 'injected', label: 'stopPhrase', text: RAML_STOP_PHRASE });
      expect(generatedAfter(r.trace, 1)).toBe(true);
      expect(r.answer).toContain('\\boxed{');
    }
  });

  it('stopInstruction and softBudget: their own trunk, with the text in the user turn', () => {
    for (const r of rows('stopInstruction')) expect(r.trace[0]?.text).toContain(' /no_think<|im_end|>');
    for (const r of rows('softBudget(100)')) expect(r.trace[0]?.text).toContain('\n\nThink for maximum 100 tokens.<|im_end|>');
    const base = row('baseline', 'toy-0');
    expect(row('stopInstruction', 'toy-0').tree).not.toBe(base.tree);
    expect(row('budget(24)', 'toy-0').tree).toBe(base.tree);
  });

  it('budget: exactly N thinking tokens, then the close string, then the model answers', () => {
    for (const r of rows('budget(24)')) {
      const i = injectedIndex(r.trace, 'budget');
      expect(i).toBe(2);
      expect(thinkingTokensBefore(r.trace, i)).toBe(24);
      expect(r.trace[i]?.text).toBe('\n</think>\n\nFinal Answer:');
      expect(r.counts.thinking).toBe(24);
      expect(r.capFired).toBe(true);
      expect(r.cap).toBe(24);
      expect(generatedAfter(r.trace, i)).toBe(true);
      // The capped thinking is the baseline's own first 24 tokens.
      const base = row('baseline', r.problemId);
      expect(base.thinking.startsWith(r.thinking.replace(/\n$/, ''))).toBe(true);
    }
    for (const r of rows('budget(30,qwen3,answer=5)')) {
      expect(r.trace[injectedIndex(r.trace, 'budget')]?.text).toContain('Considering the limited time by the user');
      expect(r.counts.answer).toBeLessThanOrEqual(5);
    }
  });

  it('budget above the natural length is the baseline result, with no new work', () => {
    for (const r of rows('budget(5000)')) {
      const base = row('baseline', r.problemId);
      expect(r.trace).toEqual(base.trace);
      expect(r.capFired).toBe(false);
    }
    const cost = outcome.perIntervention.find((c) => c.label === 'budget(5000)');
    const baseCost = outcome.perIntervention.find((c) => c.label === 'baseline');
    expect(cost?.alone).toEqual(baseCost?.alone);
  });

  it('extend: the close is dropped, Wait sits where it was, the model continues, x2 builds on x1', () => {
    for (const r of rows('extend(x1)')) {
      const base = row('baseline', r.problemId);
      const i = injectedIndex(r.trace, 'extend');
      expect(r.trace[i]?.text).toBe('Wait');
      expect(r.injections[0]?.position).toBe(base.counts.thinking);
      // Everything before the Wait is the baseline's thinking, without the close.
      expect(r.thinking.startsWith(base.thinking)).toBe(true);
      expect(r.thinking.slice(base.thinking.length, base.thinking.length + 4)).toBe('Wait');
      expect(r.counts.thinking).toBeGreaterThan(base.counts.thinking);
      expect(generatedAfter(r.trace, i)).toBe(true);
      expect(r.answer).toContain('\\boxed{');
      const x2 = row('extend(x2)', r.problemId);
      expect(x2.injections).toHaveLength(2);
      expect(x2.injections[0]).toEqual(r.injections[0]);
      expect(x2.injections[1]?.position).toBe(r.counts.thinking);
      expect(x2.thinking.startsWith(r.thinking)).toBe(true);
    }
  });

  it('extend within a total budget never thinks past it, and caps exactly at it', () => {
    for (const r of rows('extend(x3,budget=120)')) {
      expect(r.counts.thinking).toBeLessThanOrEqual(120);
      if (r.capFired) expect(r.counts.thinking).toBe(120);
      for (const i of r.injections) expect(i.position).toBeLessThan(120);
    }
  });

  it('injectReflection: the word at token k / at a fraction / at paragraph breaks, then the model continues', () => {
    for (const r of rows('injectReflection(at=20)')) {
      const i = injectedIndex(r.trace, 'injectReflection');
      expect(thinkingTokensBefore(r.trace, i)).toBe(20);
      // Separated from the word before it when that word ends in a letter, digit or punctuation.
      expect(r.trace[i]?.text).toMatch(/^ ?Wait$/);
      expect(generatedAfter(r.trace, i)).toBe(true);
    }
    for (const r of rows('injectReflection("Hmm",fraction=0.5)')) {
      const base = row('baseline', r.problemId);
      expect(r.injections[0]?.position).toBe(Math.round(base.counts.thinking * 0.5));
      expect(r.injections[0]?.text).toMatch(/^ ?Hmm$/);
    }
    for (const r of rows('injectReflection(paragraphs)')) {
      expect(r.injections.length).toBeGreaterThan(0);
      expect(r.injections.length).toBeLessThanOrEqual(2);
      for (const [n, seg] of r.trace.entries()) {
        if (seg.kind === 'injected') expect(r.trace[n - 1]?.text.endsWith('\n\n')).toBe(true);
      }
    }
  });

  it('suppressReflection: no Wait left in the thinking; each ban took the best allowed alternative', () => {
    let subs = 0;
    for (const r of rows('suppressReflection')) {
      expect(r.thinking).not.toMatch(/Wait/);
      subs += r.substitutions.length;
      for (const s of r.substitutions) {
        expect(s.banned.trim()).toBe('Wait');
        expect(s.chosen.trim()).not.toBe('Wait');
      }
      expect(r.answer).toContain('\\boxed{');
    }
    expect(subs).toBeGreaterThan(0);
  });

  it('earlyExit (DEER): trial answers at natural Waits; exits above the threshold; the thinking ends there', () => {
    for (const r of rows('earlyExit(deer,0.8)')) {
      const base = row('baseline', r.problemId);
      expect(r.probes.length).toBeGreaterThan(0);
      for (const p of r.probes) {
        expect(p.kind).toBe('deer');
        // Each trial sits right before a natural "Wait" of the trunk.
        expect(base.thinking.split('').length).toBeGreaterThan(p.position);
      }
      if (r.exit) {
        expect(r.exit.confidence).toBeGreaterThan(0.8);
        expect(r.counts.thinking).toBe(r.exit.position);
        expect(r.probes[r.probes.length - 1]?.position).toBe(r.exit.position);
        expect(r.answer).toContain('\\boxed{');
      } else {
        expect(r.trace).toEqual(base.trace);
      }
    }
    expect(rows('earlyExit(deer,0.8)').some((r) => r.exit)).toBe(true);
  });

  it('earlyExit (DEER): a trial\'s confidence is the confidence stage\'s self-confidence at the same point', async () => {
    // Its own server, so the session's cost test below still sees only the run's requests.
    const other = await startEngineToySim({ parallel: 1 });
    const backend = ollamaAt(other.url);
    let compared = 0;
    try {
      for (const r of rows('earlyExit(deer,0.8)')) {
        const base = row('baseline', r.problemId);
        const prompt = base.trace[0]?.text ?? '';
        const generated = base.trace[1];
        const tokens = generated?.kind === 'generated' ? generated.tokens : [];
        for (const p of r.probes) {
          const prefix = prompt + tokens.slice(0, p.position).map((t) => t.text).join('');
          const own = await selfConfidence({ backend, model: TOY_MODEL, prefix, maxAnswerTokens: 24 });
          expect(p.answer).toBe(own.answer ?? undefined);
          expect(p.meanProb).toBeCloseTo(own.confidence ?? 0, 9);
          compared++;
        }
      }
    } finally {
      await other.close();
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('earlyExit (Dynasor): probes every T tokens; exits when the last W answers agree', () => {
    for (const r of rows('earlyExit(dynasor,every=16,window=2)')) {
      expect(r.probes.map((p) => p.position)).toEqual(r.probes.map((_, i) => 16 * (i + 1)));
      if (r.exit) {
        const last = r.probes.slice(-2);
        expect(last[0]?.answer).toBe(last[1]?.answer);
        expect(r.counts.thinking).toBe(r.exit.position);
      }
    }
  });

  it('probes: every N tokens along the baseline, with a sampled answer and its mean probability', () => {
    for (const r of rows('probes(every=32)')) {
      const base = row('baseline', r.problemId);
      expect(r.trace).toEqual(base.trace);
      const expected = [];
      for (let k = 32; k < base.counts.thinking; k += 32) expected.push(k);
      expect(r.probes.map((p) => p.position)).toEqual(expected);
      for (const p of r.probes) {
        expect(p.answer).toMatch(/^4[12]$/);
        expect(p.meanProb).toBeGreaterThan(0);
        expect(p.meanProb).toBeLessThanOrEqual(1);
      }
      // The toy's confidence rises along its trace.
      expect(r.probes[r.probes.length - 1]!.meanProb).toBeGreaterThan(r.probes[0]!.meanProb);
    }
    for (const r of rows('probes(at=0.5,on=extend(x1))')) {
      const ext = row('extend(x1)', r.problemId);
      expect(r.trace).toEqual(ext.trace);
      expect(r.probes.map((p) => p.position)).toEqual([Math.round(ext.counts.thinking * 0.5)]);
    }
  });

  it('cost: the session spent what the server decoded; the tree is far below the as-if-alone sum and near the minimum', () => {
    const stats = sim.stats();
    expect(outcome.spent.decoded).toBe(stats.decoded_tokens);
    expect(outcome.spent.requests).toBe(stats.requests);
    const tree = outcome.spent.newPrefill + outcome.spent.decoded;
    const alone = outcome.alone.prefill + outcome.alone.decoded;
    const min = outcome.minimal.prefill + outcome.minimal.decoded;
    expect(tree).toBeLessThan(alone);
    expect(tree).toBeGreaterThanOrEqual(min * 0.9);
    for (const r of outcome.results) {
      expect(r.cost.alone.decoded).toBeGreaterThanOrEqual(r.counts.generated);
      expect(r.cost.tree.total).toBeGreaterThanOrEqual(0);
    }
    const attributed = outcome.results.reduce((s, r) => s + r.cost.tree.decoded, 0);
    expect(attributed).toBeCloseTo(outcome.spent.decoded, 0);
  });
});
