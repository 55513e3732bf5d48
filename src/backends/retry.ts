/**
 * Retries for transient model-server failures: exponential backoff with full jitter
 * (delay_i = random() * min(maxDelayMs, baseMs * 2^i)), bounded both in attempts and in total
 * time. What counts as transient is decided here, once, for every backend:
 * connection errors, HTTP 5xx (503 = Ollama's queue is full, 500 = a runner crashed), streams
 * cut before `done`, per-request timeouts, and `{"error"}` lines mid-stream whose text looks
 * transient. Never 4xx (the request itself is wrong; sending it again cannot help), never a
 * user abort (Ctrl-C must stop at once).
 */

export interface RetryPolicy {
  /** Total tries, the first one included. */
  maxAttempts: number;
  /** Upper bound of the first delay. */
  baseMs: number;
  /** No single delay exceeds this. */
  maxDelayMs: number;
  /** No retry is started once this much time has passed since the first try (delays are clipped to it). */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  baseMs: 250,
  maxDelayMs: 15_000,
  maxTotalMs: 120_000,
};

/** Delay before retry number `retry` (0 = before the second try). `random` returns [0, 1). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/**
 * The whole schedule as a pure function: delays before tries 2..n, given that every try fails
 * instantly. Stops when attempts run out or the next delay would pass maxTotalMs.
 */
export function backoffSchedule(policy: RetryPolicy, random: () => number): number[] {
  const delays: number[] = [];
  let elapsed = 0;
  for (let retry = 0; retry < policy.maxAttempts - 1; retry++) {
    const delay = backoffDelay(policy, retry, random);
    if (elapsed + delay > policy.maxTotalMs) break;
    delays.push(delay);
    elapsed += delay;
  }
  return delays;
}

/** The server sent a stream that ended without a `done: true` line (connection dropped, runner died). */
export class StreamCutError extends Error {
  override readonly name = 'StreamCutError';
}

/** The server sent `{"error": "..."}` inside a 200 stream. */
export class StreamErrorLine extends Error {
  override readonly name = 'StreamErrorLine';
  constructor(readonly serverMessage: string) {
    super(`server error mid-stream: ${serverMessage}`);
  }
}

/** No data from the server for the per-request timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** Mid-stream error texts that describe the server's state rather than the request. */
const TRANSIENT_STREAM_ERROR =
  /runner|crash|terminated|exit status|unexpected eof|\beof\b|connection|reset|refused|broken pipe|busy|overload|unavailable|queue|try again|temporar|timed? ?out|deadline|out of memory|cuda|resource/i;

export function isTransientStreamMessage(message: string): boolean {
  return TRANSIENT_STREAM_ERROR.test(message);
}

const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The socket-level code of a fetch failure (undici wraps it in `cause`), if any. */
export function socketErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_SOCKET_CODES.has(code) || code === 'ENOTFOUND')) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** HTTP status of an `ollama` client ResponseError (the class is not exported, so test the name). */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof Error && error.name === 'ResponseError') {
    const status = (error as { status_code?: unknown }).status_code;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

export function isTransientError(error: unknown): boolean {
  if (error instanceof StreamCutError || error instanceof RequestTimeoutError) return true;
  if (error instanceof StreamErrorLine) return isTransientStreamMessage(error.serverMessage);
  const status = httpStatusOf(error);
  if (status !== undefined) return status >= 500;
  if (isAbortError(error)) return false;
  const code = socketErrorCode(error);
  if (code !== undefined) return code !== 'ENOTFOUND';
  // undici: "fetch failed" without a recognised cause, or "terminated" when the body socket closes.
  if (error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message)) return true;
  return false;
}

export interface RetryInfo {
  attempt: number;
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal | undefined;
  random?: () => number;
  /** Called before each wait, e.g. to log "retrying in 1.2 s after 503". */
  onRetry?: (info: RetryInfo) => void;
  isRetryable?: (error: unknown) => boolean;
  now?: () => number;
}

/** Thrown when retries are exhausted; `cause` is the last failure. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${(elapsedMs / 1000).toFixed(1)} s: ${describeError(cause)}`,
    );
  }
}

/** One line for any failure, including undici's `fetch failed` whose reason hides in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = httpStatusOf(error);
  if (status !== undefined) return `HTTP ${status}: ${error.message}`;
  const code = socketErrorCode(error);
  if (code !== undefined) return `${error.message}: ${code}`;
  return error.message;
}

/**
 * Runs `attempt` until it succeeds, fails permanently, is aborted, or the policy runs out.
 * A permanent failure or an abort is rethrown as is; exhaustion throws RetriesExhaustedError.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const isRetryable = options.isRetryable ?? isTransientError;
  const started = now();
  for (let tries = 1; ; tries++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(tries);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (!isRetryable(error)) throw error;
      const elapsed = now() - started;
      const delay = backoffDelay(policy, tries - 1, random);
      if (tries >= policy.maxAttempts || elapsed + delay > policy.maxTotalMs) {
        throw new RetriesExhaustedError(tries, elapsed, error);
      }
      options.onRetry?.({ attempt: tries, delayMs: delay, error });
      await sleep(delay, options.signal);
    }
  }
}

/** setTimeout as a promise that rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
