import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createSimModel, loadCard, tokenize, RAML_STOP_PHRASE, NO_THINKING_PREFILL } from './index.ts';
import { families } from '../../problems/families/index.ts';
import { generateAll, lastBoxed, problemPrompt, text } from './testing.ts';
import type { GeneratedToken, SamplingOptions } from './types.ts';

const model = createSimModel(loadCard('sim-qwq'));
const family = fc.constantFrom(...families);
const sampling = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  temperature: fc.constantFrom(0, 0.6, 1, 1.5),
  topK: fc.constantFrom(0, 40, 2),
  topP: fc.constantFrom(1, 0.95, 0.5),
});

function checkTokens(tokens: GeneratedToken[]): void {
  // Emitted tokens are exactly the tokenization of the output.
  expect(tokenize(text(tokens))).toEqual(tokens.map((t) => t.token));
  for (const t of tokens) {
    expect(t.top.length).toBeGreaterThan(0);
    expect(t.top.length).toBeLessThanOrEqual(20);
    for (let i = 1; i < t.top.length; i++) expect(t.top[i - 1]!.logprob).toBeGreaterThanOrEqual(t.top[i]!.logprob);
    expect(t.top.reduce((a, x) => a + Math.exp(x.logprob), 0)).toBeLessThanOrEqual(1 + 1e-9);
    const self = t.top.find((x) => x.token === t.token);
    expect(self?.logprob).toBe(t.logprob);
    expect(new Set(t.top.map((x) => x.token)).size).toBe(t.top.length);
  }
}

describe('sim model: generation', () => {
  it('writes a thinking trace in steps, closes it, and answers in \\boxed{}', () => {
    const { prompt, answer } = problemPrompt(model, 'arithmetic-chain', 11, 2);
    const { tokens, stopped } = generateAll(model, prompt, { seed: 1, temperature: 0, topK: 40, topP: 0.95 });
    const out = text(tokens);
    expect(stopped).toBe(true);
    expect(out.startsWith('<think>\n')).toBe(true);
    expect(out).toMatch(/First, I .* = -?\d+/);
    expect(out.indexOf('</think>')).toBeGreaterThan(50);
    expect(lastBoxed(out)).toBe(answer);
    checkTokens(tokens);
  });

  it('is deterministic: same prompt + options = same tokens; seeds matter only when sampling', () => {
    const { prompt } = problemPrompt(model, 'word-problem', 5, 4);
    const opts: SamplingOptions = { seed: 42, temperature: 1, topK: 0, topP: 1 };
    expect(generateAll(model, prompt, opts).tokens).toEqual(generateAll(model, prompt, opts).tokens);
    const greedy = (seed: number) => text(generateAll(model, prompt, { seed, temperature: 0, topK: 40, topP: 0.95 }).tokens);
    expect(greedy(1)).toBe(greedy(2));
    const outs = new Set([1, 2, 3, 4, 5, 6].map((seed) => text(generateAll(model, prompt, { ...opts, seed }).tokens)));
    expect(outs.size).toBeGreaterThan(1);
  });

  it('continues a prefix of its own output with exactly the rest (any k, any sampling)', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), sampling, fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, opts, at) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, opts).tokens;
        checkTokens(full);
        const k = Math.floor(at * full.length);
        const rest = generateAll(model, prompt + text(full.slice(0, k)), opts).tokens;
        expect(rest).toEqual(full.slice(k));
      }),
      { numRuns: 60 },
    );
  });

  const injections = [
    'Wait',
    ' Wait,',
    '\n</think>\n\n',
    `${NO_THINKING_PREFILL}\n</think>\n\n`,
    '\n\n**Final Answer**\n\\boxed{',
    '\n**Final Answer**\n\\boxed',
    '\n</think>\n\nFinal Answer:',
    ` ${RAML_STOP_PHRASE}`,
    ' banana phone',
    'Hmm, hold on. ',
    'Considering the limited time by the user, I have to give the solution based on the thinking directly now.\n</think>.\n\n',
    '... Oh, I suddenly got the answer to the whole problem, **Final Answer**\n\n\\[ \\boxed{',
  ];

  it('reacts to injected text, and its new continuation is itself prefix consistent', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), sampling, fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...injections), fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, opts, at, injection, at2) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, opts).tokens;
        const k = Math.floor(at * full.length);
        const diverged = prompt + text(full.slice(0, k)) + injection;
        const cont = generateAll(model, diverged, opts).tokens;
        checkTokens(cont);
        const out = text(cont);
        if (injection.endsWith('\\boxed{')) expect(out).toMatch(/^[^{}]*(\{[^{}]*\}[^{}]*)*\}/);
        if (injection.endsWith('\\boxed')) expect(out.startsWith('{')).toBe(true);
        if (injection.includes('</think>')) expect(out).not.toContain('</think>');
        if (!injection.includes('</think>') && !injection.includes('boxed') && !injection.includes('answer is') && !injection.includes('Final Answer')) {
          // Still thinking: it must eventually close the thinking and answer.
          if (!full.slice(0, k).some((t) => t.token === '</think>')) expect(out).toContain('</think>');
        }
        expect(lastBoxed(out) ?? lastBoxed(diverged + out)).toBeDefined();
        const k2 = Math.floor(at2 * cont.length);
        const rest = generateAll(model, diverged + text(cont.slice(0, k2)), opts).tokens;
        expect(rest).toEqual(cont.slice(k2));
      }),
      { numRuns: 80 },
    );
  });

  it('reports the same per-token logprobs through logprobOf as while generating', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 4 }), sampling, (fam, seed, d, opts) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, opts).tokens;
        const scored = model.logprobOf(prompt, text(full));
        expect(scored.tokens.map((t) => t.logprob)).toEqual(full.map((t) => t.logprob));
        expect(scored.logprob).toBeCloseTo(full.reduce((a, t) => a + t.logprob, 0), 6);
      }),
      { numRuns: 25 },
    );
  });

  it('writes answers through a trie over the belief: p(answer + "}") equals the belief', () => {
    fc.assert(
      fc.property(family, fc.nat(10_000), fc.integer({ min: 1, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (fam, seed, d, at) => {
        const { prompt } = problemPrompt(model, fam, seed, d);
        const full = generateAll(model, prompt, { seed: 3, temperature: 0.6, topK: 40, topP: 0.95 }).tokens;
        const k = Math.floor(at * full.length);
        const probe = `${prompt}${text(full.slice(0, k))}\n\n**Final Answer**\n\\boxed{`;
        const b = model.beliefAt(probe);
        expect(b.probs.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 9);
        let mass = 0;
        b.answers.forEach((answer, i) => {
          const p = Math.exp(model.logprobOf(probe, `${answer}}`).logprob);
          expect(p).toBeCloseTo((b.probs[i] ?? 0) * (1 - 1e-3), 9);
          mass += p;
        });
        expect(mass).toBeCloseTo(1 - 1e-3, 9);
        // A string that is no candidate gets (almost) nothing.
        expect(model.logprobOf(probe, 'banana}').logprob).toBeLessThan(-20);
      }),
      { numRuns: 40 },
    );
  });
});
