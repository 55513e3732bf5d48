/**
 * The OpenAI-compatible backend against the simulator's /v1 API over real HTTP: requests and
 * replies, exact budgets via /tokenize, one-request L-hat checked against the model's truth,
 * retries through injected faults, and the same tokens as the Ollama API for the same request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/backends/backend.ts';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import { OpenAIBackend } from '../../src/backends/openai.ts';
import { teacherForcedLhat, RAML_SUFFIX } from '../../src/confidence/index.ts';
import { BackendUnreachableError, InputError } from '../../src/core/errors.ts';
import type { SimModel } from '../../src/sim/model/types.ts';
import { loadServedModel, startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { problemPrompt } from './sim-helpers.ts';

const MODEL = 'sim-qwq';
let server: SimServer;
let openai: OpenAIBackend;
let truth: SimModel;

function request(prompt: string, over: Partial<CompletionRequest> = {}): CompletionRequest {
  return { prompt, maxTokens: 40, stop: [], seed: 11, sampling: { temperature: 0.6, topP: 0.95, topK: 40 }, topLogprobs: 5, ...over };
}

beforeAll(async () => {
  server = await startSimServer({ port: 0, parallel: 2 });
  openai = new OpenAIBackend({ host: server.url, numCtx: 16384 });
  truth = await loadServedModel(MODEL);
});
afterAll(async () => server.close());

describe('OpenAI-compatible backend on the simulator', () => {
  it('describes the model from /v1/models and /tokenize', async () => {
    const info = await openai.describe(MODEL);
    expect(info.contextLength).toBe(truth.contextLength);
    expect(info.digest).toMatch(/^openai-sha256:[0-9a-f]{64}$/);
    expect(info.serverVersion).toContain('openai-compatible');
    expect(info.templateText).toBe('');
    expect(await openai.countTokens(MODEL, 'Hello world, 12345!')).toBe(truth.tokenize('Hello world, 12345!').length);
  });

  it('streams the same tokens and logprobs as the Ollama API for the same request', async () => {
    const ollama = new OllamaBackend({ host: server.url, numCtx: 16384 });
    const prompt = problemPrompt(3);
    const a = await openai.complete(MODEL, request(prompt));
    const b = await ollama.complete(MODEL, request(prompt));
    expect(a.tokens.length).toBe(40);
    expect(a.doneReason).toBe('length');
    expect(a.text).toBe(a.tokens.map((t) => t.text).join(''));
    expect(a.text).toBe(b.text);
    expect(a.tokens.map((t) => t.logprob)).toEqual(b.tokens.map((t) => t.logprob));
    expect(a.tokens.map((t) => t.top.map((x) => x.text))).toEqual(b.tokens.map((t) => t.top.map((x) => x.text)));
    expect(a.promptTokens).toBe(truth.tokenize(prompt).length);
    expect(a.decodedTokens).toBe(40);
    // Alternatives come most likely first.
    for (const token of a.tokens) for (let i = 1; i < token.top.length; i++) expect(token.top[i - 1]!.logprob).toBeGreaterThanOrEqual(token.top[i]!.logprob);
  });

  it('honours stop strings and seeds', async () => {
    const prompt = problemPrompt(5);
    const free = await openai.complete(MODEL, request(prompt, { maxTokens: 60, topLogprobs: 0 }));
    const word = free.tokens[10]!.text;
    const stopped = await openai.complete(MODEL, request(prompt, { maxTokens: 60, stop: [word], topLogprobs: 0 }));
    expect(stopped.doneReason).toBe('stop');
    expect(free.text.startsWith(stopped.text)).toBe(true);
    expect(stopped.text.includes(word)).toBe(false);
    const again = await openai.complete(MODEL, request(prompt, { maxTokens: 60, topLogprobs: 0 }));
    expect(again.text).toBe(free.text);
  });

  it('refuses a prompt that cannot fit max_model_len before generating, counted exactly via /tokenize', async () => {
    const small = new OpenAIBackend({ host: server.url, numCtx: 16384 });
    await small.describe(MODEL);
    const prompt = problemPrompt(1);
    const count = truth.tokenize(prompt).length;
    const before = server.stats().requests;
    const error = await small.complete(MODEL, request(prompt, { maxTokens: truth.contextLength - count + 1 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(String((error as Error).message)).toContain(`prompt (${count} tokens)`);
    expect(server.stats().requests).toBe(before);
    // One token less fits exactly (not generated here: max_tokens 1 with the same count check).
    await expect(small.complete(MODEL, request(prompt, { maxTokens: 1 }))).resolves.toMatchObject({ decodedTokens: 1 });
  });

  it('scores a reference exactly in one request per probe, equal to the model truth', async () => {
    const prompt = problemPrompt(7);
    const trace = await openai.complete(MODEL, request(prompt, { maxTokens: 120, topLogprobs: 0 }));
    for (const k of [30, 90]) {
      const prefix = prompt + trace.tokens.slice(0, k).map((t) => t.text).join('');
      for (const reference of ['42', '\\frac{7}{12}']) {
        const before = server.stats().requests;
        const result = await teacherForcedLhat({ backend: openai, model: MODEL, prefix, reference });
        expect(server.stats().requests - before).toBe(1);
        expect(result.requests).toBe(1);
        expect(result.bounded).toBe(false);
        expect(result.tokenization).toBe('verified');
        const exact = truth.logprobOf(prefix + RAML_SUFFIX, reference);
        expect(result.referenceTokens).toBe(exact.tokens.length);
        expect(result.sequenceLogprob).toBeCloseTo(exact.logprob, 9);
        expect(result.lhat).toBeCloseTo(-exact.logprob / exact.tokens.length, 9);
      }
    }
  });

  it('agrees with the token-by-token path where that one is exact', async () => {
    const prefix = problemPrompt(2) + 'Okay, let me think.';
    const one = await teacherForcedLhat({ backend: openai, model: MODEL, prefix, reference: '5' });
    const many = await teacherForcedLhat({ backend: openai, model: MODEL, prefix, reference: '5', oneRequest: false });
    expect(many.requests).toBeGreaterThanOrEqual(1);
    if (!many.bounded) expect(one.sequenceLogprob).toBeCloseTo(many.sequenceLogprob, 9);
    else expect(one.sequenceLogprob).toBeLessThanOrEqual(many.sequenceLogprob + 1e-9); // the bound is an upper bound
  });
});

describe('OpenAI-compatible backend preflight', () => {
  it('names a model the server does not serve, and what it serves', async () => {
    const error = await openai.describe('qwq-nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toContain("model 'qwq-nope' is not served by");
    expect((error as Error).message).toContain('"sim-qwq"');
  });

  it('reports a server that is not there in one line', async () => {
    const gone = await startSimServer({ port: 0 });
    const url = gone.url;
    await gone.close();
    const backend = new OpenAIBackend({ host: url, numCtx: 4096, preflightRetry: { maxAttempts: 2, baseMs: 10, maxDelayMs: 20, maxTotalMs: 200 } });
    const error = await backend.describe(MODEL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toMatch(/^cannot reach an OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+/);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses an Ollama-only server as not OpenAI-compatible', async () => {
    // The simulator's Ollama root answers text; /v1/models on a path that does not exist is a 404.
    const backend = new OpenAIBackend({ host: `${server.url}/api`, numCtx: 4096, preflightRetry: { maxAttempts: 1, baseMs: 10, maxDelayMs: 10, maxTotalMs: 100 } });
    const error = await backend.describe(MODEL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toContain('is not an OpenAI-compatible server');
  });
});

describe('OpenAI-compatible backend through injected faults', () => {
  it('retries 500s, 503s, cut streams, error events and streams without [DONE] to the same completion', async () => {
    const faulty = await startSimServer({ port: 0, faults: 'http500=0.15,http503=0.1,cut=0.15,errorline=0.1,nodone=0.15,seed=3' });
    try {
      const retries: string[] = [];
      const backend = new OpenAIBackend({
        host: faulty.url,
        numCtx: 16384,
        retry: { maxAttempts: 30, baseMs: 1, maxDelayMs: 5, maxTotalMs: 20_000 },
        onRetry: (info) => retries.push(String(info.error)),
      });
      const prompt = problemPrompt(4);
      for (let i = 0; i < 6; i++) {
        const got = await backend.complete(MODEL, request(prompt, { seed: i, maxTokens: 30 }));
        const clean = await openai.complete(MODEL, request(prompt, { seed: i, maxTokens: 30 }));
        expect(got.text).toBe(clean.text);
        expect(got.tokens.map((t) => t.logprob)).toEqual(clean.tokens.map((t) => t.logprob));
      }
      const faults = faulty.stats().faults;
      expect(faults.http500 + faults.http503 + faults.cut + faults.errorline + faults.nodone).toBeGreaterThan(0);
      expect(retries.length).toBe(faults.http500 + faults.http503 + faults.cut + faults.errorline + faults.nodone);
    } finally {
      await faulty.close();
    }
  });
});
