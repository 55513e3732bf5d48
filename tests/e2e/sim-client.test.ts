/** The simulator through the official `ollama` npm client, as users and the harness meet it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ollama } from 'ollama';
import type { SimServer } from '../../src/sim/server/index.ts';
import { model, problemPrompt, startServer, stats } from './sim-helpers.ts';

let server: SimServer;
let client: Ollama;

beforeAll(async () => {
  server = await startServer({ parallel: 2 });
  client = new Ollama({ host: server.url });
});

afterAll(async () => {
  await server.close();
});

async function responseError(promise: Promise<unknown>): Promise<{ name: string; status_code: number; error: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; status_code: number; error: string };
  }
  throw new Error('expected the client to throw');
}

describe('ollama client against thinkprobe sim', () => {
  it('lists, shows and reports its version', async () => {
    const version = await client.version();
    expect(version.version).toMatch(/^\d+\.\d+\.\d+/);
    const list = await client.list();
    const names = list.models.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['sim-qwq:latest', 'sim-qwq-regressed:latest', 'sim-overthinker:latest']));
    const show = await client.show({ model });
    expect(show.capabilities).toEqual(expect.arrayContaining(['completion', 'thinking']));
    expect(show.template).toContain('<|im_start|>');
    expect(show.parameters).toContain('stop');
    const info = show.model_info as unknown as Record<string, unknown>;
    const family = String(info['general.architecture']);
    expect(info[`${family}.context_length`]).toBeGreaterThanOrEqual(4096);
    const digests = new Set(list.models.map((m) => m.digest));
    expect(digests.size).toBe(list.models.length);
  });

  it('generates non-streamed with thinking split off (think defaults on for a thinking model)', async () => {
    const reply = await client.generate({ model, prompt: 'What is 12 + 30?', options: { seed: 1, num_predict: 4000 } });
    expect(reply.done).toBe(true);
    expect(['stop', 'length']).toContain(reply.done_reason);
    expect(reply.eval_count).toBeGreaterThan(0);
    expect(reply.prompt_eval_count).toBeGreaterThan(5);
    expect(reply.context.length).toBeGreaterThan(0);
    const thinking = (reply as unknown as { thinking?: string }).thinking ?? '';
    expect(thinking.length + (reply.response ?? "").length).toBeGreaterThan(0);
    expect(reply.response).not.toContain('</think>');
    if (reply.done_reason === 'stop') expect(thinking.length).toBeGreaterThan(0);
  });

  it('streams a raw generation: chunks concatenate to the non-streamed text, logprobs included', async () => {
    const prompt = problemPrompt(11);
    const options = { seed: 5, temperature: 0.6, top_p: 0.95, top_k: 40, num_predict: 120 };
    const stream = await client.generate({ model, prompt, raw: true, think: false, stream: true, logprobs: true, top_logprobs: 5, options });
    let text = '';
    let entries = 0;
    let last: { done: boolean; done_reason: string; eval_count: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.response;
      const logprobs = (chunk as unknown as { logprobs?: { top_logprobs?: unknown[] }[] }).logprobs ?? [];
      for (const entry of logprobs) expect(entry.top_logprobs?.length ?? 0).toBeLessThanOrEqual(5);
      entries += logprobs.length;
      last = chunk;
    }
    expect(last?.done).toBe(true);
    expect(last?.eval_count).toBe(120);
    expect(last?.done_reason).toBe('length');
    expect(entries).toBe(120);
    const whole = await client.generate({ model, prompt, raw: true, think: false, options });
    expect(whole.response).toBe(text);
    expect((whole as unknown as { context?: unknown }).context).toBeUndefined(); // raw mode returns no context
  });

  it('parses thinking in raw mode too unless think is false, as Ollama does', async () => {
    const prompt = problemPrompt(13);
    const options = { seed: 2, num_predict: 3000, num_ctx: 8192 };
    const plain = await client.generate({ model, prompt, raw: true, think: false, options });
    const parsed = await client.generate({ model, prompt, raw: true, options });
    const thinking = (parsed as unknown as { thinking?: string }).thinking ?? '';
    expect(plain.response).toContain('</think>');
    expect(thinking.length).toBeGreaterThan(0);
    expect(parsed.response).not.toContain('</think>');
    // The split loses only the closing tag and the whitespace around it.
    expect((thinking + parsed.response).replace(/\s+/g, '')).toBe((plain.response ?? '').replace('</think>', '').replace(/\s+/g, ''));
  });

  it('chats, streamed and not, and continues a trailing assistant message', async () => {
    const messages = [{ role: 'user', content: 'What is 7 * 6?' }];
    const reply = await client.chat({ model, messages, think: false, options: { seed: 3, num_predict: 60 } });
    expect(reply.message.role).toBe('assistant');
    expect(reply.message.content.length).toBeGreaterThan(0);
    const stream = await client.chat({ model, messages, think: false, stream: true, options: { seed: 3, num_predict: 60 } });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.message.content;
    expect(streamed).toBe(reply.message.content);

    // Continuing the reply cut at a token boundary yields exactly the rest (prefix consistency through the template).
    const withLogprobs = await client.chat({ model, messages, think: false, logprobs: true, options: { seed: 3, num_predict: 60 } });
    const entries = (withLogprobs as unknown as { logprobs: { token: string }[] }).logprobs;
    expect(entries.map((e) => e.token).join('')).toBe(withLogprobs.message.content);
    const head = entries.slice(0, 30).map((e) => e.token).join('');
    const continued = await client.chat({
      model,
      messages: [...messages, { role: 'assistant', content: head }],
      think: false,
      options: { seed: 3, num_predict: 30 },
    });
    expect(head + continued.message.content).toBe(withLogprobs.message.content);
  });

  it('stops generating when a stream is aborted', async () => {
    const stream = await client.generate({ model, prompt: problemPrompt(4), raw: true, think: false, stream: true, options: { seed: 9, num_predict: 100_000, num_ctx: 32_000 } });
    let chunks = 0;
    await expect(
      (async () => {
        for await (const chunk of stream) {
          void chunk;
          if (++chunks === 3) stream.abort();
        }
      })(),
    ).rejects.toThrow();
    // The server notices the disconnect, stops and frees the slot.
    for (let i = 0; i < 100 && (await stats(server.url))['active'] !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    const after = await stats(server.url);
    expect(after['active']).toBe(0);
    const decoded = after['decoded_tokens'];
    await new Promise((r) => setTimeout(r, 50));
    expect((await stats(server.url))['decoded_tokens']).toBe(decoded);
  });

  it('surfaces errors as the client surfaces them', async () => {
    const missing = await responseError(client.generate({ model: 'qwq-nope', prompt: 'hi' }));
    expect(missing.name).toBe('ResponseError');
    expect(missing.status_code).toBe(404);
    expect(missing.error).toBe("model 'qwq-nope' not found");

    const bad = await responseError(client.generate({ model, prompt: 'hi', logprobs: true, top_logprobs: 21 }));
    expect(bad.status_code).toBe(400);
    expect(bad.error).toBe('top_logprobs must be between 0 and 20');

    const raw = await responseError(client.generate({ model, prompt: 'hi', raw: true, system: 'be brief' }));
    expect(raw.status_code).toBe(400);
    expect(raw.error).toBe('raw mode does not support template, system, or context');

    const stop = await responseError(client.generate({ model, prompt: 'hi', options: { stop: 'Wait' as unknown as string[] } }));
    expect(stop.status_code).toBe(400);
    expect(stop.error).toContain('"stop" must be of type array');

    const tooLong = await responseError(
      client.generate({ model, prompt: 'word '.repeat(3000), raw: true, think: false, options: { num_ctx: 512 }, ...({ truncate: false } as object) }),
    );
    expect(tooLong.status_code).toBe(400);
  });
});
