/** Property tests at the HTTP level: what the harness relies on, checked over generated requests. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SimServer } from '../../src/sim/server/index.ts';
import { post, problemPrompt, rawGenerate, startServer, withoutTimes, model } from './sim-helpers.ts';

let server: SimServer;

beforeAll(async () => {
  server = await startServer({ parallel: 2 });
});

afterAll(async () => {
  await server.close();
});

const sampling = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  temperature: fc.constantFrom(0, 0.6, 1),
  top_k: fc.constantFrom(0, 40),
  top_p: fc.constantFrom(0.95, 1),
});

const problem = fc.integer({ min: 0, max: 500 });
const runs = { numRuns: 25 };

describe('simulator properties over HTTP', () => {
  it('is deterministic: the same request twice gives the same bytes (timestamps and durations aside)', async () => {
    await fc.assert(
      fc.asyncProperty(problem, sampling, fc.integer({ min: 1, max: 80 }), fc.boolean(), async (p, options, numPredict, think) => {
        const body = { model, prompt: problemPrompt(p), raw: true, think, logprobs: true, top_logprobs: 3, options: { ...options, num_predict: numPredict } };
        const a = await post(server.url, '/api/generate', body);
        const b = await post(server.url, '/api/generate', body);
        expect(a.status).toBe(200);
        expect(withoutTimes(b.text)).toBe(withoutTimes(a.text));
      }),
      runs,
    );
  });

  it('is prefix consistent: the prompt plus the first k tokens continues with exactly the rest', async () => {
    await fc.assert(
      fc.asyncProperty(problem, sampling, fc.integer({ min: 2, max: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), async (p, options, n, cut) => {
        const prompt = problemPrompt(p);
        const first = await rawGenerate(server.url, prompt, { ...options, num_predict: n });
        const tokens = first.entries.map((e) => e.token);
        expect(tokens.join('')).toBe(first.text);
        if (tokens.length < 2) return;
        const k = Math.min(tokens.length - 1, Math.floor(cut * tokens.length));
        const head = tokens.slice(0, k).join('');
        const rest = await rawGenerate(server.url, prompt + head, { ...options, num_predict: tokens.length - k });
        expect(head + rest.text).toBe(first.text);
        expect(rest.final['done_reason']).toBe(first.final['done_reason']);
      }),
      runs,
    );
  });

  it('num_predict bounds the generation and "length" means it was reached', async () => {
    await fc.assert(
      fc.asyncProperty(problem, sampling, fc.integer({ min: 1, max: 60 }), async (p, options, n) => {
        const reply = await rawGenerate(server.url, problemPrompt(p), { ...options, num_predict: n });
        const evalCount = reply.final['eval_count'] as number;
        expect(evalCount).toBeLessThanOrEqual(n);
        expect(reply.entries.length).toBe(evalCount);
        if (reply.final['done_reason'] === 'length') expect(evalCount).toBe(n);
        else expect(reply.final['done_reason']).toBe('stop');
      }),
      runs,
    );
  });

  it('a stop string cuts the text at its first occurrence and its tokens get no entries', async () => {
    await fc.assert(
      fc.asyncProperty(problem, sampling, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 8 }), async (p, options, where, length) => {
        const prompt = problemPrompt(p);
        const free = await rawGenerate(server.url, prompt, { ...options, num_predict: 80 });
        if (free.text.length < 2) return;
        const start = Math.min(free.text.length - 1, Math.floor(where * free.text.length));
        const stop = free.text.slice(start, start + length);
        const cut = await rawGenerate(server.url, prompt, { ...options, num_predict: 80, stop: [stop] });
        const expected = free.text.slice(0, free.text.indexOf(stop));
        expect(cut.text).toBe(expected);
        expect(cut.final['done_reason']).toBe('stop');
        // Entries cover the returned text; only a token cut in the middle may reach past it (as in Ollama).
        const joined = cut.entries.map((e) => e.token).join('');
        expect(joined.startsWith(expected)).toBe(true);
        expect(cut.entries.slice(0, -1).map((e) => e.token).join('').length).toBeLessThan(Math.max(1, expected.length));
        expect(joined.length - expected.length).toBeLessThan(cut.entries[cut.entries.length - 1]?.token.length ?? 1);
      }),
      runs,
    );
  });

  it('logprobs are consistent: tokens concatenate to the text, alternatives are sorted real probabilities', async () => {
    await fc.assert(
      fc.asyncProperty(problem, sampling, fc.integer({ min: 1, max: 20 }), async (p, options, top) => {
        const reply = await rawGenerate(server.url, problemPrompt(p), { ...options, num_predict: 60 }, { top_logprobs: top });
        expect(reply.entries.map((e) => e.token).join('')).toBe(reply.text);
        for (const entry of reply.entries) {
          expect(entry.logprob).toBeLessThanOrEqual(0);
          expect(entry.bytes).toEqual([...Buffer.from(entry.token, 'utf8')]);
          const alternatives = entry.top_logprobs ?? [];
          expect(alternatives.length).toBeGreaterThan(0);
          expect(alternatives.length).toBeLessThanOrEqual(top);
          for (let i = 1; i < alternatives.length; i++) expect(alternatives[i]!.logprob).toBeLessThanOrEqual(alternatives[i - 1]!.logprob);
          expect(alternatives.reduce((sum, a) => sum + Math.exp(a.logprob), 0)).toBeLessThanOrEqual(1 + 1e-9);
          const self = alternatives.find((a) => a.token === entry.token);
          if (self) expect(self.logprob).toBeCloseTo(entry.logprob, 12);
          else expect(entry.logprob).toBeLessThanOrEqual(alternatives[alternatives.length - 1]!.logprob + 1e-12);
          if (options.temperature === 0) expect(entry.token).toBe(alternatives[0]!.token);
        }
      }),
      runs,
    );
  });

  it('text held back by a partial stop string arrives with the final chunk, logprobs included', async () => {
    const prompt = problemPrompt(12);
    const options = { seed: 8, temperature: 0.6, num_predict: 20 };
    const free = await rawGenerate(server.url, prompt, options);
    const last = free.entries[free.entries.length - 1]!.token;
    const held = await rawGenerate(server.url, prompt, { ...options, stop: [`${last}\u0000never`] });
    expect(held.text).toBe(free.text);
    expect(held.final).toMatchObject({ done: true, done_reason: 'length', response: expect.stringContaining(last) });
    expect((held.final['logprobs'] as unknown[]).length).toBeGreaterThanOrEqual(1);
    expect(held.entries.map((e) => e.token)).toEqual(free.entries.map((e) => e.token));
  });
});
