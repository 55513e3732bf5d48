/** KV-cache accounting: continuations pay prefill only for what a slot does not hold; slots and the queue. */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimServer } from '../../src/sim/server/index.ts';
import { post, problemPrompt, rawGenerate, startServer, stats } from './sim-helpers.ts';

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = { seed: 21, temperature: 0.6, num_predict: 50 };

async function delta<T>(url: string, action: () => Promise<T>): Promise<{ result: T; newTokens: number; cachedTokens: number; decoded: number }> {
  const before = await stats(url);
  const result = await action();
  const after = await stats(url);
  return {
    result,
    newTokens: after['prefill_new_tokens']! - before['prefill_new_tokens']!,
    cachedTokens: after['prefill_cached_tokens']! - before['prefill_cached_tokens']!,
    decoded: after['decoded_tokens']! - before['decoded_tokens']!,
  };
}

describe('KV-cache slots', () => {
  it('a continuation of the previous request pays prefill only for the new part', async () => {
    server = await startServer({ parallel: 1 });
    const url = server.url;
    const prompt = problemPrompt(7);
    const first = await delta(url, () => rawGenerate(url, prompt, options));
    const promptTokens = first.result.final['prompt_eval_count'] as number;
    expect(first.newTokens).toBe(promptTokens);
    expect(first.cachedTokens).toBe(0);
    expect(first.decoded).toBe(50);

    // prompt + the whole output: only the last generated token (never fed back) is new.
    const continued = await delta(url, () => rawGenerate(url, prompt + first.result.text, { ...options, num_predict: 5 }));
    expect(continued.result.final['prompt_eval_count']).toBe(promptTokens + 50); // whole prompt counted, cached part included
    expect(continued.cachedTokens).toBe(promptTokens + 49);
    expect(continued.newTokens).toBe(1);

    // A probe part-way along the trace shares the prefix up to the probe point.
    const probe = first.result.entries.slice(0, 20).map((e) => e.token).join('');
    const probed = await delta(url, () => rawGenerate(url, `${prompt}${probe}\n\n**Final Answer**\n\\boxed{`, { ...options, num_predict: 3 }));
    expect(probed.cachedTokens).toBe(promptTokens + 20);
    expect(probed.newTokens).toBe((probed.result.final['prompt_eval_count'] as number) - promptTokens - 20);

    const reset = JSON.parse((await post(url, '/sim/stats/reset', {})).text) as Record<string, number>;
    expect(reset).toMatchObject({ requests: 0, prefill_new_tokens: 0, prefill_cached_tokens: 0, decoded_tokens: 0 });
  });

  it('parallel slots keep several traces warm; one slot thrashes', async () => {
    const run = async (parallel: number): Promise<number> => {
      server = await startServer({ parallel });
      const url = server.url;
      const a = await rawGenerate(url, problemPrompt(1), options);
      const b = await rawGenerate(url, problemPrompt(2), options);
      const cached = await delta(url, async () => {
        await rawGenerate(url, problemPrompt(1) + a.text, { ...options, num_predict: 2 });
        await rawGenerate(url, problemPrompt(2) + b.text, { ...options, num_predict: 2 });
      });
      await server.close();
      server = undefined;
      return cached.newTokens;
    };
    const two = await run(2);
    const one = await run(1);
    expect(two).toBe(2);
    expect(one).toBeGreaterThan(50);
  });

  it('requests beyond the slots wait their turn and all complete', async () => {
    server = await startServer({ parallel: 1 });
    const url = server.url;
    const replies = await Promise.all([3, 4, 5, 6].map((p) => rawGenerate(url, problemPrompt(p), options)));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.final['done']).toBe(true);
    }
    expect((await stats(url))['requests']).toBe(4);
  });
});

describe('queue limit', () => {
  it('answers 503 like Ollama when more requests wait than the queue holds', async () => {
    server = await startServer({ parallel: 1, maxQueue: 1, latency: 'decode=10ms' });
    const url = server.url;
    const replies = await Promise.all([1, 2, 3].map((p) => rawGenerate(url, problemPrompt(p), { ...options, num_predict: 30 })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 503]);
  });
});

describe('context window and latency', () => {
  it('keeps prompt + output within num_ctx, truncates a long prompt silently, or refuses it with truncate:false', async () => {
    server = await startServer();
    const url = server.url;
    const prompt = problemPrompt(9);
    const probe = await rawGenerate(url, prompt, { ...options, num_predict: 1 });
    const promptTokens = probe.final['prompt_eval_count'] as number;
    const tight = await rawGenerate(url, prompt, { ...options, num_predict: 100, num_ctx: promptTokens + 5 });
    expect(tight.final).toMatchObject({ done_reason: 'length', eval_count: 5, prompt_eval_count: promptTokens });

    const truncated = await rawGenerate(url, prompt, { ...options, num_predict: 3, num_ctx: promptTokens - 10 });
    expect(truncated.status).toBe(200);
    expect(truncated.final['prompt_eval_count']).toBe(promptTokens - 10);
    const refused = await post(url, '/api/generate', { model: 'sim-fast', prompt, raw: true, think: false, truncate: false, options: { num_ctx: promptTokens - 10 } });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({ error: 'the input length exceeds the context length' });
  });

  it('emulates time per prefilled and per generated token, and reports it in the durations', async () => {
    server = await startServer({ latency: 'prefill=0.5ms,decode=3ms' });
    const url = server.url;
    const prompt = problemPrompt(10);
    const first = await rawGenerate(url, prompt, { ...options, num_predict: 10 });
    const promptTokens = first.final['prompt_eval_count'] as number;
    // Lower bounds only: the emulated time is slept, so it cannot be shorter.
    expect(first.final['prompt_eval_duration'] as number).toBeGreaterThanOrEqual(promptTokens * 0.5e6);
    expect(first.final['eval_duration'] as number).toBeGreaterThanOrEqual(10 * 3e6);
    expect(first.final['total_duration'] as number).toBeGreaterThanOrEqual((first.final['eval_duration'] as number) + (first.final['prompt_eval_duration'] as number));
  });
});
