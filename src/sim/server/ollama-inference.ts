/**
 * /api/generate and /api/chat: request -> prompt (raw, templated, or a chat), then one completion
 * (run.ts) written by the Ollama reply writer, with the injected faults of the request's number.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimModel } from '../model/types.ts';
import type { ServerContext } from './context.ts';
import { HttpError, OllamaMessages } from './http-error.ts';
import { readBody, sendJson } from './http-io.ts';
import { resolveModel } from './ollama-meta.ts';
import { OllamaReplyWriter } from './ollama-reply.ts';
import { effectiveSeed, resolveOptions, type GenerationOptions } from './options.ts';
import { parseChatRequest, parseGenerateRequest, type ChatMessage, type ChatRequest, type CommonRequest, type GenerateRequest, type ThinkValue } from './request.ts';
import { runCompletion, type RunTotals } from './run.ts';
import { ThinkingParser } from './thinking.ts';
import { applyRequestFault, strikeAfter } from './request-fault.ts';

type Kind = 'generate' | 'chat';
type Role = { role: 'system' | 'user' | 'assistant'; content: string };

interface Prepared {
  prompt: string;
  raw: boolean;
  options: GenerationOptions;
}

function thinkEnabled(think: ThinkValue | undefined): boolean {
  // Ollama turns thinking on when the request leaves `think` unset and the model can think.
  return think === undefined ? true : think !== false;
}

function checkRole(message: ChatMessage, index: number): Role {
  if (message.role === 'system' || message.role === 'user' || message.role === 'assistant') return { role: message.role, content: message.content };
  throw new HttpError(400, `messages[${index}]: role "${message.role}" is not supported by the simulator (expected system, user or assistant)`);
}

/** The prompt of a /api/generate request, or undefined when it only loads the model (empty prompt). */
function generatePrompt(ctx: ServerContext, request: GenerateRequest, model: SimModel): Prepared | undefined {
  const raw = request.raw;
  if (raw && (request.template !== '' || request.system !== '' || (request.context?.length ?? 0) > 0)) throw new HttpError(400, OllamaMessages.rawMode);
  if (request.suffix !== '') throw new HttpError(400, `"${request.model}" does not support insert`);
  const options = resolveOptions(request.options, model.template.stop, model.contextLength);
  if (request.prompt === '') return undefined;
  if (raw) return { prompt: request.prompt, raw, options };
  if (request.template !== '') throw new HttpError(400, 'custom templates are not supported by the simulator; render the prompt and send it with raw: true');
  const messages: Role[] = [];
  if (request.system !== '') messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: request.prompt });
  let prefix = '';
  if (request.context !== undefined) {
    const text = ctx.vocab.textOf(request.context);
    if (text === undefined) throw new HttpError(400, 'context contains token ids this server never issued');
    prefix = text;
  }
  return { prompt: prefix + model.template.render(messages, false), raw, options };
}

function chatPrompt(request: ChatRequest, model: SimModel): Prepared | undefined {
  const options = resolveOptions(request.options, model.template.stop, model.contextLength);
  if (request.messages.length === 0) return undefined;
  const messages = request.messages.map(checkRole);
  const last = messages[messages.length - 1];
  return { prompt: model.template.render(messages, last?.role === 'assistant'), raw: false, options };
}

function emptyReply(kind: Kind, model: string, doneReason: 'load' | 'unload'): Record<string, unknown> {
  const base = { model, created_at: new Date().toISOString() };
  return kind === 'generate' ? { ...base, response: '', done: true, done_reason: doneReason } : { ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: doneReason };
}

export async function ollamaInference(ctx: ServerContext, kind: Kind, req: IncomingMessage, res: ServerResponse): Promise<void> {
  ctx.counters.requests++;
  const number = ctx.nextRequest();
  const body = await readBody(req);
  const request = kind === 'generate' ? parseGenerateRequest(body) : parseChatRequest(body);
  const served = resolveModel(ctx, request.model);
  const empty = 'prompt' in request ? request.prompt === '' : request.messages.length === 0;
  if (empty && request.unload) {
    ctx.config.catalog.unload(served);
    return sendJson(res, 200, emptyReply(kind, request.model, 'unload'));
  }
  const model = served.model();
  ctx.config.catalog.touch(served);
  const startedAt = process.hrtime.bigint();
  const prepared = 'prompt' in request ? generatePrompt(ctx, request, model) : chatPrompt(request, model);
  if (!prepared) return sendJson(res, 200, emptyReply(kind, request.model, 'load'));
  ctx.noAnswer.check(model, prepared.prompt, res);
  await respond(ctx, { kind, request, prepared, think: thinkEnabled(request.think), model, number, startedAt, res });
}

interface Respond {
  kind: Kind;
  request: CommonRequest;
  prepared: Prepared;
  think: boolean;
  model: SimModel;
  number: number;
  startedAt: bigint;
  res: ServerResponse;
}

async function respond(ctx: ServerContext, r: Respond): Promise<void> {
  const { model, prepared, res } = r;
  const midStream = await applyRequestFault(ctx, r.number);

  const parser = r.think ? new ThinkingParser(model.template.thinkOpen, model.template.thinkClose) : undefined;
  if (parser && prepared.prompt.trim().endsWith(model.template.thinkOpen)) parser.add(model.template.thinkOpen);
  const writer = new OllamaReplyWriter({ res, kind: r.kind, model: r.request.model, stream: r.request.stream ?? true, parser, fault: midStream });
  const aborter = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      writer.closed = true;
      aborter.abort();
    }
  });

  ctx.counters.active++;
  let totals: RunTotals | undefined;
  try {
    const { options } = prepared;
    totals = await runCompletion(
      { model, prompt: prepared.prompt, options, seed: effectiveSeed(options.seed), truncate: r.request.truncate ?? true, logprobs: r.request.logprobs, topLogprobs: r.request.topLogprobs },
      { slots: ctx.slots, vocab: ctx.vocab, latency: ctx.config.latency, stats: ctx.counters, signal: aborter.signal },
      {
        chunk: (text, entries) => writer.emit(text, entries),
        flush: () => writer.writeLines(),
        get closed() {
          return writer.closed;
        },
        afterChunk: strikeAfter(midStream, writer),
      },
      r.startedAt,
    );
  } catch (error) {
    if (writer.closed) return; // the client left while queued
    if (error instanceof HttpError && writer.started) return writer.errorLine(error.message);
    throw error;
  } finally {
    ctx.counters.active--;
  }
  if (totals === undefined || writer.closed || writer.struck) return;
  if (midStream) return writer.strike(); // due later than the generation lasted: it strikes instead of the final chunk
  writer.finish(totals.finalText, totals.finalEntries, finalFields(ctx, r, totals));
}

/** done_reason, the templated /api/generate's context, and counts and durations (Go's omitempty drops zeros). */
function finalFields(ctx: ServerContext, r: Respond, totals: RunTotals): Record<string, unknown> {
  const final: Record<string, unknown> = { done_reason: totals.doneReason };
  if (r.kind === 'generate' && !r.prepared.raw) final['context'] = ctx.vocab.idsOf(r.model.tokenize(r.prepared.prompt + totals.output));
  const metrics: [string, number][] = [
    ['total_duration', Number(process.hrtime.bigint() - r.startedAt)],
    ['load_duration', totals.loadNs],
    ['prompt_eval_count', totals.promptEvalCount],
    ['prompt_eval_duration', totals.promptEvalNs],
    ['eval_count', totals.evalCount],
    ['eval_duration', totals.evalNs],
  ];
  for (const [key, value] of metrics) if (value > 0) final[key] = value;
  return final;
}
