/**
 * HTTP for the OpenAI-compatible backend: one request with an overall deadline, an inactivity
 * timeout and the user's abort signal; error replies read boundedly and turned into typed errors;
 * and which failures are worth a retry.
 */
import { RequestTimeoutError, StreamCutError, isTransientStreamMessage, socketErrorCode } from './retry.ts';
import { errorMessage, ServerErrorEvent } from './openai-reply.ts';

/** A non-2xx reply, with the server's own message (control characters removed, at most 300 chars). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly serverMessage: string,
  ) {
    super(`HTTP ${status}: ${serverMessage}`);
  }
}

/** A reply that is not what an OpenAI-compatible server sends (an HTML page, plain text, ...). */
export class NotOpenAIReply extends Error {
  override readonly name = 'NotOpenAIReply';
}

export interface Timeouts {
  /** No byte for this long aborts the request. */
  inactivityMs: number;
  /** The whole request, first byte to last. */
  deadlineMs: number;
}

export interface Exchange {
  response: Response;
  /** Call on every chunk read, to re-arm the inactivity timer. */
  touch(): void;
  /** The reason the request was stopped by a timer, if it was. */
  timedOut(): Error | undefined;
  done(): void;
}

const ERROR_BODY_CAP = 64 * 1024;

/** Reads at most `cap` bytes of a body as text. */
export async function boundedText(response: Response, cap = ERROR_BODY_CAP): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < cap) {
      const { value, done } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(parts).subarray(0, cap));
}

function describeType(contentType: string): string {
  if (contentType.includes('html')) return 'an HTML page';
  if (contentType === '') return 'a reply without a content type';
  return `${contentType.split(';')[0]}`;
}

/** An error reply as one typed error: the server's message when it sent JSON, else what it sent. */
export async function statusError(response: Response): Promise<HttpStatusError> {
  const type = response.headers.get('content-type') ?? '';
  const text = await boundedText(response);
  if (type.includes('json')) {
    try {
      return new HttpStatusError(response.status, errorMessage(JSON.parse(text)));
    } catch {
      // fall through: unparsable JSON is described, not quoted
    }
  }
  return new HttpStatusError(response.status, `${response.statusText || 'error'} (${describeType(type)}, not an OpenAI-style error)`);
}

/** Starts a request whose timers the caller keeps alive with `touch` while it reads the body. */
export async function exchange(fetcher: typeof fetch, url: string, init: RequestInit, timeouts: Timeouts, signal?: AbortSignal): Promise<Exchange> {
  const controller = new AbortController();
  let reason: Error | undefined;
  const stop = (error: Error): void => {
    reason ??= error;
    controller.abort(error);
  };
  let idle: NodeJS.Timeout | undefined;
  const touch = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => stop(new RequestTimeoutError(`no data from ${url} for ${timeouts.inactivityMs} ms`)), timeouts.inactivityMs);
  };
  const deadline = setTimeout(() => stop(new RequestTimeoutError(`${url} did not finish within ${timeouts.deadlineMs} ms`)), timeouts.deadlineMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = (): void => {
    clearTimeout(idle);
    clearTimeout(deadline);
    signal?.removeEventListener('abort', onAbort);
    controller.abort();
  };
  touch();
  try {
    const response = await fetcher(url, { ...init, signal: controller.signal });
    touch();
    return { response, touch, timedOut: () => reason, done };
  } catch (error) {
    done();
    throw reason ?? error;
  }
}

/** Failures that describe the server's state rather than the request: worth a retry. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof StreamCutError || error instanceof RequestTimeoutError) return true;
  if (error instanceof HttpStatusError) return error.status >= 500 || error.status === 429;
  if (error instanceof ServerErrorEvent) return isTransientStreamMessage(error.message);
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return false;
  const code = socketErrorCode(error);
  if (code !== undefined) return code !== 'ENOTFOUND';
  return error instanceof TypeError && /fetch failed|terminated|other side closed/i.test(error.message);
}
