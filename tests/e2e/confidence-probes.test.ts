import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OllamaBackend } from '../../src/backends/ollama.ts';
import { DEER_TRIAL_SUFFIX, RAML_SUFFIX, sampledConfidence, selfConfidence, UNTRUNCATED_SAMPLING } from '../../src/confidence/index.ts';
import { equivalentSync } from '../../src/grading/index.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { SimModel } from '../../src/sim/model/types.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { MODEL, sampleTrace, startSimStack } from './confidence-helpers.ts';

/** Sampled confidence and DEER self-confidence through the real stack, checked against the simulator's truth. */

let server: SimServer;
let backend: OllamaBackend;
let model: SimModel;

beforeAll(async () => {
  ({ server, backend, model } = await startSimStack());
});
afterAll(async () => {
  await server?.close();
});

const grade = (gold: string, pred: string): boolean => equivalentSync(gold, pred) === true;

async function traceOf(family: (typeof families)[number], seed: number, difficulty: number) {
  const template = chatmlQwq();
  const problem = generateProblem(family, seed, difficulty);
  const prompt = template.render({ question: problem.question });
  const out = await sampleTrace(backend, prompt, { seed, maxTokens: 8000, stop: [template.thinkClose] });
  return { problem, prompt, tokens: out.tokens.map((t) => t.text) };
}

describe('self-confidence (DEER)', () => {
  it('is the mean probability of the greedy trial answer tokens, exactly as the model gives them', async () => {
    let checked = 0;
    for (const [i, family] of families.entries()) {
      const { problem, prompt, tokens } = await traceOf(family, 20 + i, 3);
      for (const k of [0, Math.round(tokens.length / 2), tokens.length]) {
        const prefix = prompt + tokens.slice(0, k).join('');
        const result = await selfConfidence({ backend, model: MODEL, prefix, maxAnswerTokens: 24 });
        expect(result.requests).toBe(1);
        expect(result.answer, problem.id).not.toBeNull();
        // The answer tokens' probabilities are the model's own, teacher-forced on what it wrote.
        const truth = model.logprobOf(prefix + DEER_TRIAL_SUFFIX, result.text);
        const written = result.tokens.map((t) => t.text).join('');
        expect(`{${result.answer}}`.includes(written) || written.includes(result.answer!)).toBe(true);
        expect(truth.tokens.map((t) => t.token).join('')).toBe(result.text);
        const from = truth.tokens.findIndex((t) => t.token === result.tokens[0]!.text);
        result.tokens.forEach((t, j) => {
          expect(t.text).toBe(truth.tokens[from + j]!.token);
          expect(t.logprob).toBeCloseTo(truth.tokens[from + j]!.logprob, 9);
        });
        const expected = result.tokens.reduce((s, t) => s + Math.exp(t.logprob), 0) / result.tokens.length;
        expect(result.confidence).toBeCloseTo(expected, 12);
        expect(result.confidence!).toBeGreaterThan(0);
        expect(result.confidence!).toBeLessThanOrEqual(1);
        checked++;
      }
    }
    expect(checked).toBe(9);
  });

  it('rises along correct traces: at the end it beats the start on most problems', async () => {
    let rose = 0;
    let total = 0;
    for (let seed = 30; seed < 36; seed++) {
      const family = families[seed % families.length]!;
      const { problem, prompt, tokens } = await traceOf(family, seed, 2);
      const start = await selfConfidence({ backend, model: MODEL, prefix: prompt, maxAnswerTokens: 24 });
      const end = await selfConfidence({ backend, model: MODEL, prefix: prompt + tokens.join(''), maxAnswerTokens: 24 });
      if (end.answer === null || !grade(problem.answer, end.answer)) continue;
      total++;
      if (end.confidence! > start.confidence!) rose++;
    }
    expect(total).toBeGreaterThanOrEqual(4);
    expect(rose / total).toBeGreaterThanOrEqual(0.75);
  });

  it('rejects a bad token limit with one clear line', async () => {
    await expect(selfConfidence({ backend, model: MODEL, prefix: 'x', maxAnswerTokens: 0 })).rejects.toThrow(
      'self-confidence: maxAnswerTokens: a whole number >= 1 (got 0)',
    );
  });
});

describe('sampled confidence', () => {
  it('the share of correct samples estimates the model probability of the right answer', async () => {
    const { problem, prompt, tokens } = await traceOf('word-problem', 41, 3);
    const samples = 60;
    // Probe where the model is unsure (truth p of the right answer near 0.3 and near 0.7), where a share could miss.
    const truthP = (k: number): number => Math.exp(model.logprobOf(prompt + tokens.slice(0, k).join('') + RAML_SUFFIX, `${problem.answer}}`).logprob);
    const candidates = Array.from({ length: 41 }, (_, i) => Math.round((i / 40) * tokens.length)).map((k) => ({ k, p: truthP(k) }));
    const nearest = (target: number) => candidates.reduce((a, b) => (Math.abs(b.p - target) < Math.abs(a.p - target) ? b : a));
    const picked = [nearest(0.3), nearest(0.7)];
    for (const { p } of picked) expect(p > 0.1 && p < 0.9).toBe(true);
    for (const { k } of picked) {
      const prefix = prompt + tokens.slice(0, k).join('');
      const result = await sampledConfidence({
        backend,
        model: MODEL,
        prefix,
        gold: problem.answer,
        samples,
        grade,
        sampling: UNTRUNCATED_SAMPLING,
        seed: 1000,
      });
      expect(result.answers).toHaveLength(samples);
      expect(result.requests).toBe(samples);
      for (const a of result.answers) expect(a.correct).toBe(a.answer !== null && grade(problem.answer, a.answer));
      expect(result.share).toBe(result.answers.filter((a) => a.correct).length / samples);
      // With untruncated sampling each sample is right with the model's probability of `gold}` (binomial, 4 sigma).
      const p = Math.exp(model.logprobOf(prefix + RAML_SUFFIX, `${problem.answer}}`).logprob);
      const sigma = Math.sqrt((p * (1 - p)) / samples);
      expect(Math.abs(result.share - p), `k=${k} p=${p}`).toBeLessThanOrEqual(4 * sigma + 0.05);
    }
  });

  it('different seeds give different samples, the same seed the same ones', async () => {
    const { problem, prompt, tokens } = await traceOf('word-problem', 42, 3);
    const prefix = prompt + tokens.slice(0, Math.round(tokens.length / 4)).join('');
    const a = await sampledConfidence({ backend, model: MODEL, prefix, gold: problem.answer, samples: 12, grade, sampling: UNTRUNCATED_SAMPLING });
    const b = await sampledConfidence({ backend, model: MODEL, prefix, gold: problem.answer, samples: 12, grade, sampling: UNTRUNCATED_SAMPLING });
    expect(b.answers).toEqual(a.answers);
    expect(new Set(a.answers.map((x) => x.seed)).size).toBe(12);
  });
});
