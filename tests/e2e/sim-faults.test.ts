/** Injected faults: each kind happens, is observable the way a client meets it, and is reproducible. */
import { afterEach, describe, expect, it } from 'vitest';
import { Ollama } from 'ollama';
import type { SimServer } from '../../src/sim/server/index.ts';
import { get, model, post, problemPrompt, startServer, stats } from './sim-helpers.ts';

let server: SimServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const request = { model, prompt: problemPrompt(3), raw: true, think: false, options: { seed: 1, num_predict: 40 } };

async function streamOutcome(client: Ollama): Promise<string> {
  try {
    const stream = await client.generate({ ...request, stream: true });
    let done = false;
    for await (const chunk of stream) done = chunk.done;
    return done ? 'ok' : 'no-done';
  } catch (error) {
    const e = error as { name?: string; status_code?: number; message?: string };
    if (e.name === 'ResponseError') return `http${e.status_code}`;
    if (e.message?.includes('Did not receive done')) return 'no-done';
    if (e.message?.includes('unexpectedly stopped')) return 'error-line';
    return 'cut';
  }
}

describe('--faults', () => {
  it('injects 500s and 503s with Ollama bodies, on inference endpoints only', async () => {
    server = await startServer({ faults: 'http500=1' });
    const client = new Ollama({ host: server.url });
    await expect(client.generate({ ...request })).rejects.toMatchObject({ name: 'ResponseError', status_code: 500 });
    await expect(client.chat({ model, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status_code: 500 });
    expect((await get(server.url, '/api/tags')).status).toBe(200);
    expect((await stats(server.url))['faults']).toMatchObject({ http500: 2 });
    await server.close();

    server = await startServer({ faults: 'http503=1' });
    const busy = await post(server.url, '/api/generate', request);
    expect(busy.status).toBe(503);
    expect(JSON.parse(busy.text)).toEqual({ error: 'server busy, please try again.  maximum pending requests exceeded' });
  });

  it('cuts the connection mid-stream, sends an error line, or ends without done', async () => {
    for (const [spec, expected] of [
      ['cut=1', 'cut'],
      ['errorline=1', 'error-line'],
      ['nodone=1', 'no-done'],
    ] as const) {
      server = await startServer({ faults: spec });
      expect(await streamOutcome(new Ollama({ host: server.url }))).toBe(expected);
      if (spec === 'errorline=1') {
        const reply = await post(server.url, '/api/generate', { ...request, stream: true });
        expect(reply.status).toBe(200);
        const lines = reply.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines.length).toBeGreaterThan(1);
        expect(lines[lines.length - 1]).toEqual({ error: expect.stringContaining('unexpectedly stopped') });
        expect(lines.some((l) => l['done'] === true)).toBe(false);
      }
      await server.close();
      server = undefined;
    }
  });

  it('delays the first byte of a slow request', async () => {
    server = await startServer({ faults: 'slow=1,slowms=150' });
    const started = performance.now();
    const reply = await post(server.url, '/api/generate', { ...request, stream: false });
    expect(reply.status).toBe(200);
    // A lower bound only: the delay is slept, so the reply cannot come sooner.
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect((await stats(server.url))['faults']).toMatchObject({ slow: 1 });
  });

  it('gives the same faults for the same spec and request order', async () => {
    const spec = 'http500=0.15,http503=0.1,cut=0.15,errorline=0.1,nodone=0.1,seed=11';
    const outcomes: string[][] = [];
    for (let round = 0; round < 2; round++) {
      server = await startServer({ faults: spec });
      const client = new Ollama({ host: server.url });
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) seen.push(await streamOutcome(client));
      outcomes.push(seen);
      await server.close();
      server = undefined;
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    const kinds = new Set(outcomes[0]);
    expect(kinds.has('ok')).toBe(true);
    expect(kinds.size).toBeGreaterThanOrEqual(4);
  });
});
