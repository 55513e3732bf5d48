import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { BackendUnreachableError, InputError } from '../../src/core/errors.ts';
import type { Completion, CompletionRequest } from '../../src/backends/backend.ts';
import { resolveHost } from '../../src/backends/host.ts';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import type { RetryPolicy } from '../../src/backends/retry.ts';
import { tokenize } from '../../src/sim/model/tokenizer.ts';
import { startSimServer, type SimServer } from '../../src/sim/server/index.ts';
import { HOSTILE_MARKER, HOSTILE_MODEL, startHostileServer, type HostileMode } from '../fixtures/hostile-server.ts';
import { chatmlQwq, pickTemplate, servedTemplatePrefillsThink, thinkingBounds } from '../../src/templates/index.ts';

/** The official ollama client, through our backend, against the simulator (startSimServer, card sim-qwq). */

const fastRetry: RetryPolicy = { maxAttempts: 12, baseMs: 1, maxDelayMs: 5, maxTotalMs: 30_000 };
const prompt = chatmlQwq().render({ question: 'Tom has 17 apples and buys 25 more. How many apples does he have?' });

function request(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return { prompt, maxTokens: 300, stop: [], seed: 1, sampling: { temperature: 0.6, topP: 0.95, topK: 40 }, topLogprobs: 3, ...overrides };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function comparable(c: Completion): Omit<Completion, 'wallMs' | 'promptEvalMs' | 'evalMs'> {
  const { wallMs: _w, promptEvalMs: _p, evalMs: _e, ...rest } = c;
  return rest;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let clean: SimServer;
let faulty: SimServer;
let down: SimServer;
let slow: SimServer;
let cutting: SimServer;
beforeAll(async () => {
  [clean, faulty, down, slow, cutting] = await Promise.all([
    startSimServer({ parallel: 2 }),
    startSimServer({ parallel: 2, faults: 'http500=0.12,http503=0.12,cut=0.12,errorline=0.12,nodone=0.12,seed=11' }),
    startSimServer({ faults: 'http503=1' }),
    startSimServer({ latency: 'decode=40ms' }),
    // With decode latency the headers and first lines are out before the cut: a stream cut mid-body.
    startSimServer({ parallel: 2, faults: 'cut=0.5,seed=3', latency: 'decode=0.5ms' }),
  ]);
});
afterAll(async () => {
  await Promise.all([clean, faulty, down, slow, cutting].map((s) => s?.close()));
});

describe('describe (preflight)', () => {
  it('reports version, digest from /api/tags, family, template text and context length', async () => {
    const backend = new OllamaBackend({ host: clean.url, numCtx: 4096 });
    const info = await backend.describe('sim-fast');
    const tags = (await (await fetch(`${clean.url}/api/tags`)).json()) as { models: { name: string; digest: string }[] };
    expect(info).toEqual({
      name: 'sim-fast',
      digest: tags.models.find((m) => m.name === 'sim-fast:latest')!.digest,
      serverVersion: `ollama ${clean.version}`,
      family: 'qwen2',
      templateText: expect.stringContaining('<|im_start|>'),
      contextLength: 40960,
    });
    expect(pickTemplate(info).name).toBe('chatml-qwq');
    // sim-qwq is served like Ollama's qwq: the template does not prefill <think>.
    expect(servedTemplatePrefillsThink(info.templateText)).toBe(false);
    expect(backend.label).toBe(`ollama ${clean.url}`);
  });

  it('finds the server through OLLAMA_HOST written the ways users write it', async () => {
    for (const written of [`:${clean.port}`, `0.0.0.0:${clean.port}`, `http://localhost:${clean.port}/`]) {
      const host = resolveHost(undefined, { OLLAMA_HOST: written });
      expect(host.source).toBe('OLLAMA_HOST');
      const info = await new OllamaBackend({ host: host.url, numCtx: 4096 }).describe('sim-fast:latest');
      expect(info.contextLength).toBe(40960);
    }
  });

  it('an unknown model is one line telling the user to pull it', async () => {
    const error = await caught(new OllamaBackend({ host: clean.url, numCtx: 4096 }).describe('qwq'));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toBe(`model 'qwq' not found on ${clean.url}: run \`ollama pull qwq\``);
  });

  it('a refused connection says where it tried and what to do', async () => {
    const port = await closedPort();
    const backend = new OllamaBackend({ host: `http://127.0.0.1:${port}`, numCtx: 4096, preflightRetry: { ...fastRetry, maxAttempts: 2 } });
    const error = await caught(backend.describe('sim-fast'));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach Ollama at http://127\\.0\\.0\\.1:${port}: is \`ollama serve\` running\\? \\(set --host or OLLAMA_HOST; fetch failed: ECONNREFUSED\\)$`),
    );
  });

  it('something that is not Ollama at that address is one line, with nothing printed', async () => {
    const log = vi.spyOn(console, 'log');
    try {
      const error = await caught(new OllamaBackend({ host: `${clean.url}/not-ollama`, numCtx: 4096 }).describe('sim-fast'));
      expect(error).toBeInstanceOf(BackendUnreachableError);
      expect((error as Error).message).toBe(
        `${clean.url}/not-ollama does not look like an Ollama server (GET /api/version: HTTP 404: 404 page not found) (set --host or OLLAMA_HOST)`,
      );
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });

  it('refuses a num_ctx larger than the model supports', async () => {
    const error = await caught(new OllamaBackend({ host: clean.url, numCtx: 65536 }).describe('sim-fast'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe("num_ctx: 65536 exceeds the context length of model 'sim-fast' (40960); use at most 40960");
  });
});

describe('complete', () => {
  it('assembles a completion from every chunk: text = tokens, alternatives, counts, durations', async () => {
    const backend = new OllamaBackend({ host: clean.url, numCtx: 8192 });
    const c = await backend.complete('sim-fast', request({ maxTokens: 4000 }));
    expect(c.text.length).toBeGreaterThan(0);
    expect(c.tokens.map((t) => t.text).join('')).toBe(c.text);
    expect(c.doneReason).toBe('stop');
    expect(c.decodedTokens).toBe(c.tokens.length);
    expect(c.promptTokens).toBe(tokenize(prompt).length);
    for (const t of c.tokens) {
      expect(t.top.length).toBeGreaterThanOrEqual(1);
      expect(t.top.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < t.top.length; i++) expect(t.top[i]!.logprob).toBeLessThanOrEqual(t.top[i - 1]!.logprob);
      expect(t.logprob).toBeLessThanOrEqual(0);
    }
    expect(c.tokens.some((t) => t.top.length === 3)).toBe(true);
    expect(c.wallMs).toBeGreaterThan(0);
    // Same seed, same completion; another seed, another one.
    expect(comparable(await backend.complete('sim-fast', request({ maxTokens: 4000 })))).toEqual(comparable(c));
    expect((await backend.complete('sim-fast', request({ seed: 2, maxTokens: 4000 }))).text).not.toBe(c.text);
  });

  it('maxTokens ends with "length" after exactly that many tokens', async () => {
    const c = await new OllamaBackend({ host: clean.url, numCtx: 4096 }).complete('sim-fast', request({ maxTokens: 5 }));
    expect(c.doneReason).toBe('length');
    expect(c.tokens).toHaveLength(5);
    expect(c.decodedTokens).toBe(5);
  });

  it('a stop string is removed from the text and its tokens; the invariant still holds', async () => {
    const backend = new OllamaBackend({ host: clean.url, numCtx: 4096 });
    let checked = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const free = await backend.complete('sim-fast', request({ seed }));
      const at = free.text.indexOf(' the');
      if (at < 0) continue;
      const c = await backend.complete('sim-fast', request({ seed, stop: [' the'] }));
      expect(c.text).toBe(free.text.slice(0, at));
      expect(c.doneReason).toBe('stop');
      expect(c.tokens.map((t) => t.text).join('')).toBe(c.text);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('through a faulty server (500, 503, cut streams, error lines, no done) returns what a clean server returns', async () => {
    const retries: string[] = [];
    const reference = new OllamaBackend({ host: clean.url, numCtx: 4096 });
    const backend = new OllamaBackend({ host: faulty.url, numCtx: 4096, retry: fastRetry, onRetry: (info) => retries.push(String(info.error)) });
    for (let seed = 1; seed <= 24; seed++) {
      const expected = await reference.complete('sim-fast', request({ seed }));
      const got = await backend.complete('sim-fast', request({ seed }));
      expect(comparable(got)).toEqual(comparable(expected));
    }
    const faults = faulty.stats().faults;
    for (const kind of ['http500', 'http503', 'cut', 'errorline', 'nodone'] as const) expect(faults[kind]).toBeGreaterThan(0);
    expect(retries.length).toBe(Object.values(faults).reduce((a, b) => a + b, 0));
  });

  it('a stream cut in the middle of its body is retried from scratch and gives the clean result', async () => {
    const retried: unknown[] = [];
    const reference = new OllamaBackend({ host: clean.url, numCtx: 4096 });
    const backend = new OllamaBackend({ host: cutting.url, numCtx: 4096, retry: fastRetry, onRetry: (info) => retried.push(info.error) });
    for (let seed = 1; seed <= 6; seed++) {
      const r = request({ seed, maxTokens: 100 });
      expect(comparable(await backend.complete('sim-fast', r))).toEqual(comparable(await reference.complete('sim-fast', r)));
    }
    expect(retried.some((e) => e instanceof Error && e.name === 'StreamCutError' && /was cut/.test(e.message))).toBe(true);
  });

  it('a server that stays down stops with one clear line after bounded retries', async () => {
    let retried = 0;
    const backend = new OllamaBackend({ host: down.url, numCtx: 4096, retry: { ...fastRetry, maxAttempts: 4 }, onRetry: () => retried++ });
    const error = await caught(backend.complete('sim-fast', request()));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toMatch(/^Ollama at http:\/\/127\.0\.0\.1:\d+ kept failing for model 'sim-fast': gave up after 4 attempts over .* HTTP 503: server busy/);
    expect((error as Error).message).toContain('rerun to resume');
    expect(retried).toBe(3);
  });

  it('a server that went away mid-run: bounded retries, then one line saying what to do', async () => {
    const port = await closedPort();
    let retried = 0;
    const backend = new OllamaBackend({ host: `http://127.0.0.1:${port}`, numCtx: 4096, retry: { ...fastRetry, maxAttempts: 3 }, onRetry: () => retried++ });
    const error = await caught(backend.complete('sim-fast', request()));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach Ollama at http://127\\.0\\.0\\.1:${port}: is \`ollama serve\` running\\? \\(gave up after 3 attempts .*ECONNREFUSED\\) \\(finished requests are stored; rerun to resume\\)$`),
    );
    expect(retried).toBe(2);
  });

  it('never retries a 4xx', async () => {
    let retried = 0;
    const backend = new OllamaBackend({ host: clean.url, numCtx: 4096, retry: fastRetry, onRetry: () => retried++ });
    const before = clean.stats().requests;
    const error = await caught(backend.complete('no-such-model', request()));
    expect((error as Error).message).toBe(`model 'no-such-model' not found on ${clean.url}: run \`ollama pull no-such-model\``);
    expect(retried).toBe(0);
    expect(clean.stats().requests - before).toBe(1);
  });

  it('refuses bad request fields and a budget as large as num_ctx without sending anything', async () => {
    const backend = new OllamaBackend({ host: clean.url, numCtx: 256 });
    const before = clean.stats().requests;
    await expect(backend.complete('sim-fast', request({ maxTokens: 256 }))).rejects.toThrow(
      /prompt \(at least 1 token\) \+ maxTokens 256 does not fit num_ctx 256; raise num_ctx or lower the budget/,
    );
    await expect(backend.complete('sim-fast', request({ maxTokens: 10, topLogprobs: 21 }))).rejects.toThrow(/topLogprobs: expected an integer from 0 to 20/);
    expect(clean.stats().requests).toBe(before);
  });

  it('num_ctx: a prompt it cannot size is measured with a 1-token request, then served exactly up to the limit or refused', async () => {
    const n = tokenize(prompt).length;
    expect(Buffer.byteLength(prompt)).toBeGreaterThan(n); // so the byte bound alone would refuse both
    const numCtx = 256;
    const before = clean.stats().requests;
    const fits = await new OllamaBackend({ host: clean.url, numCtx }).complete('sim-fast', request({ maxTokens: numCtx - n }));
    expect(fits.promptTokens).toBe(n);
    expect(clean.stats().requests - before).toBe(2); // the measurement, then the request

    const error = await caught(new OllamaBackend({ host: clean.url, numCtx }).complete('sim-fast', request({ maxTokens: numCtx - n + 1 })));
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`prompt (${n} tokens, measured) + maxTokens ${numCtx - n + 1} does not fit num_ctx ${numCtx}`);
    expect(clean.stats().requests - before).toBe(3);
  });

  it('an abort (Ctrl-C) stops the stream at once and is never retried', async () => {
    let retried = 0;
    const backend = new OllamaBackend({ host: slow.url, numCtx: 4096, retry: fastRetry, onRetry: () => retried++ });
    const controller = new AbortController();
    const pending = backend.complete('sim-fast', request(), controller.signal);
    setTimeout(() => controller.abort(new DOMException('interrupted', 'AbortError')), 100);
    const error = await caught(pending);
    expect((error as Error).name).toBe('AbortError');
    expect(retried).toBe(0);
    expect(slow.stats().requests).toBe(1);
  });

  it('both think-prefill cases: thinking opened by the prompt, or written by the model', async () => {
    const backend = new OllamaBackend({ host: clean.url, numCtx: 16384 });
    const info = await backend.describe('sim-fast');
    for (const prefillThink of [true, false]) {
      const template = pickTemplate(info, undefined, { prefillThink });
      const c = await backend.complete('sim-fast', request({ prompt: template.render({ question: 'What is 17 + 25?' }), maxTokens: 4000 }));
      expect(c.doneReason).toBe('stop');
      const bounds = thinkingBounds(template, c.text);
      expect(c.text.startsWith(template.thinkOpen)).toBe(!prefillThink);
      expect(bounds.thinkingEnd).toBeGreaterThan(bounds.thinkingStart);
      expect(c.text.slice(bounds.thinkingStart, bounds.thinkingEnd)).not.toContain('<think>');
      expect(c.text.slice(bounds.answerStart)).toMatch(/\\boxed\{/);
    }
  });

  it('an idle stream times out, is retried, and ends in one clear line', async () => {
    const retries: unknown[] = [];
    const backend = new OllamaBackend({ host: slow.url, numCtx: 4096, timeoutMs: 5, retry: { ...fastRetry, maxAttempts: 2 }, onRetry: (i) => retries.push(i.error) });
    const error = await caught(backend.complete('sim-fast', request()));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect((error as Error).message).toMatch(/gave up after 2 attempts .*no data from .* for 5 ms/);
    expect(retries).toHaveLength(1);
  });
});

describe('complete against hostile servers (tests/fixtures/hostile-server.ts)', () => {
  const hostilePrompt = chatmlQwq().render({ question: `${HOSTILE_MARKER}: what is 2 + 3?` });
  const expectations: [HostileMode, 'input' | 'unreachable', RegExp][] = [
    ['invalid-json', 'input', /unusable reply: line 3: expected one JSON object per line/],
    ['nan-logprob', 'input', /unusable reply: line 3: .*NaN and Infinity are not JSON numbers/],
    ['infinite-logprob', 'input', /unusable reply: line 3: logprobs entry 2 logprob is -Infinity/],
    ['positive-logprob', 'input', /unusable reply: line 3: logprobs entry 2 logprob is 2;/],
    ['few-alternatives', 'input', /unusable reply: line 2: logprobs entry 1 lists 3 alternatives, 20 were asked/],
    ['flood', 'input', /unusable reply: line \d+: the server sent more than 48 tokens for num_predict 40/],
    ['huge-line', 'input', /unusable reply: line 3: the server sent a line longer than 1048576 bytes/],
    ['html', 'unreachable', /\/api\/generate \(model 'hostile-qwq'\) answered text\/html: is this an Ollama server\?/],
    ['escape-error', 'unreachable', /server error mid-stream: \\u001b\[2J\\u001b\]0;pwned\\u0007/],
  ];

  it.each(expectations)('%s: one typed error, not retried, nothing printed', async (mode, kind, what) => {
    const server = await startHostileServer(mode);
    const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error'), vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    try {
      let retried = 0;
      const backend = new OllamaBackend({ host: server.url, numCtx: 4096, retry: fastRetry, onRetry: () => retried++ });
      const ordinary = await backend.complete(HOSTILE_MODEL, request({ prompt: chatmlQwq().render({ question: 'What is 2 + 3?' }), maxTokens: 40, topLogprobs: 20 }));
      expect(ordinary.text).toContain('\\boxed{5}');
      const error = await caught(backend.complete(HOSTILE_MODEL, request({ prompt: hostilePrompt, maxTokens: 40, topLogprobs: 20 })));
      expect(error).toBeInstanceOf(kind === 'input' ? InputError : BackendUnreachableError);
      expect((error as Error).message).toMatch(what);
      expect((error as Error).message).not.toMatch(/[\u0000-\u001f]/);
      expect(retried).toBe(0);
      expect(server.stats()).toEqual({ generate: 2, hostile: 1 });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      await server.close();
    }
  });

  it('a trickle meets the overall deadline (not retried), though bytes keep coming', async () => {
    const server = await startHostileServer('trickle');
    try {
      const backend = new OllamaBackend({ host: server.url, numCtx: 4096, retry: fastRetry, limits: { deadlineGraceMs: 200, minTokensPerSecond: 100 } });
      const error = await caught(backend.complete(HOSTILE_MODEL, request({ prompt: hostilePrompt, maxTokens: 40 })));
      expect(error).toBeInstanceOf(BackendUnreachableError);
      expect((error as Error).message).toMatch(/no complete reply within 0\.6 s for num_predict 40 \(expected at least 100 tokens\/s after 0\.2 s/);
      expect(server.stats().hostile).toBe(1);
    } finally {
      await server.close();
    }
  });
});
