import { escapeServerText } from '../core/errors.ts';

/**
 * The few HTTP calls of the Ollama API, on `fetch`, with every body read under a size cap and
 * every server word escaped before it enters an error message. (The official client prints raw
 * server bytes through console.warn/console.log and skips lines it cannot parse.)
 */

/** An HTTP error status; named like the `ollama` client's error so httpStatusOf reads both. */
export class ResponseError extends Error {
  override readonly name = 'ResponseError';
  constructor(
    message: string,
    readonly status_code: number,
  ) {
    super(message);
  }
}

/** The body was larger than the cap for this kind of reply. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads a whole body, refusing it once it passes `maxBytes` (chunks are joined once). */
export async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(`a reply larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}

/** Ollama's `{"error": "..."}` text when the body has it, else the body itself, on one escaped line. */
export async function responseError(response: Response): Promise<ResponseError> {
  const text = await readBounded(response, 64 << 10).catch(() => '');
  return errorOfBody(response.status, response.statusText, text);
}

/** The error for an HTTP error status whose body was `text` (see responseError). */
export function errorOfBody(status: number, statusText: string, text: string): ResponseError {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed?.error === 'string') message = parsed.error;
  } catch {
    // not JSON (a proxy's HTML page, plain text): its words are the message
  }
  message = escapeServerText(message.replace(/\s+/g, ' ').trim(), 200);
  return new ResponseError(message || `${status} ${statusText}`, status);
}

/** GET or POST to an Ollama JSON endpoint; the reply must be JSON of at most `maxBytes`. */
export async function requestJson(
  fetchFn: typeof fetch,
  url: string,
  init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal },
  maxBytes: number,
): Promise<unknown> {
  const response = await fetchFn(url, {
    method: init.method,
    headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (!response.ok) throw await responseError(response);
  const text = await readBounded(response, maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`expected JSON, got ${mediaType(response) || 'no content-type'}: "${escapeServerText(text.replace(/\s+/g, ' ').trim(), 60)}"`);
  }
}

/** The media type of a reply without parameters, lower case ('' when absent). */
export function mediaType(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}
