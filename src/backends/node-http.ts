import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BodyTooLargeError } from './http.ts';

/**
 * The streaming request of the hot path on node:http rather than `fetch`: undici's fetch wraps
 * every body in WHATWG streams (a ReadableStream, a tee, transferable objects, a promise per read)
 * and every request in an AbortSignal, which cost more CPU than the model's whole reply on short
 * probe requests. Here a reply is read from plain `data` events of Buffers, one keep-alive agent per
 * backend reuses connections, and a request is stopped with `destroy`: no signals, no DOMException.
 */

export type KeepAliveAgent = HttpAgent | HttpsAgent;

/** Free sockets are unref'd by node's agent, so an idle pool never keeps the process alive. */
export function keepAliveAgent(url: URL): KeepAliveAgent {
  return url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
}

export interface StreamingPost {
  /** The response head; rejects with the connection's error (its `code` says which). */
  readonly response: Promise<IncomingMessage>;
  /** Stops the request and its reply at once (the socket is not reused). */
  destroy(): void;
}

/** Where a POST goes, resolved from its URL once per backend rather than once per request. */
export interface PostTarget {
  readonly https: boolean;
  readonly options: RequestOptions;
  readonly agent: KeepAliveAgent;
}

export function postTarget(url: URL): PostTarget {
  const agent = keepAliveAgent(url);
  return { https: url.protocol === 'https:', options: { ...urlToHttpOptions(url), method: 'POST', agent }, agent };
}

export function postJson(target: PostTarget, body: string, accept: string): StreamingPost {
  const send = target.https ? httpsRequest : httpRequest;
  let request: ClientRequest | undefined;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request = send({ ...target.options, headers: { 'content-type': 'application/json', accept, 'content-length': Buffer.byteLength(body) } });
    request.once('response', resolve);
    // `on`, not `once`: a socket error after the first must not become an uncaught 'error' event.
    request.on('error', reject);
    request.end(body);
  });
  return {
    response,
    destroy() {
      request?.destroy();
    },
  };
}

/** The media type of a reply without parameters, lower case ('' when absent). */
export function mediaTypeOf(response: IncomingMessage): string {
  return (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A whole (error) body as text, refused once it passes `maxBytes`. */
export function readBoundedBody(response: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    response.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        response.destroy();
        reject(new BodyTooLargeError(`a reply larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    response.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks, total).toString('utf8'));
    });
    response.on('error', reject);
    response.once('close', () => ended || reject(new Error('the connection closed before the reply ended')));
  });
}

/** The connection closed (or failed) before the reply's body ended. */
export class BodyCut extends Error {
  override readonly name = 'BodyCut';
}

/**
 * Reading replies yields the event loop after this much time in one turn. A server that answers
 * faster than we read (the simulator, a batched engine) leaves megabytes in the sockets, and node
 * hands a socket's buffered bytes over in one run of 'data' events (up to 32 reads of 64 KB each):
 * parsing them all at once held the loop for tens of milliseconds while timers and other streams
 * waited.
 */
const READ_SLICE_MS = 4;
/** Whether this turn of the event loop has read reply data yet, and since when. */
let turnOpen = false;
let sliceStart = 0;
/** Replies paused at the end of a slice, resumed together on the next turn of the loop. */
const paused = new Set<IncomingMessage>();

function endTurn(): void {
  turnOpen = false;
  const waiting = [...paused];
  paused.clear();
  for (const response of waiting) response.resume();
}

/** Pauses `response` until the next turn when this turn's reading has used its slice (one setImmediate per turn, not per chunk). */
function yieldWhenSliceUsed(response: IncomingMessage): void {
  if (!turnOpen) {
    turnOpen = true;
    sliceStart = performance.now();
    setImmediate(endTurn);
    return;
  }
  if (performance.now() - sliceStart < READ_SLICE_MS) return;
  paused.add(response);
  response.pause();
}

/**
 * Feeds the body to `push` chunk by chunk until `push` returns true (the reply is complete) or the
 * body ends; rejects with what `push` throws or with BodyCut when the connection closes first.
 * Between chunks it may pause the reply for a turn of the event loop (READ_SLICE_MS).
 */
export function readBody(response: IncomingMessage, push: (chunk: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      response.removeListener('data', onData);
      paused.delete(response);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      try {
        if (push(chunk)) {
          finish();
          drain(response);
        } else yieldWhenSliceUsed(response);
      } catch (error) {
        finish(error);
      }
    };
    response.on('data', onData);
    response.once('end', () => finish());
    // Errors are built only when still needed: 'close' follows every reply, and an Error's stack costs.
    response.on('error', (error) => settled || finish(new BodyCut(error.message)));
    response.once('close', () => settled || finish(new BodyCut('the connection closed before the reply ended')));
  });
}

/** Past the final line a server has nothing more to say: a little is read so the socket can be reused, not more. */
const DRAIN_BYTES = 64 << 10;
const DRAIN_MS = 1000;

function drain(response: IncomingMessage): void {
  if (response.complete) return;
  let extra = 0;
  const timer = setTimeout(() => response.destroy(), DRAIN_MS);
  timer.unref();
  response.on('data', (chunk: Buffer) => {
    extra += chunk.length;
    if (extra > DRAIN_BYTES) response.destroy();
  });
  response.once('close', () => clearTimeout(timer));
}
