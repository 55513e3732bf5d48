/**
 * The OpenAI-compatible backend against a hostile toy server (real HTTP, scripted replies): every
 * bad reply is an error of that request, named, never printed raw; cut streams and stalls are retried.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/backends/backend.ts';
import { OpenAIBackend } from '../../src/backends/openai.ts';
import { BackendUnreachableError, InputError } from '../../src/core/errors.ts';

type Script = (res: ServerResponse) => void;
let script: Script = (res) => res.end();
let completionsHits = 0;
let server: Server;
let url: string;

const event = (choice: Record<string, unknown>): string => `data: ${JSON.stringify({ id: 'x', object: 'text_completion', model: 'm', choices: [{ index: 0, finish_reason: null, ...choice }] })}\n\n`;
const tokenEvent = (token: string, logprob: number): string =>
  event({ text: token, logprobs: { tokens: [token], token_logprobs: [logprob], top_logprobs: [{ [token]: logprob }], text_offset: [0] } });
const sse = (res: ServerResponse, body: string): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(body);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'vllm', max_model_len: 4096 }] }));
      if (req.url === '/tokenize') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
      if (req.url === '/v1/completions') {
        completionsHits++;
        return script(res);
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request: CompletionRequest = { prompt: 'p', maxTokens: 3, stop: [], seed: 1, sampling: { temperature: 1, topP: 1, topK: 0 }, topLogprobs: 1 };
const backend = (timeoutMs = 10_000): OpenAIBackend => new OpenAIBackend({ host: url, numCtx: 4096, timeoutMs, retry: { maxAttempts: 3, baseMs: 1, maxDelayMs: 2, maxTotalMs: 5000 } });

async function failure(s: Script, timeoutMs?: number): Promise<Error> {
  script = s;
  const client = backend(timeoutMs);
  await client.countTokens('m', 'warm-up'); // learns that this server has no /tokenize
  completionsHits = 0;
  const error = await client.complete('m', request).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).not.toMatch(/[\n\u001b]/);
  return error as Error;
}

describe('OpenAI-compatible backend, hostile replies', () => {
  it('reads a well-formed stream', async () => {
    script = (res) => sse(res, `${tokenEvent('a', -0.1)}${tokenEvent('b', -0.2)}${event({ text: '', logprobs: null, finish_reason: 'stop' })}data: {"id":"x","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}\n\ndata: [DONE]\n\n`);
    await expect(backend().complete('m', request)).resolves.toMatchObject({ text: 'ab', doneReason: 'stop', promptTokens: 1, decodedTokens: 2 });
  });

  it('names an HTML page and does not retry it', async () => {
    const error = await failure((res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>\u001b[31mlogin</body></html>'));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect(error.message).toContain('an HTML page, not server-sent events');
    expect(completionsHits).toBe(1);
  });

  it('refuses a positive logprob, an unparsable event and tokens past max_tokens as errors of the request', async () => {
    let error = await failure((res) => sse(res, `${tokenEvent('a', 0.7)}data: [DONE]\n\n`));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('must not be positive');
    error = await failure((res) => sse(res, 'data: {"choices": [\n\ndata: [DONE]\n\n'));
    expect(error.message).toContain('event 1 is not JSON');
    error = await failure((res) => sse(res, `${tokenEvent('a', -1)}${tokenEvent('b', -1)}${tokenEvent('c', -1)}${tokenEvent('d', -1)}data: [DONE]\n\n`));
    expect(error.message).toContain('more than max_tokens 3');
    expect(completionsHits).toBe(1);
  });

  it('retries a stream cut before [DONE] and a stalled stream, then gives up in one line', async () => {
    let error = await failure((res) => sse(res, tokenEvent('a', -1)));
    expect(error).toBeInstanceOf(BackendUnreachableError);
    expect(error.message).toContain('ended without data: [DONE]');
    expect(completionsHits).toBe(3);
    error = await failure((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(tokenEvent('a', -1)); // then nothing: the inactivity timeout fires
    }, 400);
    expect(error.message).toContain('no data from');
    expect(completionsHits).toBe(3);
  });

  it("carries the server's error message, without control characters, and refuses 4xx without retrying", async () => {
    const error = await failure((res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'error', message: 'bad \u001b[2Jthing\nhere' })));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('bad  [2Jthing here');
    expect(completionsHits).toBe(1);
  });

  it('refuses an over-long event line', async () => {
    const small = new OpenAIBackend({ host: url, numCtx: 4096, maxLineBytes: 1000, retry: { maxAttempts: 1, baseMs: 1, maxDelayMs: 1, maxTotalMs: 100 } });
    script = (res) => sse(res, `data: ${'x'.repeat(5000)}\n\ndata: [DONE]\n\n`);
    await expect(small.complete('m', request)).rejects.toThrow(/longer than 1000 bytes/);
  });
});
