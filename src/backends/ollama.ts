import { createHash } from 'node:crypto';
import { Ollama, type GenerateRequest, type GenerateResponse, type ShowResponse } from 'ollama';
import { BackendUnreachableError, InputError } from '../core/errors.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo } from './backend.ts';
import { PromptTokenEstimator } from './context-budget.ts';
import { resolveHost } from './host.ts';
import {
  DEFAULT_RETRY_POLICY,
  describeError,
  httpStatusOf,
  isTransientError,
  RequestTimeoutError,
  RetriesExhaustedError,
  socketErrorCode,
  StreamCutError,
  StreamErrorLine,
  withRetry,
  type RetryInfo,
  type RetryPolicy,
} from './retry.ts';
import { reconcileTokens, TokenMismatch, type WireLogprob } from './tokens.ts';

/**
 * The Ollama backend, on the official `ollama` client: raw `/api/generate` streams with logprobs.
 *
 * Every request: `raw: true` (the harness renders the template), `think: false` (no thinking
 * parser touches the text), `stream: true`, `logprobs: true`, explicit options with the run's fixed
 * `num_ctx`, `truncate: false` and `shift: false` (an over-long prompt is an error, not a silent
 * truncation; a full context ends the generation instead of shifting it).
 *
 * Failures: transient ones (connection, 5xx, cut streams, transient error lines, an idle timeout)
 * are retried with backoff (retry.ts); a user abort (Ctrl-C) stops the stream at once and is never
 * retried; everything else becomes one clear line: InputError for a request or reply that cannot
 * work, BackendUnreachableError when the server cannot be reached or cannot serve the run.
 */

/** logprobs on /api/generate arrived in Ollama 0.12.11. */
export const MIN_OLLAMA_VERSION = '0.12.11';

export interface OllamaBackendOptions {
  /** Base URL (see host.ts); default: OLLAMA_HOST, else http://127.0.0.1:11434. */
  host?: string;
  /** The run's fixed context size, sent as options.num_ctx with every request (changing it reloads the model). */
  numCtx: number;
  /** Ollama's keep_alive (e.g. "30m"), so the model stays loaded between a run's requests. */
  keepAlive?: string | number;
  /**
   * Per-request timeout, as inactivity: the request fails (and is retried) when no data arrives
   * for this long. Inactivity rather than total time, because one long trace legitimately streams
   * for many minutes; the first byte may wait for a model load. Default 5 minutes.
   */
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Preflight retries (describe): short, so a server that is down is reported quickly. */
  preflightRetry?: RetryPolicy;
  onRetry?: (info: RetryInfo & { model: string }) => void;
  /** For tests: the jitter source. */
  random?: () => number;
  fetch?: typeof fetch;
}

const PREFLIGHT_RETRY: RetryPolicy = { maxAttempts: 3, baseMs: 200, maxDelayMs: 1000, maxTotalMs: 3000 };
const CUT_MESSAGE = 'Did not receive done or success response in stream.';

/** Compares dotted versions numerically ("0.12.11" > "0.12.9"); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Logprobs need MIN_OLLAMA_VERSION; 0.0.0 is what a source build reports: unversioned, not too old. */
export function checkServerVersion(version: string, url: string): void {
  if (version !== '0.0.0' && compareVersions(version, MIN_OLLAMA_VERSION) < 0) {
    throw new BackendUnreachableError(`Ollama ${version} at ${url} is too old for logprobs; upgrade to >= ${MIN_OLLAMA_VERSION}`);
  }
}

/** A line per stream: error lines mid-stream, a trailing fragment of a cut line. */
interface StreamState {
  errorLine?: string;
  bodyStarted: boolean;
}

/**
 * Wraps a response body so that only complete NDJSON lines reach the client (a stream cut
 * mid-line would otherwise make it print "invalid json" and carry on), notes `{"error"}` lines,
 * and reports activity for the idle timeout.
 */
function watchBody(body: ReadableStream<Uint8Array>, state: StreamState, onActivity: () => void): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  const inspect = (lines: string): void => {
    for (const line of lines.split('\n')) {
      if (!line.includes('"error"')) continue;
      try {
        const parsed = JSON.parse(line) as { error?: unknown };
        if (typeof parsed.error === 'string') state.errorLine = parsed.error;
      } catch {
        // not JSON: the client skips it
      }
    }
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        state.bodyStarted = true;
        onActivity();
        buffer += decoder.decode(chunk, { stream: true });
        const end = buffer.lastIndexOf('\n');
        if (end < 0) return;
        const complete = buffer.slice(0, end + 1);
        buffer = buffer.slice(end + 1);
        inspect(complete);
        controller.enqueue(encoder.encode(complete));
      },
      flush(controller) {
        buffer += decoder.decode();
        if (buffer.trim() === '') return;
        try {
          JSON.parse(buffer);
          inspect(buffer);
          controller.enqueue(encoder.encode(`${buffer}\n`));
        } catch {
          // A fragment of a line: the stream was cut; the missing `done` makes the client say so.
        }
      },
    }),
  );
}

/**
 * The client prints "Getting text from response" to stdout for an error reply that is not JSON
 * (a proxy's HTML 502, say); we turn such replies into Ollama's `{"error"}` shape first, so the
 * terminal stays clean and the error still carries the server's words.
 */
async function errorAsJson(response: Response): Promise<Response> {
  if (response.ok || response.headers.get('content-type')?.includes('application/json')) return response;
  const text = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  return new Response(JSON.stringify({ error: text || `${response.status} ${response.statusText}` }), {
    status: response.status,
    statusText: response.statusText,
    headers: { 'content-type': 'application/json' },
  });
}

function fetchWith(base: typeof fetch, signal: AbortSignal, state: StreamState, onActivity: () => void): typeof fetch {
  return async (input, init) => {
    const signals = init?.signal ? [signal, init.signal] : [signal];
    const response = await errorAsJson(await base(input, { ...init, signal: AbortSignal.any(signals) }));
    onActivity();
    if (!response.ok || response.body === null) return response;
    return new Response(watchBody(response.body, state, onActivity), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export class OllamaBackend implements Backend {
  readonly label: string;
  readonly url: string;
  readonly numCtx: number;
  private readonly options: OllamaBackendOptions;
  private readonly baseFetch: typeof fetch;
  private readonly estimator = new PromptTokenEstimator();

  constructor(options: OllamaBackendOptions) {
    if (!Number.isInteger(options.numCtx) || options.numCtx < 1) {
      throw new InputError('num_ctx', `expected a positive integer context size, got ${String(options.numCtx)}`);
    }
    this.options = options;
    this.url = options.host ?? resolveHost().url;
    this.numCtx = options.numCtx;
    this.label = `ollama ${this.url}`;
    this.baseFetch = options.fetch ?? fetch;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 300_000;
  }

  private unreachable(error: unknown): BackendUnreachableError {
    return new BackendUnreachableError(
      `cannot reach Ollama at ${this.url}: is \`ollama serve\` running?`,
      `set --host or OLLAMA_HOST; ${describeError(error)}`,
    );
  }

  /** A client for preflight requests: each times out after 30 s (or timeoutMs if shorter) and stops when `signal` aborts. */
  private plainClient(signal?: AbortSignal): Ollama {
    const base = this.baseFetch;
    const timeout = Math.min(this.timeoutMs, 30_000);
    return new Ollama({
      host: this.url,
      fetch: async (input, init) => {
        const signals = [AbortSignal.timeout(timeout), ...(signal ? [signal] : []), ...(init?.signal ? [init.signal] : [])];
        return errorAsJson(await base(input, { ...init, signal: AbortSignal.any(signals) }));
      },
    });
  }

  private async preflight<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await withRetry(call, {
        policy: this.options.preflightRetry ?? PREFLIGHT_RETRY,
        signal,
        ...(this.options.random ? { random: this.options.random } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      const cause = error instanceof RetriesExhaustedError ? error.cause : error;
      if (httpStatusOf(cause) !== undefined) throw cause;
      if (socketErrorCode(cause) !== undefined || isTransientError(cause) || (cause instanceof Error && cause.name === 'TimeoutError')) {
        throw this.unreachable(cause);
      }
      throw new BackendUnreachableError(`${this.url} did not answer ${what} as Ollama does`, describeError(cause));
    }
  }

  async describe(model: string, signal?: AbortSignal): Promise<ModelInfo> {
    const client = this.plainClient(signal);

    let version: string;
    try {
      const reply = await this.preflight('GET /api/version', () => client.version(), signal);
      if (typeof reply?.version !== 'string') throw new Error('no version field');
      version = reply.version;
    } catch (error) {
      if (error instanceof BackendUnreachableError || (signal?.aborted ?? false)) throw error;
      throw new BackendUnreachableError(`${this.url} does not look like an Ollama server (GET /api/version: ${describeError(error)})`, 'set --host or OLLAMA_HOST');
    }
    checkServerVersion(version, this.url);

    let show: ShowResponse;
    try {
      show = await this.preflight('POST /api/show', () => client.show({ model }), signal);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404) throw new BackendUnreachableError(`model '${model}' not found on ${this.url}: run \`ollama pull ${model}\``);
      if (status !== undefined) throw new BackendUnreachableError(`${this.url} refused POST /api/show for model '${model}'`, describeError(error));
      throw error;
    }

    const capabilities = (show as ShowResponse & { capabilities?: unknown }).capabilities;
    if (Array.isArray(capabilities) && capabilities.length > 0 && !capabilities.includes('completion')) {
      throw new InputError(`model '${model}'`, `expected a text-completion model; ${this.url} lists its capabilities as ${capabilities.join(', ')}`);
    }
    const modelInfo = (show.model_info ?? {}) as unknown as Record<string, unknown>;
    const contextEntry = Object.entries(modelInfo).find(([key, value]) => key.endsWith('.context_length') && typeof value === 'number');
    if (!contextEntry) {
      throw new BackendUnreachableError(`${this.url} did not report a context length for model '${model}' (POST /api/show: no model_info *.context_length)`);
    }
    const contextLength = contextEntry[1] as number;
    if (this.numCtx > contextLength) {
      throw new InputError('num_ctx', `${this.numCtx} exceeds the context length of model '${model}' (${contextLength}); use at most ${contextLength}`);
    }

    // The digest identifies the weights in every cache key; /api/tags is where Ollama reports it.
    const tags = await this.preflight('GET /api/tags', () => client.list(), signal);
    const wanted = model.includes(':') ? model.toLowerCase() : `${model.toLowerCase()}:latest`;
    const models: unknown = tags?.models;
    const listed = (Array.isArray(models) ? (models as { name?: unknown; model?: unknown; digest?: unknown }[]) : []).find(
      (m) => String(m?.name ?? '').toLowerCase() === wanted || String(m?.model ?? '').toLowerCase() === wanted,
    );
    const listedDigest = typeof listed?.digest === 'string' && listed.digest !== '' ? listed.digest : undefined;
    const digest =
      listedDigest ??
      // Not listed (e.g. a remote model): derive a stable identity from everything /api/show told us.
      `show-sha256:${createHash('sha256')
        .update(JSON.stringify([show.modelfile, show.template, show.parameters, show.details, show.model_info]))
        .digest('hex')}`;

    return {
      name: model,
      digest,
      serverVersion: `ollama ${version}`,
      family: show.details?.family ?? '',
      templateText: show.template ?? '',
      contextLength,
    };
  }

  async complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const where = `${this.url} /api/generate (model '${model}')`;
    checkRequest(request, where);
    const started = performance.now();
    try {
      await this.checkFits(model, request, where, signal);
      const completion = await this.withRetries(model, request, where, signal);
      completion.wallMs = performance.now() - started;
      if (completion.doneReason === 'length' && completion.decodedTokens < request.maxTokens) {
        throw new InputError(
          where,
          `the context filled up after ${completion.decodedTokens} of ${request.maxTokens} tokens (prompt ${completion.promptTokens} tokens, num_ctx ${this.numCtx}); raise num_ctx or lower the budget`,
        );
      }
      return completion;
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw this.explain(error, where, model);
    }
  }

  /**
   * Refuses a request whose prompt + maxTokens cannot fit num_ctx. The estimate is conservative
   * (context-budget.ts); when it says "does not fit" but is not exact (e.g. a resumed run's branch
   * off a trunk that came from the store, whose length this backend never saw), the prompt is
   * measured with a 1-token request: its prompt_eval_count is exact, and its prefill is what the
   * real request would do first anyway (the server's KV cache keeps it). A false refusal would
   * stop a run that fits; a late one would waste the whole generation.
   */
  private async checkFits(model: string, request: CompletionRequest, where: string, signal?: AbortSignal): Promise<void> {
    const refuse = (tokens: string): never => {
      throw new InputError(where, `prompt (${tokens}) + maxTokens ${request.maxTokens} does not fit num_ctx ${this.numCtx}; raise num_ctx or lower the budget`);
    };
    if (request.maxTokens >= this.numCtx) refuse('at least 1 token');
    const estimate = this.estimator.estimate(request.prompt);
    if (estimate + request.maxTokens <= this.numCtx) return;
    const exact = this.estimator.exact(request.prompt);
    if (exact !== undefined) refuse(`${exact} tokens`);
    const probe = await this.withRetries(model, { ...request, maxTokens: 1, topLogprobs: 0 }, where, signal);
    if (probe.promptTokens + request.maxTokens > this.numCtx) refuse(`${probe.promptTokens} tokens, measured`);
  }

  private async withRetries(model: string, request: CompletionRequest, where: string, signal?: AbortSignal): Promise<Completion> {
    const completion = await withRetry(() => this.attempt(model, request, where, signal), {
      policy: this.options.retry ?? DEFAULT_RETRY_POLICY,
      signal,
      ...(this.options.random ? { random: this.options.random } : {}),
      onRetry: (info) => this.options.onRetry?.({ ...info, model }),
    });
    this.estimator.observe(request.prompt, completion.promptTokens, completion.text, completion.tokens.length);
    return completion;
  }

  /** Turns what is left after retries into one clear line. */
  private explain(error: unknown, where: string, model: string): unknown {
    if (error instanceof InputError || error instanceof BackendUnreachableError) return error;
    if (error instanceof TokenMismatch) return new InputError(where, `unusable reply: ${error.message}`);
    if (error instanceof RetriesExhaustedError) {
      const cause = error.cause;
      if (socketErrorCode(cause) !== undefined || (cause instanceof TypeError && /fetch failed/i.test(cause.message))) {
        return new BackendUnreachableError(
          `cannot reach Ollama at ${this.url}: is \`ollama serve\` running? (${error.message})`,
          'finished requests are stored; rerun to resume',
        );
      }
      return new BackendUnreachableError(`Ollama at ${this.url} kept failing for model '${model}': ${error.message}`, 'finished requests are stored; rerun to resume');
    }
    const status = httpStatusOf(error);
    if (status === 404) return new BackendUnreachableError(`model '${model}' not found on ${this.url}: run \`ollama pull ${model}\``);
    if (status !== undefined) return new InputError(where, `the server refused the request: ${describeError(error)}`);
    if (error instanceof StreamErrorLine) return new BackendUnreachableError(`${where}: ${error.message}`);
    return error;
  }

  private async attempt(model: string, request: CompletionRequest, where: string, signal: AbortSignal | undefined): Promise<Completion> {
    const controller = new AbortController();
    const onUserAbort = (): void => controller.abort(abortError(signal!));
    if (signal?.aborted) throw abortError(signal);
    signal?.addEventListener('abort', onUserAbort, { once: true });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new RequestTimeoutError(`no data from ${this.url} for ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    };
    const state: StreamState = { bodyStarted: false };
    const client = new Ollama({ host: this.url, fetch: fetchWith(this.baseFetch, controller.signal, state, arm) });

    const body = generateBody(model, request, this.numCtx, this.options.keepAlive);

    let text = '';
    const entries: WireLogprob[] = [];
    let final: GenerateResponse | undefined;
    arm();
    try {
      const stream = await client.generate(body as GenerateRequest & { stream: true });
      for await (const chunk of stream) {
        arm();
        if (typeof chunk.response === 'string') text += chunk.response;
        if (Array.isArray(chunk.logprobs)) entries.push(...(chunk.logprobs as WireLogprob[]));
        if (chunk.done) final = chunk;
      }
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      if (timedOut) throw new RequestTimeoutError(`no data from ${this.url} for ${this.timeoutMs} ms`);
      if (state.errorLine !== undefined) throw new StreamErrorLine(state.errorLine);
      if (error instanceof Error && error.message === CUT_MESSAGE) throw new StreamCutError(`the stream from ${this.url} ended without done`);
      if (state.bodyStarted && error instanceof TypeError) throw new StreamCutError(`the stream from ${this.url} was cut: ${error.message}`);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onUserAbort);
      controller.abort(); // releases the socket if the stream was left early; harmless otherwise
    }
    if (final === undefined) throw new StreamCutError(`the stream from ${this.url} ended without done`);

    const doneReason = final.done_reason;
    if (doneReason !== 'stop' && doneReason !== 'length') {
      throw new InputError(where, `expected done_reason "stop" or "length", got ${JSON.stringify(doneReason)}`);
    }
    const tokens = reconcileTokens(text, entries);
    const ms = (ns: unknown): number | undefined => (typeof ns === 'number' && ns > 0 ? ns / 1e6 : undefined);
    const promptEvalMs = ms(final.prompt_eval_duration);
    const evalMs = ms(final.eval_duration);
    return {
      text,
      tokens,
      doneReason,
      promptTokens: typeof final.prompt_eval_count === 'number' ? final.prompt_eval_count : 0,
      decodedTokens: typeof final.eval_count === 'number' ? final.eval_count : tokens.length,
      ...(promptEvalMs !== undefined ? { promptEvalMs } : {}),
      ...(evalMs !== undefined ? { evalMs } : {}),
      wallMs: 0,
    };
  }
}

/**
 * The /api/generate body for one completion. `truncate` and `shift` are Ollama request fields the
 * published OpenAPI document does not list yet (api/types.go has them since 0.12).
 */
export function generateBody(model: string, request: CompletionRequest, numCtx: number, keepAlive?: string | number) {
  return {
    model,
    prompt: request.prompt,
    raw: true,
    think: false,
    stream: true as const,
    logprobs: true,
    top_logprobs: request.topLogprobs,
    truncate: false,
    shift: false,
    options: {
      num_ctx: numCtx,
      num_predict: request.maxTokens,
      stop: [...request.stop],
      seed: request.seed,
      temperature: request.sampling.temperature,
      top_p: request.sampling.topP,
      top_k: request.sampling.topK,
    },
    ...(keepAlive !== undefined ? { keep_alive: keepAlive } : {}),
  };
}

function checkRequest(request: CompletionRequest, where: string): void {
  const fail = (field: string, expected: string): never => {
    throw new InputError(`${where}: ${field}`, expected);
  };
  if (typeof request.prompt !== 'string' || request.prompt === '') fail('prompt', 'expected a non-empty raw prompt');
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) fail('maxTokens', `expected a positive integer, got ${String(request.maxTokens)}`);
  if (!Number.isInteger(request.topLogprobs) || request.topLogprobs < 0 || request.topLogprobs > 20) {
    fail('topLogprobs', `expected an integer from 0 to 20 (Ollama's limit), got ${String(request.topLogprobs)}`);
  }
  if (!Array.isArray(request.stop) || request.stop.some((s) => typeof s !== 'string' || s === '')) fail('stop', 'expected an array of non-empty strings');
  if (!Number.isInteger(request.seed)) fail('seed', `expected an integer, got ${String(request.seed)}`);
  const { temperature, topP, topK } = request.sampling;
  if (!(temperature >= 0)) fail('sampling.temperature', `expected >= 0, got ${String(temperature)}`);
  if (!(topP > 0 && topP <= 1)) fail('sampling.topP', `expected a number in (0, 1], got ${String(topP)}`);
  if (!Number.isInteger(topK) || topK < 0) fail('sampling.topK', `expected an integer >= 0, got ${String(topK)}`);
}

export function createOllamaBackend(options: OllamaBackendOptions): OllamaBackend {
  return new OllamaBackend(options);
}
