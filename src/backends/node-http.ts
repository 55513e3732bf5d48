import { createRequire } from 'node:module';
import type { Client } from 'undici';
import { BodyTooLargeError } from './http.ts';

/**
 * The streaming request of the hot path on undici's low-level `Client.dispatch`, rather than `fetch`
 * or node:http: fetch wraps every body in WHATWG streams (a ReadableStream, a tee, a promise per
 * read) and every request in an AbortSignal; node:http builds a ClientRequest, an IncomingMessage
 * and a Readable per request and routes every chunk through stream events. On the request-heavy
 * suite either cost as much CPU as parsing the reply. Here the reply's Buffers arrive in handler
 * callbacks, keep-alive connections are reused per backend (Connections), and a request is stopped with
 * `destroy` (undici's abort): no streams, no signals, no DOMException.
 */

/** Where a POST goes, resolved from its URL once per backend rather than once per request. */
export interface PostTarget {
  readonly connections: Connections;
  readonly path: string;
  /** Header name/value pairs every request sends (the credentials of a `user:pass@` URL among them). */
  readonly headers: readonly string[];
}

/** One connection (an undici Client: it reconnects on demand) and whether a request of ours is on it. */
interface Connection {
  readonly client: Client;
  busy: boolean;
}

/**
 * Keep-alive connections to one origin, one request at a time on each, as many as requests run at
 * once. Not undici's Pool: it counts a connection busy until a turn after its reply ended, so a
 * request sent as soon as the previous reply was read opened a new connection every time.
 */
export class Connections {
  private readonly all: Connection[] = [];

  constructor(private readonly origin: string) {}

  take(): Connection {
    for (const connection of this.all) {
      if (!connection.busy) {
        connection.busy = true;
        return connection;
      }
    }
    const connection = { client: newClient(this.origin), busy: true };
    this.all.push(connection);
    return connection;
  }

  /** Closes a connection whose request was stopped before it was sent (still connecting, say), as node:http did. */
  discard(connection: Connection): void {
    const at = this.all.indexOf(connection);
    if (at >= 0) this.all.splice(at, 1);
    void connection.client.destroy().catch(() => undefined);
  }
}

let clientClass: typeof Client | undefined;

/**
 * undici's Client module alone, loaded on the first request: the package's index also loads fetch,
 * WebSocket, caches and interceptors, three times the CPU, which every `thinkprobe run` would pay
 * at its start. Our own clocks (idle timeout, overall deadline, abort) are the only ones: undici's
 * headers, body and connect timeouts are off, as node:http had none (a model load may hold the head
 * for minutes). Idle sockets are unref'd by undici, so idle connections never keep the process alive.
 */
function newClient(origin: string): Client {
  clientClass ??= createRequire(import.meta.url)('undici/lib/dispatcher/client.js') as typeof Client;
  return new clientClass(origin, { headersTimeout: 0, bodyTimeout: 0, connectTimeout: 0 });
}

export function postTarget(url: URL): PostTarget {
  const headers: string[] = [];
  // As node:http sent them for a URL with credentials (urlToHttpOptions' `auth`).
  if (url.username !== '' || url.password !== '') {
    const auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.push('authorization', `Basic ${Buffer.from(auth).toString('base64')}`);
  }
  return { connections: new Connections(url.origin), path: `${url.pathname}${url.search}`, headers };
}

export interface StreamingPost {
  /** The response head; rejects with the connection's error (its `code` says which). */
  readonly response: Promise<Reply>;
  /** Stops the request and its reply at once (the socket is not reused). */
  destroy(): void;
}

/** What reads a reply's body: `chunk` returns false to pause the parser until `Reply.resume`. */
interface Sink {
  chunk(chunk: Buffer): boolean;
  end(): void;
  fail(error: Error): void;
}

/** Body bytes kept for a reader that has not come yet, beyond which the parser is paused. */
const EARLY_BYTES = 64 << 10;

/**
 * The head of a reply, and its body for one reader. Chunks that come before the reader (with the
 * head, in the same socket read) are kept and handed over in order, under the reader's pauses.
 */
export class Reply {
  private sink: Sink | undefined;
  private early: Buffer[] | undefined;
  private earlyBytes = 0;
  private replayed = 0;
  private ended = false;
  private error: Error | undefined;

  constructor(
    readonly statusCode: number,
    readonly statusMessage: string,
    /** The first content-type header as sent ('' when absent). */
    readonly contentType: string,
    private readonly resumeParser: () => void,
    private readonly exchange: Exchange,
  ) {}

  /** Whether the body has ended or failed (nothing more will arrive). */
  get finished(): boolean {
    return this.ended || this.error !== undefined;
  }

  data(chunk: Buffer): boolean {
    if (this.sink !== undefined && this.early === undefined) return this.sink.chunk(chunk);
    (this.early ??= []).push(chunk);
    this.earlyBytes += chunk.length;
    return this.sink === undefined && this.earlyBytes < EARLY_BYTES;
  }

  end(): void {
    this.ended = true;
    if (this.sink !== undefined && this.early === undefined) this.sink.end();
  }

  fail(error: Error): void {
    this.error = error;
    if (this.sink !== undefined && this.early === undefined) this.sink.fail(error);
  }

  read(sink: Sink): void {
    this.sink = sink;
    if (this.early === undefined) this.settle(sink);
    // The parser may have been paused while nobody read (EARLY_BYTES): it goes on once all is handed over.
    else if (this.replay(sink)) this.resumeParser();
  }

  /** Continues after a pause of the reader: first what was kept, then the parser (a no-op when it is not paused). */
  resume(): void {
    if (this.early !== undefined && this.sink !== undefined && !this.replay(this.sink)) return;
    this.resumeParser();
  }

  destroy(): void {
    this.exchange.destroy();
  }

  /** Hands over what was kept until the reader pauses; whether all of it was. */
  private replay(sink: Sink): boolean {
    const early = this.early!;
    while (this.replayed < early.length) if (!sink.chunk(early[this.replayed++]!)) return false;
    this.early = undefined;
    this.settle(sink);
    return true;
  }

  private settle(sink: Sink): void {
    if (this.error !== undefined) sink.fail(this.error);
    else if (this.ended) sink.end();
  }
}

/** node:http's words for a connection that closed before the reply head: callers and messages expect them. */
function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function headError(error: Error): Error {
  return (error as { code?: unknown }).code === 'UND_ERR_SOCKET' ? hangUp() : error;
}

/** The first content-type among undici's raw header pairs, decoded as node:http does (latin1). */
function contentTypeOf(raw: Buffer[]): string {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 12 && name.toString('latin1').toLowerCase() === 'content-type') return raw[i + 1]!.toString('latin1');
  }
  return '';
}

/** undici's (legacy, unwrapped: the cheapest) dispatch handler for one POST. */
class Exchange {
  private abort: ((error?: Error) => void) | undefined;
  private destroyed = false;
  private reply: Reply | undefined;

  constructor(
    private readonly connections: Connections,
    private readonly connection: Connection,
    private readonly resolve: (reply: Reply) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    if (this.destroyed) abort(hangUp());
    else this.abort = abort;
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx heads are informational: the reply's own head follows.
    if (statusCode < 200) return true;
    this.reply = new Reply(statusCode, statusText, contentTypeOf(raw), resume, this);
    this.resolve(this.reply);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.reply === undefined || this.reply.data(chunk);
  }

  onComplete(): void {
    this.connection.busy = false;
    this.reply?.end();
  }

  onError(error: Error): void {
    this.connection.busy = false;
    if (this.reply === undefined) this.reject(headError(error));
    else this.reply.fail(error);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.abort !== undefined) {
      this.abort(hangUp());
      return;
    }
    // Not on a socket yet (connecting, say): fail now, and close the connection it waits for.
    this.reject(hangUp());
    this.connections.discard(this.connection);
  }
}

const JSON_TYPE = 'application/json';

export function postJson(target: PostTarget, body: string, accept: string): StreamingPost {
  const connection = target.connections.take();
  let exchange!: Exchange;
  const response = new Promise<Reply>((resolve, reject) => {
    exchange = new Exchange(target.connections, connection, resolve, reject);
  });
  const headers = ['content-type', JSON_TYPE, 'accept', accept, ...target.headers];
  connection.client.dispatch({ path: target.path, method: 'POST', headers, body }, exchange);
  return { response, destroy: () => exchange.destroy() };
}

/** The media type of a reply without parameters, lower case ('' when absent). */
export function mediaTypeOf(response: Reply): string {
  return response.contentType.split(';')[0]!.trim().toLowerCase();
}

/** A whole (error) body as text, refused once it passes `maxBytes`. */
export function readBoundedBody(response: Reply, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    response.read({
      chunk(chunk) {
        if (settled) return true;
        total += chunk.length;
        if (total > maxBytes) {
          settled = true;
          response.destroy();
          reject(new BodyTooLargeError(`a reply larger than ${maxBytes} bytes`));
          return true;
        }
        chunks.push(chunk);
        return true;
      },
      end() {
        if (!settled) resolve(Buffer.concat(chunks, total).toString('utf8'));
        settled = true;
      },
      fail(error) {
        if (!settled) reject(error);
        settled = true;
      },
    });
  });
}

/** The connection closed (or failed) before the reply's body ended. */
export class BodyCut extends Error {
  override readonly name = 'BodyCut';
}

/**
 * Reading replies yields the event loop after this much time in one turn. A server that answers
 * faster than we read (the simulator, a batched engine) leaves megabytes in the sockets, and one
 * socket read hands them over in one run of body chunks: parsing them all at once held the loop
 * for tens of milliseconds while timers and other streams waited.
 */
const READ_SLICE_MS = 4;
/** Whether this turn of the event loop has read reply data yet, and since when. */
let turnOpen = false;
let sliceStart = 0;
/** Replies paused at the end of a slice, resumed together on the next turn of the loop. */
const paused = new Set<Reply>();

function endTurn(): void {
  turnOpen = false;
  const waiting = [...paused];
  paused.clear();
  for (const response of waiting) response.resume();
}

/** Whether to go on reading `response` in this turn; when not, it is resumed on the next one (one setImmediate per turn, not per chunk). */
function goOnReading(response: Reply): boolean {
  if (!turnOpen) {
    turnOpen = true;
    sliceStart = performance.now();
    setImmediate(endTurn);
    return true;
  }
  if (performance.now() - sliceStart < READ_SLICE_MS) return true;
  paused.add(response);
  return false;
}

/** node:http's word for a body cut by the connection, which messages (StreamCutError) carry. */
function cutMessage(error: Error): string {
  return (error as { code?: unknown }).code === 'UND_ERR_SOCKET' ? 'aborted' : error.message;
}

/**
 * Feeds the body to `push` chunk by chunk until `push` returns true (the reply is complete) or the
 * body ends; rejects with what `push` throws or with BodyCut when the connection closes first.
 * Between chunks it may pause the reply for a turn of the event loop (READ_SLICE_MS).
 */
export function readBody(response: Reply, push: (chunk: Buffer) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let drained: Drain | undefined;
    response.read({
      chunk(chunk) {
        if (drained !== undefined) return drained.chunk(chunk);
        if (settled) return true;
        try {
          if (!push(chunk)) return goOnReading(response);
          settled = true;
          paused.delete(response);
          resolve();
          drained = new Drain(response);
        } catch (error) {
          settled = true;
          paused.delete(response);
          reject(error);
        }
        return true;
      },
      end() {
        drained?.stop();
        if (!settled) resolve();
        settled = true;
      },
      fail(error) {
        drained?.stop();
        paused.delete(response);
        if (!settled) reject(new BodyCut(cutMessage(error)));
        settled = true;
      },
    });
  });
}

/** Past the final line a server has nothing more to say: a little is read so the socket can be reused, not more. */
const DRAIN_BYTES = 64 << 10;
const DRAIN_MS = 1000;

class Drain {
  private extra = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly response: Reply) {
    // The end of the body usually arrives in the same socket read as the final line: a timer is
    // started only when it has not by the time this read is handled.
    queueMicrotask(() => {
      if (this.stopped || response.finished) return;
      this.timer = setTimeout(() => response.destroy(), DRAIN_MS);
      this.timer.unref();
    });
  }

  chunk(chunk: Buffer): boolean {
    this.extra += chunk.length;
    if (this.extra > DRAIN_BYTES) this.response.destroy();
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
