import { createHash } from 'node:crypto';
import { BackendUnreachableError, escapeServerText, InputError } from '../core/errors.ts';
import type { Backend, Completion, CompletionRequest, ModelInfo } from './backend.ts';
import { PromptTokenEstimator } from './context-budget.ts';
import { resolveHost } from './host.ts';
import { errorOfBody, requestJson } from './http.ts';
import { BodyCut, mediaTypeOf, postJson, postTarget, readBody, readBoundedBody, type PostTarget } from './node-http.ts';
import { deadlineMs, replyLimitsFromEnv, type ReplyLimits } from './limits.ts';
import { GenerateStreamReader, type StreamedReply } from './stream.ts';
import { ErrorLine, UnusableReplyError, type GenerateLine } from './wire.ts';
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
import { reconcileTokens, TokenMismatch } from './tokens.ts';
import { checkCompletionRequest } from './request-check.ts';

/**
 * The Ollama backend: raw `/api/generate` streams with logprobs, read over undici line by line
 * (node-http.ts, stream.ts, wire.ts: every line validated, every reply bounded; README.md of this
 * folder). The preflight calls use `fetch`.
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
  /** Bounds on a reply (limits.ts); default: THINKPROBE_* environment variables, else the defaults there. */
  limits?: Partial<ReplyLimits>;
  retry?: RetryPolicy;
  /** Preflight retries (describe): short, so a server that is down is reported quickly. */
  preflightRetry?: RetryPolicy;
  onRetry?: (info: RetryInfo & { model: string }) => void;
  /** For tests: the jitter source. */
  random?: () => number;
  /** For tests: the fetch of the preflight calls (generation streams over undici, node-http.ts). */
  fetch?: typeof fetch;
}

const PREFLIGHT_RETRY: RetryPolicy = { maxAttempts: 3, baseMs: 200, maxDelayMs: 1000, maxTotalMs: 3000 };
/** Preflight replies (/api/show carries the template and license): generous, but bounded. */
const MAX_PREFLIGHT_BYTES = 16 << 20;

/** The request ran past its deadline (limits.ts): the server is too slow to serve a run. Not retried. */
export class ReplyDeadlineError extends Error {
  override readonly name = 'ReplyDeadlineError';
}

/** A 200 reply that is not NDJSON (an HTML page, plain text): not an Ollama server. Not retried. */
export class NotNdjsonError extends Error {
  override readonly name = 'NotNdjsonError';
  constructor(readonly mediaType: string) {
    super(`answered ${mediaType}`);
  }
}

/** Ollama streams application/x-ndjson; JSON-ish types from compatible servers are read and validated line by line. */
function isNdjsonType(type: string): boolean {
  return type === '' || type.includes('json');
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

export class OllamaBackend implements Backend {
  readonly label: string;
  readonly url: string;
  readonly numCtx: number;
  /** The bounds every reply is read under (options, else THINKPROBE_* variables, else defaults). */
  readonly limits: ReplyLimits;
  private readonly options: OllamaBackendOptions;
  private readonly baseFetch: typeof fetch;
  private readonly estimator = new PromptTokenEstimator();
  private readonly generateTarget: PostTarget;

  constructor(options: OllamaBackendOptions) {
    if (!Number.isInteger(options.numCtx) || options.numCtx < 1) {
      throw new InputError('num_ctx', `expected a positive integer context size, got ${String(options.numCtx)}`);
    }
    this.options = options;
    this.url = options.host ?? resolveHost().url;
    this.numCtx = options.numCtx;
    this.label = `ollama ${this.url}`;
    this.baseFetch = options.fetch ?? fetch;
    this.generateTarget = postTarget(new URL(`${this.url}/api/generate`));
    const fromEnv = replyLimitsFromEnv();
    this.limits = { ...fromEnv, ...(options.timeoutMs !== undefined ? { idleTimeoutMs: options.timeoutMs } : {}), ...options.limits };
  }

  private unreachable(error: unknown): BackendUnreachableError {
    return new BackendUnreachableError(
      `cannot reach Ollama at ${this.url}: is \`ollama serve\` running?`,
      `set --host or OLLAMA_HOST; ${describeError(error)}`,
    );
  }

  /** One preflight call: times out after 30 s (or the idle timeout if shorter) and stops when `signal` aborts. */
  private preflightJson(method: 'GET' | 'POST', path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const signals = [AbortSignal.timeout(Math.min(this.limits.idleTimeoutMs, 30_000)), ...(signal ? [signal] : [])];
    return requestJson(this.baseFetch, `${this.url}${path}`, { method, body, signal: AbortSignal.any(signals) }, MAX_PREFLIGHT_BYTES);
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

  private async serverVersion(signal?: AbortSignal): Promise<string> {
    try {
      const reply = await this.preflight('GET /api/version', () => this.preflightJson('GET', '/api/version', undefined, signal), signal);
      if (!isRecord(reply) || typeof reply['version'] !== 'string') throw new Error('no version field');
      return escapeServerText(reply['version'], 60);
    } catch (error) {
      if (error instanceof BackendUnreachableError || (signal?.aborted ?? false)) throw error;
      throw new BackendUnreachableError(`${this.url} does not look like an Ollama server (GET /api/version: ${describeError(error)})`, 'set --host or OLLAMA_HOST');
    }
  }

  private async showModel(model: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    let show: unknown;
    try {
      show = await this.preflight('POST /api/show', () => this.preflightJson('POST', '/api/show', { model }, signal), signal);
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 404) throw new BackendUnreachableError(`model '${model}' not found on ${this.url}: run \`ollama pull ${model}\``);
      if (status !== undefined) throw new BackendUnreachableError(`${this.url} refused POST /api/show for model '${model}'`, describeError(error));
      throw error;
    }
    if (!isRecord(show)) throw new BackendUnreachableError(`${this.url} did not answer POST /api/show as Ollama does (expected a JSON object)`);
    return show;
  }

  /** The digest identifies the weights in every cache key; /api/tags is where Ollama reports it. */
  private async modelDigest(model: string, show: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const tags = await this.preflight('GET /api/tags', () => this.preflightJson('GET', '/api/tags', undefined, signal), signal);
    const wanted = model.includes(':') ? model.toLowerCase() : `${model.toLowerCase()}:latest`;
    const models: unknown = isRecord(tags) ? tags['models'] : undefined;
    const listed = (Array.isArray(models) ? models : [])
      .filter(isRecord)
      .find((m) => String(m['name'] ?? '').toLowerCase() === wanted || String(m['model'] ?? '').toLowerCase() === wanted);
    const listedDigest = typeof listed?.['digest'] === 'string' && listed['digest'] !== '' ? listed['digest'] : undefined;
    return (
      listedDigest ??
      // Not listed (e.g. a remote model): derive a stable identity from everything /api/show told us.
      `show-sha256:${createHash('sha256')
        .update(JSON.stringify([show['modelfile'], show['template'], show['parameters'], show['details'], show['model_info']]))
        .digest('hex')}`
    );
  }

  async describe(model: string, signal?: AbortSignal): Promise<ModelInfo> {
    const version = await this.serverVersion(signal);
    checkServerVersion(version, this.url);
    const show = await this.showModel(model, signal);

    const capabilities = show['capabilities'];
    if (Array.isArray(capabilities) && capabilities.length > 0 && !capabilities.includes('completion')) {
      throw new InputError(`model '${model}'`, `expected a text-completion model; ${this.url} lists its capabilities as ${escapeServerText(capabilities.map(String).join(', '))}`);
    }
    const modelInfo = isRecord(show['model_info']) ? show['model_info'] : {};
    const contextEntry = Object.entries(modelInfo).find(([key, value]) => key.endsWith('.context_length') && typeof value === 'number' && value > 0);
    if (!contextEntry) {
      throw new BackendUnreachableError(`${this.url} did not report a context length for model '${model}' (POST /api/show: no model_info *.context_length)`);
    }
    const contextLength = contextEntry[1] as number;
    if (this.numCtx > contextLength) {
      throw new InputError('num_ctx', `${this.numCtx} exceeds the context length of model '${model}' (${contextLength}); use at most ${contextLength}`);
    }
    const details = isRecord(show['details']) ? show['details'] : {};
    return {
      name: model,
      digest: await this.modelDigest(model, show, signal),
      serverVersion: `ollama ${version}`,
      family: typeof details['family'] === 'string' ? details['family'] : '',
      templateText: typeof show['template'] === 'string' ? show['template'] : '',
      contextLength,
    };
  }

  async complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
    const where = `${this.url} /api/generate (model '${model}')`;
    checkCompletionRequest(request, where, { max: 20, whose: "Ollama's limit" });
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
    if (error instanceof TokenMismatch || error instanceof UnusableReplyError) return new InputError(where, `unusable reply: ${error.message}`);
    if (error instanceof NotNdjsonError) return new BackendUnreachableError(`${where} answered ${escapeServerText(error.mediaType, 60)}: is this an Ollama server?`, 'expected application/x-ndjson');
    if (error instanceof ReplyDeadlineError) return new BackendUnreachableError(`${where}: ${error.message}`, 'finished requests are stored; rerun to resume');
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

  /**
   * One try: POST, then read the stream (stream.ts) under three clocks: the user's abort, the idle
   * timeout (re-armed by each complete line, not each byte, so a trickle cannot keep it alive) and
   * the overall deadline from the token limit and the minimum rate. Any of them destroys the
   * request at once (node-http.ts); the first reason is what this attempt throws.
   */
  private async attempt(model: string, request: CompletionRequest, where: string, signal: AbortSignal | undefined): Promise<Completion> {
    if (signal?.aborted) throw abortError(signal);
    const post = postJson(this.generateTarget, JSON.stringify(generateBody(model, request, this.numCtx, this.options.keepAlive)), 'application/x-ndjson');
    let failure: unknown;
    const fail = (reason: unknown): void => {
      failure ??= reason;
      post.destroy();
    };
    const onUserAbort = (): void => fail(abortError(signal!));
    signal?.addEventListener('abort', onUserAbort, { once: true });
    const { idleTimeoutMs } = this.limits;
    const deadline = deadlineMs(this.limits, request.maxTokens);
    // One timer, refreshed per line: re-creating it per token was measurable churn.
    const idle = setTimeout(() => fail(new RequestTimeoutError(`no data from ${this.url} for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    const overall = setTimeout(() => fail(this.deadlineError(request.maxTokens, deadline)), deadline);
    const rearm = (): void => void idle.refresh();
    let bodyStarted = false;
    try {
      const response = await post.response;
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const text = await readBoundedBody(response, 64 << 10).catch(() => '');
        throw errorOfBody(status, response.statusMessage ?? '', text);
      }
      const type = mediaTypeOf(response);
      if (!isNdjsonType(type)) throw new NotNdjsonError(type);
      bodyStarted = true;
      rearm();
      const reader = new GenerateStreamReader({ maxTokens: request.maxTokens, topLogprobs: request.topLogprobs, maxLineBytes: this.limits.maxLineBytes }, rearm);
      await readBody(response, (chunk) => reader.push(chunk));
      const reply = reader.result();
      if (reply.final === undefined) {
        throw new StreamCutError(`the stream from ${this.url} ${reply.rest === '' ? 'ended without done' : 'was cut in the middle of a line'}`);
      }
      return completionOf(reply, reply.final, where);
    } catch (error) {
      post.destroy();
      if (signal?.aborted) throw abortError(signal);
      if (failure !== undefined) throw failure;
      if (error instanceof ErrorLine) throw new StreamErrorLine(escapeServerText(error.serverMessage, 300));
      if (error instanceof BodyCut || (bodyStarted && error instanceof TypeError)) throw new StreamCutError(`the stream from ${this.url} was cut: ${error.message}`);
      throw error;
    } finally {
      clearTimeout(idle);
      clearTimeout(overall);
      signal?.removeEventListener('abort', onUserAbort);
    }
  }

  private deadlineError(maxTokens: number, deadline: number): ReplyDeadlineError {
    return new ReplyDeadlineError(
      `no complete reply within ${(deadline / 1000).toFixed(1)} s for num_predict ${maxTokens} (expected at least ${this.limits.minTokensPerSecond} tokens/s after ${(this.limits.deadlineGraceMs / 1000).toFixed(1)} s; THINKPROBE_MIN_TOKENS_PER_S and THINKPROBE_DEADLINE_GRACE_MS set these)`,
    );
  }
}

function completionOf(reply: StreamedReply, final: GenerateLine, where: string): Completion {
  const text = reply.text;
  const doneReason = final.doneReason;
  if (doneReason !== 'stop' && doneReason !== 'length') {
    throw new InputError(where, `expected done_reason "stop" or "length", got ${escapeServerText(JSON.stringify(doneReason) ?? 'nothing', 60)}`);
  }
  // Built line by line when each line's entries spelled it (stream.ts); otherwise the whole reply is reconciled.
  const tokens = reply.tokens ?? reconcileTokens(text, reply.entries);
  const ms = (ns: number | undefined): number | undefined => (ns !== undefined && ns > 0 ? ns / 1e6 : undefined);
  const promptEvalMs = ms(final.promptEvalDuration);
  const evalMs = ms(final.evalDuration);
  return {
    text,
    tokens,
    doneReason,
    promptTokens: final.promptEvalCount ?? 0,
    decodedTokens: final.evalCount ?? tokens.length,
    ...(promptEvalMs !== undefined ? { promptEvalMs } : {}),
    ...(evalMs !== undefined ? { evalMs } : {}),
    wallMs: 0,
  };
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

export function createOllamaBackend(options: OllamaBackendOptions): OllamaBackend {
  return new OllamaBackend(options);
}
