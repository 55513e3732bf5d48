import { createHash } from 'node:crypto';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo, TextScore } from './backend.ts';
import { boundedText, exchange, HttpStatusError, isRetryable, NotOpenAIReply, statusError, type Timeouts } from './openai-http.ts';
import { excerpt, legacyEntries, readChoice, readUsage, ReplyShapeError, ServerErrorEvent, type FinishReason, type Usage } from './openai-reply.ts';
import { DEFAULT_SSE_LIMITS, readSse, SseFormatError } from './openai-sse.ts';
import { DEFAULT_RETRY_POLICY, describeError, RetriesExhaustedError, StreamCutError, withRetry, type RetryInfo, type RetryPolicy } from './retry.ts';
import { reconcileTokens, TokenMismatch, type WireLogprob } from './tokens.ts';
import { checkCompletionRequest } from './request-check.ts';

/**
 * The OpenAI-compatible completions backend (vLLM, SGLang, llama.cpp's llama-server, and the
 * simulator's /v1 API): `POST /v1/completions` with the rendered raw prompt, streamed as SSE,
 * `logprobs: k` in the legacy shape. Preflight through `GET /v1/models`; exact prompt lengths
 * through `POST /tokenize` where the server has it; exact L-hat in one request through `echo`
 * with logprobs where the server supports it (`scoreText`).
 *
 * Replies are read strictly (openai-reply.ts, openai-sse.ts): a malformed event, a bad logprob, a
 * reply past max_tokens or an HTML page is an error of that request, never printed raw.
 */

export interface OpenAIBackendOptions {
  /** Base URL without `/v1`, e.g. http://gpu-box:8000. */
  host: string;
  /** The run's context budget when the server does not report max_model_len. */
  numCtx: number;
  /** Inactivity timeout per request (default 5 min: the first token may wait in a long queue). */
  timeoutMs?: number;
  /** Overall deadline per request (default 60 min). */
  deadlineMs?: number;
  retry?: RetryPolicy;
  preflightRetry?: RetryPolicy;
  onRetry?: (info: RetryInfo & { model: string }) => void;
  maxLineBytes?: number;
  random?: () => number;
  fetch?: typeof fetch;
}

const PREFLIGHT_RETRY: RetryPolicy = { maxAttempts: 3, baseMs: 200, maxDelayMs: 1000, maxTotalMs: 3000 };
/** vLLM's --max-logprobs default; also the most any supported engine returns. */
export const MAX_TOP_LOGPROBS = 20;

interface ServedEntry {
  id: string;
  ownedBy: string;
  maxModelLen: number | undefined;
  identity: string;
}

type Capability = 'unknown' | 'yes' | 'no';

export class OpenAIBackend implements Backend {
  readonly label: string;
  readonly url: string;
  private readonly options: OpenAIBackendOptions;
  private readonly fetcher: typeof fetch;
  private engine = 'openai';
  private contextLength: number;
  private tokenizer: Capability = 'unknown';
  private echo: Capability = 'unknown';

  constructor(options: OpenAIBackendOptions) {
    if (!Number.isInteger(options.numCtx) || options.numCtx < 1) throw new InputError('num_ctx', `expected a positive integer context size, got ${String(options.numCtx)}`);
    this.options = options;
    this.url = options.host.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.label = `openai ${this.url}`;
    this.fetcher = options.fetch ?? fetch;
    this.contextLength = options.numCtx;
  }

  private timeouts(preflight = false): Timeouts {
    const inactivityMs = this.options.timeoutMs ?? 300_000;
    return preflight ? { inactivityMs: Math.min(inactivityMs, 30_000), deadlineMs: 30_000 } : { inactivityMs, deadlineMs: this.options.deadlineMs ?? 3_600_000 };
  }

  private retryOptions(policy: RetryPolicy, model: string, signal?: AbortSignal) {
    return {
      policy,
      isRetryable,
      ...(signal ? { signal } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      onRetry: (info: RetryInfo) => this.options.onRetry?.({ ...info, model }),
    };
  }

  /** One JSON request/reply (preflight, tokenize, scoring); the body is read whole but bounded. */
  private async json(path: string, body: unknown, preflight: boolean, signal?: AbortSignal): Promise<unknown> {
    const init: RequestInit = body === undefined ? { method: 'GET' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const ex = await exchange(this.fetcher, `${this.url}${path}`, init, this.timeouts(preflight), signal);
    try {
      if (!ex.response.ok) throw await statusError(ex.response);
      const type = ex.response.headers.get('content-type') ?? '';
      const text = await boundedText(ex.response, 256 * 1024 * 1024);
      if (!type.includes('json')) throw new NotOpenAIReply(`${path} answered ${type.includes('html') ? 'an HTML page' : excerpt(type || 'no content type')}, not JSON`);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new NotOpenAIReply(`${path} answered unparsable JSON`);
      }
    } catch (error) {
      throw ex.timedOut() ?? error;
    } finally {
      ex.done();
    }
  }

  async describe(model: string, signal?: AbortSignal): Promise<ModelInfo> {
    const entry = await this.findModel(model, signal);
    this.engine = entry.ownedBy;
    if (entry.maxModelLen !== undefined) this.contextLength = entry.maxModelLen;
    const count = await this.countTokens(model, 'thinkprobe', signal);
    if (count === undefined && entry.maxModelLen === undefined) this.contextLength = this.options.numCtx;
    if (this.options.numCtx > this.contextLength) {
      throw new InputError('num_ctx', `${this.options.numCtx} exceeds max_model_len of model '${model}' (${this.contextLength}); use at most ${this.contextLength}`);
    }
    const version = await this.serverVersion(signal);
    return {
      name: model,
      digest: `openai-sha256:${createHash('sha256').update(entry.identity).digest('hex')}`,
      serverVersion: version,
      // These servers report no chat template: it comes from --template or the suite.
      family: '',
      templateText: '',
      contextLength: this.contextLength,
    };
  }

  private async findModel(model: string, signal?: AbortSignal): Promise<ServedEntry> {
    let listed: unknown;
    try {
      listed = await withRetry(() => this.json('/v1/models', undefined, true, signal), this.retryOptions(this.options.preflightRetry ?? PREFLIGHT_RETRY, model, signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const cause = error instanceof RetriesExhaustedError ? error.cause : error;
      if (cause instanceof HttpStatusError || cause instanceof NotOpenAIReply) {
        throw new BackendUnreachableError(`${this.url} is not an OpenAI-compatible server: GET /v1/models: ${cause.message}`, 'check --host');
      }
      throw new BackendUnreachableError(`cannot reach an OpenAI-compatible server at ${this.url}: is vLLM, SGLang or llama-server running?`, `check --host; ${describeError(cause)}`);
    }
    const data = (listed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new BackendUnreachableError(`${this.url} is not an OpenAI-compatible server: GET /v1/models has no data list`);
    const entries = data.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'string');
    const found = entries.find((m) => m['id'] === model);
    if (!found) {
      const names = entries.map((m) => String(m['id'])).slice(0, 8).map((n) => excerpt(n, 80));
      throw new BackendUnreachableError(`model '${model}' is not served by ${this.url} (it serves ${names.join(', ') || 'no models'})`, 'check --model');
    }
    const maxLen = found['max_model_len'];
    const maxModelLen = Number.isInteger(maxLen) && (maxLen as number) > 0 ? (maxLen as number) : undefined;
    const ownedBy = typeof found['owned_by'] === 'string' ? found['owned_by'].replace(/[^\w.-]/g, '').slice(0, 40) || 'openai' : 'openai';
    const identity = JSON.stringify([found['id'], found['root'] ?? null, found['parent'] ?? null, maxModelLen ?? null, ownedBy]);
    return { id: model, ownedBy, maxModelLen, identity };
  }

  private async serverVersion(signal?: AbortSignal): Promise<string> {
    try {
      const reply = (await this.json('/version', undefined, true, signal)) as { version?: unknown } | null;
      if (typeof reply?.version === 'string' && /^[\w.+-]{1,40}$/.test(reply.version)) return `${this.engine} ${reply.version} (openai-compatible)`;
    } catch {
      // /version is vLLM's; others lack it
    }
    return `${this.engine} (openai-compatible)`;
  }

  /** Exact token count of `text` via /tokenize (vLLM and llama.cpp shapes), or undefined when the server has none. */
  async countTokens(model: string, text: string, signal?: AbortSignal): Promise<number | undefined> {
    if (this.tokenizer === 'no') return undefined;
    try {
      const body = { model, prompt: text, content: text, add_special_tokens: false, add_special: false };
      const policy = this.tokenizer === 'unknown' ? (this.options.preflightRetry ?? PREFLIGHT_RETRY) : (this.options.retry ?? DEFAULT_RETRY_POLICY);
      const reply = (await withRetry(() => this.json('/tokenize', body, false, signal), this.retryOptions(policy, model, signal))) as Record<string, unknown> | null;
      const tokens = reply?.['tokens'];
      const count = Number.isInteger(reply?.['count']) ? (reply?.['count'] as number) : Array.isArray(tokens) ? tokens.length : undefined;
      if (count === undefined) throw new NotOpenAIReply('/tokenize answered without tokens');
      const maxLen = reply?.['max_model_len'];
      if (Number.isInteger(maxLen) && (maxLen as number) > 0 && this.tokenizer === 'unknown' && this.contextLength === this.options.numCtx) this.contextLength = maxLen as number;
      this.tokenizer = 'yes';
      return count;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (this.tokenizer === 'unknown' && (error instanceof HttpStatusError || error instanceof NotOpenAIReply)) {
        this.tokenizer = 'no';
        return undefined;
      }
      throw this.explain(error, `${this.url} /tokenize (model '${model}')`, model);
    }
  }

  async complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const where = `${this.url} /v1/completions (model '${model}')`;
    checkCompletionRequest(request, where, { max: MAX_TOP_LOGPROBS, whose: "vLLM's default --max-logprobs" });
    const started = performance.now();
    try {
      await this.checkFits(model, request, where, signal);
      const completion = await withRetry(() => this.attempt(model, request, where, signal), this.retryOptions(this.options.retry ?? DEFAULT_RETRY_POLICY, model, signal));
      completion.wallMs = performance.now() - started;
      return completion;
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      throw this.explain(error, where, model);
    }
  }

  /** Prompt + max_tokens must fit the model's context: exact with a tokenizer endpoint, else left to the server's 400. */
  private async checkFits(model: string, request: CompletionRequest, where: string, signal?: AbortSignal): Promise<void> {
    // A byte-level tokenizer never makes more tokens than bytes: a prompt that fits by bytes needs no count.
    if (Buffer.byteLength(request.prompt, 'utf8') + request.maxTokens <= this.contextLength) return;
    const count = await this.countTokens(model, request.prompt, signal);
    if (count !== undefined && count + request.maxTokens > this.contextLength) {
      throw new InputError(where, `prompt (${count} tokens) + maxTokens ${request.maxTokens} does not fit max_model_len ${this.contextLength}; lower the budget`);
    }
  }

  private explain(error: unknown, where: string, model: string): unknown {
    if (error instanceof InputError || error instanceof BackendUnreachableError) return error;
    const cause = error instanceof RetriesExhaustedError ? error.cause : error;
    if (error instanceof RetriesExhaustedError) {
      return new BackendUnreachableError(`the OpenAI-compatible server at ${this.url} kept failing for model '${model}': ${error.message}`, 'finished requests are stored; rerun to resume');
    }
    if (cause instanceof HttpStatusError && cause.status === 404) return new BackendUnreachableError(`model '${model}' is not served by ${this.url}: ${cause.serverMessage}`);
    if (cause instanceof HttpStatusError) return new InputError(where, `the server refused the request: ${cause.message}`);
    if (cause instanceof NotOpenAIReply) return new BackendUnreachableError(`${where}: ${cause.message}; is this an OpenAI-compatible server?`);
    if (cause instanceof ReplyShapeError || cause instanceof TokenMismatch || cause instanceof SseFormatError) return new InputError(where, `unusable reply: ${cause.message}`);
    if (cause instanceof ServerErrorEvent) return new BackendUnreachableError(`${where}: server error mid-stream: ${cause.message}`);
    return error;
  }

  private body(model: string, request: CompletionRequest): Record<string, unknown> {
    const { temperature, topP, topK } = request.sampling;
    return {
      model,
      prompt: request.prompt,
      max_tokens: request.maxTokens,
      stop: [...request.stop],
      seed: request.seed,
      temperature,
      top_p: topP,
      // vLLM and SGLang disable top-k with -1; llama.cpp with 0.
      top_k: topK === 0 ? (this.engine === 'llamacpp' ? 0 : -1) : topK,
      logprobs: request.topLogprobs,
      stream: true,
      stream_options: { include_usage: true },
    };
  }

  private async attempt(model: string, request: CompletionRequest, where: string, signal?: AbortSignal): Promise<Completion> {
    const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(this.body(model, request)) };
    const ex = await exchange(this.fetcher, `${this.url}/v1/completions`, init, this.timeouts(), signal);
    try {
      if (!ex.response.ok) throw await statusError(ex.response);
      const type = ex.response.headers.get('content-type') ?? '';
      if (!type.includes('text/event-stream')) {
        throw new NotOpenAIReply(`the reply is ${type.includes('html') ? 'an HTML page' : excerpt(type || 'without a content type')}, not server-sent events`);
      }
      return await this.readStream(ex.response.body, ex.touch, request, where);
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const timeout = ex.timedOut();
      if (timeout) throw timeout;
      if (error instanceof TypeError) throw new StreamCutError(`the stream from ${this.url} was cut: ${error.message}`);
      throw error;
    } finally {
      ex.done();
    }
  }

  private async readStream(body: ReadableStream<Uint8Array> | null, touch: () => void, request: CompletionRequest, where: string): Promise<Completion> {
    if (body === null) throw new StreamCutError(`the reply from ${this.url} had no body`);
    const touched = (async function* () {
      for await (const chunk of body) {
        touch();
        yield chunk;
      }
    })();
    let text = '';
    const entries: WireLogprob[] = [];
    let finish: FinishReason | null = null;
    let usage: Usage | undefined;
    let events = 0;
    for await (const item of readSse(touched, { maxLineBytes: this.options.maxLineBytes ?? DEFAULT_SSE_LIMITS.maxLineBytes })) {
      if (item.kind === 'done') {
        if (finish === null) throw new StreamCutError(`the stream from ${this.url} ended with [DONE] but no finish_reason`);
        return this.completion(text, entries, finish, usage, request);
      }
      let event: unknown;
      try {
        event = JSON.parse(item.data);
      } catch {
        throw new ReplyShapeError(`event ${events + 1} is not JSON`);
      }
      events++;
      const piece = readChoice(event, request.topLogprobs, `event ${events}`);
      usage = readUsage(event) ?? usage;
      if (!piece) continue;
      text += piece.text;
      entries.push(...piece.entries);
      if (entries.length > request.maxTokens) throw new ReplyShapeError(`the server sent more than max_tokens ${request.maxTokens} tokens`);
      if (piece.finishReason !== null) finish = piece.finishReason;
    }
    throw new StreamCutError(`the stream from ${this.url} ended without data: [DONE]`);
  }

  private completion(text: string, entries: WireLogprob[], finish: FinishReason, usage: Usage | undefined, request: CompletionRequest): Completion {
    const tokens = reconcileTokens(text, entries);
    const decodedTokens = usage?.completionTokens ?? tokens.length;
    if (finish === 'length' && decodedTokens < request.maxTokens) {
      throw new ReplyShapeError(`the context filled up after ${decodedTokens} of ${request.maxTokens} tokens (max_model_len ${this.contextLength}); lower the budget`);
    }
    return { text, tokens, doneReason: finish, promptTokens: usage?.promptTokens ?? 0, decodedTokens, wallMs: 0 };
  }

  /**
   * Exact teacher-forced logprob of `continuation` after `context` in one request: the prompt is
   * context + continuation, `echo` returns the prompt's tokens with their logprobs (vLLM computes
   * them as prompt logprobs), and the tokens from the context's end on are the continuation's.
   * Undefined when the server does not echo prompt logprobs (llama.cpp): score token by token then.
   */
  async scoreText(model: string, request: { context: string; continuation: string }, signal?: AbortSignal): Promise<TextScore | undefined> {
    if (this.echo === 'no') return undefined;
    const prompt = request.context + request.continuation;
    const where = `${this.url} /v1/completions echo (model '${model}')`;
    const body = { model, prompt, max_tokens: 1, echo: true, logprobs: 1, temperature: 1, top_p: 1, top_k: this.engine === 'llamacpp' ? 0 : -1, seed: 0, stream: false };
    let reply: unknown;
    try {
      reply = await withRetry(() => this.json('/v1/completions', body, false, signal), this.retryOptions(this.options.retry ?? DEFAULT_RETRY_POLICY, model, signal));
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      if (this.echo === 'unknown' && error instanceof HttpStatusError && error.status === 400) {
        this.echo = 'no';
        return undefined;
      }
      throw this.explain(error, where, model);
    }
    try {
      const score = echoedScore(reply, request.context.length, prompt);
      this.echo = score ? 'yes' : 'no';
      return score;
    } catch (error) {
      throw this.explain(error, where, model);
    }
  }
}

/**
 * The continuation's tokens out of an echoed reply; undefined when the reply did not echo the
 * prompt, or its tokens cannot be lined up with the text (then the caller scores token by token).
 * Token texts are reconciled with the reply text as for generated tokens (tokens.ts: characters
 * split across byte tokens are rebuilt).
 */
export function echoedScore(reply: unknown, contextChars: number, prompt: string): TextScore | undefined {
  const choice = (reply as { choices?: unknown[] } | null)?.choices?.[0] as { text?: unknown; logprobs?: unknown } | undefined;
  if (typeof choice?.text !== 'string' || !choice.text.startsWith(prompt)) return undefined;
  const raw = choice.logprobs as { tokens?: unknown[]; token_logprobs?: unknown[] } | null | undefined;
  if (!raw || !Array.isArray(raw.tokens) || !Array.isArray(raw.token_logprobs)) return undefined;
  // The first prompt token has no logprob (null); a placeholder lets the strict reader check the rest.
  const patched = { ...raw, token_logprobs: raw.token_logprobs.map((v, i) => (i === 0 && v === null ? 0 : v)), top_logprobs: null };
  const entries = legacyEntries(patched, 0, 'choices[0]');
  let tokens;
  try {
    tokens = reconcileTokens(choice.text, entries);
  } catch (error) {
    if (error instanceof TokenMismatch) return undefined;
    throw error;
  }
  const tail: { text: string; logprob: number }[] = [];
  let at = 0;
  let aligned = false;
  for (const token of tokens) {
    const start = at;
    at += token.text.length;
    if (start >= prompt.length) break; // generated, not part of the prompt
    // A byte piece ('') at the context's end belongs to the character it starts: the continuation's.
    if (at < contextChars || (at === contextChars && token.text !== '')) continue;
    if (tail.length === 0) aligned = start === contextChars;
    tail.push({ text: token.text, logprob: token.logprob });
  }
  if (at < prompt.length || tail.length === 0) return undefined;
  return { tokens: tail, aligned };
}

export function createOpenAIBackend(options: OpenAIBackendOptions): OpenAIBackend {
  return new OpenAIBackend(options);
}
