/** Bad input never crashes the simulator or leaks a stack trace. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SimServer } from '../../src/sim/server/index.ts';
import { get, model, startServer } from './sim-helpers.ts';

let server: SimServer;
const internalErrors: string[] = [];

beforeAll(async () => {
  server = await startServer({ parallel: 2, onInternalError: (line) => internalErrors.push(line) });
});

afterAll(async () => {
  await server.close();
});

const paths = ['/api/generate', '/api/chat', '/api/show'];

async function send(path: string, body: string | Uint8Array): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: response.status, text: await response.text() };
}

function expectClean(reply: { status: number; text: string }): void {
  expect(reply.status).not.toBe(500);
  expect(reply.text).not.toMatch(/\n\s+at |\.ts:\d+/);
  if (reply.status !== 200) {
    const body = JSON.parse(reply.text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['error']);
    expect(typeof body['error']).toBe('string');
  }
}

const fieldValue = fc.oneof(fc.anything(), fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
const options = fc.oneof(
  fc.anything(),
  fc.dictionary(fc.constantFrom('num_predict', 'stop', 'seed', 'temperature', 'top_k', 'top_p', 'num_ctx', 'min_p', 'other'), fieldValue).map((o) => ({ ...o, num_predict: 8 })),
);
const request = fc.record(
  {
    model: fc.oneof(fc.constant(model), fc.constant('sim-qwq:latest'), fc.string(), fieldValue),
    prompt: fc.oneof(fc.string(), fieldValue),
    raw: fieldValue,
    think: fc.oneof(fc.boolean(), fc.constantFrom('high', 'low', 'nope'), fieldValue),
    stream: fc.oneof(fc.boolean(), fieldValue),
    system: fc.oneof(fc.string(), fieldValue),
    template: fieldValue,
    context: fc.oneof(fc.array(fc.integer({ min: -5, max: 50 })), fieldValue),
    logprobs: fieldValue,
    top_logprobs: fc.oneof(fc.integer({ min: -3, max: 25 }), fieldValue),
    truncate: fieldValue,
    messages: fc.oneof(fc.array(fc.record({ role: fc.oneof(fc.constantFrom('user', 'assistant', 'system', 'tool'), fieldValue), content: fc.oneof(fc.string(), fieldValue) }), { maxLength: 3 }), fieldValue),
    options,
  },
  { requiredKeys: ['options'] },
);

describe('fuzzing the HTTP API', () => {
  it('answers arbitrary request objects with a result or one clear error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), request, async (path, body) => {
        expectClean(await send(path, JSON.stringify(body)));
      }),
      { numRuns: 200 },
    );
  });

  it('answers arbitrary JSON and garbage bytes with 400, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.json().map((j) => new TextEncoder().encode(j)), fc.uint8Array({ maxLength: 300 })), async (path, bytes) => {
        const reply = await send(path, bytes);
        expectClean(reply);
      }),
      { numRuns: 200 },
    );
    expect((await get(server.url, '/api/version')).status).toBe(200);
    expect(internalErrors).toEqual([]);
  });

  it('answers unknown paths and methods like Ollama (404, 405)', async () => {
    expect((await get(server.url, '/api/nothing')).status).toBe(404);
    expect((await get(server.url, '/api/generate')).status).toBe(405);
    const root = await get(server.url, '/');
    expect(root).toMatchObject({ status: 200, text: 'Ollama is running' });
  });
});

describe('load and unload', () => {
  it('loads with an empty prompt and unloads with keep_alive 0, as Ollama does', async () => {
    const load = JSON.parse((await send('/api/generate', JSON.stringify({ model }))).text) as Record<string, unknown>;
    expect(load).toMatchObject({ model, response: '', done: true, done_reason: 'load' });
    const ps = JSON.parse((await get(server.url, '/api/ps')).text) as { models: { name: string }[] };
    expect(ps.models.map((m) => m.name)).toContain('sim-fast:latest');
    const unload = JSON.parse((await send('/api/chat', JSON.stringify({ model, messages: [], keep_alive: 0 }))).text) as Record<string, unknown>;
    expect(unload).toMatchObject({ done: true, done_reason: 'unload', message: { role: 'assistant', content: '' } });
    const after = JSON.parse((await get(server.url, '/api/ps')).text) as { models: { name: string }[] };
    expect(after.models.map((m) => m.name)).not.toContain('sim-fast:latest');
  });
});
