/**
 * The simulator's OpenAI-compatible API, modelled on vLLM's server: `GET /v1/models` (with
 * `max_model_len`), `POST /v1/completions` (raw prompt; streaming SSE or not; `max_tokens`, `stop`,
 * `seed`, `temperature`/`top_p`/`top_k`, `logprobs: k` in the legacy shape, `echo`, vLLM's
 * `prompt_logprobs`), `POST /tokenize` and `/detokenize` (vLLM's and llama.cpp's body shapes),
 * `GET /version`. Same models, KV-cache slots (automatic prefix caching), latency and faults as the
 * Ollama API of the same server.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { version as thinkprobeVersion } from '../../core/version.ts';
import type { SimModel } from '../model/types.ts';
import type { ServedModel } from './catalog.ts';
import type { Routes, ServerContext } from './context.ts';
import { HttpError } from './http-error.ts';
import { readBody, sendJson } from './http-io.ts';
import { scorePrompt } from './openai-logprobs.ts';
import { parseCompletionsRequest, parseDetokenizeRequest, parseTokenizeRequest, type CompletionsRequest } from './openai-request.ts';
import { CompletionWriter, openaiError } from './openai-writer.ts';
import { runCompletion, type RunTotals } from './run.ts';
import { applyRequestFault, strikeAfter } from './request-fault.ts';

export const simOpenAIVersion = 'thinkprobe-sim';

function findModel(ctx: ServerContext, name: string): ServedModel {
  const served = ctx.config.catalog.find(name);
  if (!served) throw new HttpError(404, `The model \`${name}\` does not exist.`);
  return served;
}

function models(ctx: ServerContext, res: ServerResponse): void {
  const created = Math.floor(Date.now() / 1000);
  const data = ctx.config.catalog.list().map((served) => ({
    id: served.name,
    object: 'model',
    created,
    owned_by: simOpenAIVersion,
    // vLLM's root is the weights' path; the simulator's weights are its card: two cards served under one name differ here.
    root: `${served.name}@sha256:${served.digest.slice(0, 16)}`,
    parent: null,
    max_model_len: served.model().contextLength,
  }));
  sendJson(res, 200, { object: 'list', data });
}

/** vLLM refuses a request that cannot fit the context instead of truncating it. */
function checkContext(model: SimModel, request: CompletionsRequest, promptTokens: number): number {
  const maxTokens = request.maxTokens ?? model.contextLength - promptTokens;
  if (promptTokens + maxTokens > model.contextLength) {
    throw new HttpError(
      400,
      `This model's maximum context length is ${model.contextLength} tokens. However, you requested ${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
    );
  }
  return maxTokens;
}

async function completions(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.counters.requests++;
  const number = ctx.nextRequest();
  const startedAt = process.hrtime.bigint();
  const request = parseCompletionsRequest(await readBody(req));
  const served = findModel(ctx, request.model);
  const model = served.model();
  ctx.config.catalog.touch(served);
  if (request.prompt === '') throw new HttpError(400, 'prompt: must not be empty');
  const maxTokens = checkContext(model, request, model.tokenize(request.prompt).length);
  ctx.noAnswer.check(model, request.prompt, res);

  const midStream = await applyRequestFault(ctx, number);

  const needScores = request.promptLogprobs !== null || (request.echo && request.logprobs !== null);
  const scores = needScores ? scorePrompt(model, request.prompt) : undefined;
  const writer = new CompletionWriter({ res, request, model: request.model, id: `cmpl-sim-${number}`, scores, vocab: ctx.vocab, fault: midStream });
  const aborter = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  const seed = request.seed ?? Math.floor(Math.random() * 2 ** 31);
  const options = { numPredict: maxTokens, stop: request.stop, seed, temperature: request.temperature, topK: request.topK, topP: request.topP, numCtx: model.contextLength };
  ctx.counters.active++;
  let totals: RunTotals | undefined;
  try {
    totals = await runCompletion(
      { model, prompt: request.prompt, options, seed, truncate: false, logprobs: request.logprobs !== null, topLogprobs: request.logprobs ?? 0 },
      { slots: ctx.slots, vocab: ctx.vocab, latency: ctx.config.latency, stats: ctx.counters, signal: aborter.signal },
      {
        chunk: (text, entries) => writer.chunk(text, entries),
        flush: () => writer.flush(),
        get closed() {
          return writer.closed;
        },
        afterChunk: strikeAfter(midStream, writer),
      },
      startedAt,
    );
  } catch (error) {
    if (writer.closed) return;
    if (error instanceof HttpError && writer.failMidStream(error.message)) return;
    throw error;
  } finally {
    ctx.counters.active--;
  }
  if (totals === undefined || writer.closed || writer.struck) return;
  if (midStream) return writer.strike(); // due later than the generation lasted: it replaces the end
  writer.finish(totals);
}

function tokenModel(ctx: ServerContext, name: string | undefined): SimModel {
  if (name !== undefined) return findModel(ctx, name).model();
  const first = ctx.config.catalog.list()[0];
  if (!first) throw new HttpError(404, 'no model is served');
  return first.model();
}

async function tokenize(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = parseTokenizeRequest(await readBody(req));
  const model = tokenModel(ctx, request.model);
  const tokens = ctx.vocab.idsOf(model.tokenize(request.text));
  sendJson(res, 200, { count: tokens.length, max_model_len: model.contextLength, tokens });
}

async function detokenize(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = parseDetokenizeRequest(await readBody(req));
  if (request.model !== undefined) findModel(ctx, request.model);
  const text = ctx.vocab.textOf(request.tokens);
  if (text === undefined) throw new HttpError(400, 'tokens: contains token ids this server never issued');
  sendJson(res, 200, { prompt: text, content: text });
}

/** OpenAI-shaped errors for these routes (the Ollama routes keep Ollama's `{"error": "..."}`). */
function withOpenAIErrors(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (!(error instanceof HttpError) || res.headersSent) throw error;
      sendJson(res, error.status, openaiError(error.status, error.message));
    }
  };
}

export function openaiRoutes(ctx: ServerContext): Routes {
  return {
    '/v1/models': { GET: (_req, res) => models(ctx, res) },
    '/v1/completions': { POST: withOpenAIErrors((req, res) => completions(ctx, req, res)) },
    '/tokenize': { POST: withOpenAIErrors((req, res) => tokenize(ctx, req, res)) },
    '/detokenize': { POST: withOpenAIErrors((req, res) => detokenize(ctx, req, res)) },
    '/version': { GET: (_req, res) => sendJson(res, 200, { version: thinkprobeVersion }) },
  };
}
