import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { OllamaBackend } from '../../src/backends/ollama.ts';
import { DYNASOR_PROBE_SUFFIX, prefixAt, RAML_SUFFIX, teacherForcedLhat, type TeacherForcedResult } from '../../src/confidence/index.ts';
import { families, generateProblem } from '../../src/problems/families/index.ts';
import type { SimServer } from '../../src/sim/server/index.ts';
import type { SimModel } from '../../src/sim/model/types.ts';
import { chatmlQwq } from '../../src/templates/index.ts';
import { MODEL, sampleTrace, startSimStack } from './confidence-helpers.ts';

/**
 * Teacher-forced L-hat through the real stack (the official ollama client in OllamaBackend, the
 * simulator's HTTP server, its KV-cache slots) against the simulator's exact truth
 * (`model.logprobOf`), for many (problem, prefix, reference) cases, likely and unlikely references.
 */

let server: SimServer;
let backend: OllamaBackend;
let model: SimModel;

beforeAll(async () => {
  ({ server, backend, model } = await startSimStack());
});
afterAll(async () => {
  await server?.close();
});

interface Case {
  id: string;
  prefix: string;
  reference: string;
  suffix: string;
}

/** Near misses and strangers of the gold answer: some in the model's top 20, some far outside. */
function referencesFor(gold: string): string[] {
  const last = gold.at(-1)!;
  const nearMiss = /\d/.test(last) ? gold.slice(0, -1) + String((Number(last) + 1) % 10) : `${gold}1`;
  const negated = gold.startsWith('-') ? gold.slice(1) : `-${gold}`;
  return [...new Set([gold, nearMiss, negated, `${gold}0`, 'banana split', '\\frac{1}{2}'])];
}

async function buildCases(): Promise<Case[]> {
  const template = chatmlQwq();
  const cases: Case[] = [];
  for (const family of families) {
    for (const [seed, difficulty] of [[1, 1], [2, 3], [3, 5], [4, 4], [5, 2]] as const) {
      const problem = generateProblem(family, seed, difficulty);
      const prompt = template.render({ question: problem.question });
      const trace = await sampleTrace(backend, prompt, { seed, maxTokens: 6000, stop: ['</think>'] });
      const tokens = trace.tokens.map((t) => t.text);
      for (const k of [0, Math.round(tokens.length / 3), tokens.length]) {
        for (const reference of referencesFor(problem.answer)) {
          cases.push({ id: `${problem.id}@${k}:${reference}`, prefix: prefixAt(prompt, tokens, k), reference, suffix: RAML_SUFFIX });
        }
      }
    }
  }
  return cases;
}

function checkAgainstTruth(c: Case, result: TeacherForcedResult, verify: boolean | 'auto'): 'complete' | 'bounded' {
  const truth = model.logprobOf(c.prefix + c.suffix, c.reference);
  const n = truth.tokens.length;
  // The server's prompt token counts give the reference's true token count, whenever it was counted.
  const counted = verify === true || result.bounded || (verify === 'auto' && result.tokens.length > 1);
  expect(result.referenceTokens, c.id).toBe(counted ? n : null);
  expect(result.tokenization, c.id).toBe(counted ? 'verified' : 'unchecked');
  if (result.stop === 'complete') {
    // Same tokenization as the model's own, same numbers to 1e-6.
    expect(result.tokens.map((t) => t.text), c.id).toEqual(truth.tokens.map((t) => t.token));
    result.tokens.forEach((t, i) => expect(t.logprob, `${c.id} token ${i}`).toBeCloseTo(truth.tokens[i]!.logprob, 6));
    expect(Math.abs(result.sequenceLogprob - truth.logprob), c.id).toBeLessThan(1e-6);
    expect(Math.abs(result.lhat! - -truth.logprob / n), c.id).toBeLessThan(1e-6);
    expect(result.bounded).toBe(false);
    expect(result.coveredChars).toBe(c.reference.length);
    // One request per reference token, plus the one that counts the reference's tokens.
    expect(result.requests, c.id).toBe(n + (counted ? 1 : 0));
    return 'complete';
  }
  expect(result.stop, c.id).toBe('outside-top');
  expect(result.bounded).toBe(true);
  const last = result.tokens.at(-1)!;
  expect(last.bound && last.rank === null).toBe(true);
  expect(result.tokens.map((t) => t.text).join('')).toBe(c.reference);
  // The flag is right: some token of the model's own tokenization really is outside its top list...
  expect(
    truth.tokens.some((t) => !t.top.some((alt) => alt.token === t.token)),
    c.id,
  ).toBe(true);
  // ...and the bounds hold: the true sequence logprob is at most the reported one, the true L-hat at least.
  expect(truth.logprob, c.id).toBeLessThanOrEqual(result.sequenceLogprob + 1e-9);
  expect(result.lhat!, c.id).toBeLessThanOrEqual(-truth.logprob / n + 1e-9);
  return 'bounded';
}

describe('teacher-forced L-hat against the simulator truth', () => {
  it('equals -logprobOf / tokens to 1e-6 when every token is in the top 20, flags a bound when not', async () => {
    const cases = await buildCases();
    const outcomes = { complete: 0, bounded: 0, multiToken: 0, lowRank: 0 };
    for (const [i, c] of cases.entries()) {
      // Alternate the verification modes over the cases; the numbers must be right in all of them.
      const verify = i % 2 === 0 ? 'auto' : true;
      const result = await teacherForcedLhat({ backend, model: MODEL, prefix: c.prefix, reference: c.reference, suffix: c.suffix, verifyTokenization: verify });
      const outcome = checkAgainstTruth(c, result, verify);
      outcomes[outcome]++;
      if (outcome === 'complete' && result.tokens.length > 1) outcomes.multiToken++;
      if (outcome === 'complete' && result.tokens.some((t) => (t.rank ?? 0) > 1)) outcomes.lowRank++;
    }
    // The cases exercise every branch: exact multi-token scores, unlikely-but-listed tokens, bounds.
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(outcomes.complete).toBeGreaterThanOrEqual(50);
    expect(outcomes.multiToken).toBeGreaterThanOrEqual(10);
    expect(outcomes.lowRank).toBeGreaterThanOrEqual(20);
    expect(outcomes.bounded).toBeGreaterThanOrEqual(100);
  });

  it('property: any problem, any cut of a sampled trace, any reference: exact, or a bound that holds', async () => {
    const template = chatmlQwq();
    const reference = fc.oneof(
      fc.integer({ min: -2000, max: 20000 }).map(String),
      fc.stringMatching(/^[-0-9]{1,7}$/),
      fc.stringMatching(/^[a-z\\{}0-9 ]{1,8}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...families),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(reference, { nil: undefined }),
        fc.boolean(),
        async (family, seed, difficulty, cut, otherReference, strict) => {
          const problem = generateProblem(family, seed, difficulty);
          const prompt = template.render({ question: problem.question });
          const trace = await sampleTrace(backend, prompt, { seed, maxTokens: 400, stop: ['</think>'] });
          const tokens = trace.tokens.map((t) => t.text);
          const prefix = prefixAt(prompt, tokens, Math.round(cut * tokens.length));
          const c: Case = { id: `${problem.id}@${cut}`, prefix, reference: otherReference ?? problem.answer, suffix: RAML_SUFFIX };
          const verify = strict ? true : 'auto';
          const result = await teacherForcedLhat({ backend, model: MODEL, prefix, reference: c.reference, verifyTokenization: verify });
          checkAgainstTruth(c, result, verify);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('takes any answer-eliciting suffix, and lookahead changes the requests, not the numbers', async () => {
    const problem = generateProblem('arithmetic-chain', 11, 5);
    const prompt = chatmlQwq().render({ question: problem.question });
    const trace = await sampleTrace(backend, prompt, { seed: 3, maxTokens: 6000, stop: ['</think>'] });
    const prefix = prompt + trace.text;
    const c: Case = { id: 'dynasor', prefix, reference: problem.answer, suffix: DYNASOR_PROBE_SUFFIX };
    const one = await teacherForcedLhat({ backend, model: MODEL, prefix, reference: problem.answer, suffix: DYNASOR_PROBE_SUFFIX });
    expect(checkAgainstTruth(c, one, 'auto')).toBe('complete');
    const ahead = await teacherForcedLhat({ backend, model: MODEL, prefix, reference: problem.answer, suffix: DYNASOR_PROBE_SUFFIX, lookahead: 8 });
    expect(ahead.tokens).toEqual(one.tokens);
    expect(ahead.requests).toBeLessThanOrEqual(one.requests);
    // Unverified: exactly one request per token, same numbers.
    const fast = await teacherForcedLhat({ backend, model: MODEL, prefix, reference: problem.answer, suffix: DYNASOR_PROBE_SUFFIX, verifyTokenization: false });
    expect(fast.tokens).toEqual(one.tokens);
    expect(fast.tokenization).toBe('unchecked');
    expect(fast.requests).toBe(one.tokens.length);
  });

  it('successive steps of a probe reuse the KV cache: each costs about one new prompt token', async () => {
    const problem = generateProblem('arithmetic-chain', 0, 5); // answer 1957: two tokens
    const prompt = chatmlQwq().render({ question: problem.question });
    const before = server.stats();
    const result = await teacherForcedLhat({ backend, model: MODEL, prefix: prompt, reference: problem.answer });
    const after = server.stats();
    expect(result.requests).toBe(after.requests - before.requests);
    const again = server.stats();
    await teacherForcedLhat({ backend, model: MODEL, prefix: prompt, reference: problem.answer });
    const last = server.stats();
    // Repeating the probe: the slot holds the prompt, so only the appended reference tokens are new.
    expect(last.prefill_new_tokens - again.prefill_new_tokens).toBeLessThanOrEqual(result.tokens.length * 2);
    expect(last.decoded_tokens - again.decoded_tokens).toBe(result.requests);
    expect(last.requests - again.requests).toBe(result.requests);
  });

  it('stops at once when aborted, without sending requests', async () => {
    const before = server.stats().requests;
    const controller = new AbortController();
    controller.abort();
    await expect(teacherForcedLhat({ backend, model: MODEL, prefix: 'x', reference: '42', signal: controller.signal })).rejects.toThrow();
    expect(server.stats().requests).toBe(before);
  });

  it('rejects an empty reference with one clear line', async () => {
    await expect(teacherForcedLhat({ backend, model: MODEL, prefix: 'x', reference: '' })).rejects.toThrow(
      'teacher-forced probe: reference: a non-empty answer text',
    );
  });
});
