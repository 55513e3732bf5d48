/**
 * The simulator's HTTP server: routing only. Ollama's API (ollama-inference.ts for /api/generate
 * and /api/chat, ollama-meta.ts for `GET /`, /api/version, /api/tags, /api/show, /api/ps), the
 * OpenAI-compatible API (openai.ts: /v1/models, /v1/completions, /tokenize, /detokenize,
 * /version), and /sim/stats, all over one set of KV-cache slots and counters (context.ts).
 * Response shapes, status codes and error wording follow each server's own (see the README).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../core/errors.ts';
import { zeroCounters, type Counters, type Routes, type ServerConfig, type ServerContext } from './context.ts';
import type { FaultKind } from './faults.ts';
import { HttpError } from './http-error.ts';
import { sendJson, sendText } from './http-io.ts';
import { ollamaInference } from './ollama-inference.ts';
import { ollamaMetaRoutes } from './ollama-meta.ts';
import { openaiRoutes } from './openai.ts';
import { SlotPool } from './slots.ts';
import { NoAnswerNotices } from './no-answer.ts';
import { TokenVocab } from './vocab.ts';

export { simOllamaVersion } from './ollama-meta.ts';
export type { ServerConfig } from './context.ts';

export interface SimStats {
  /** Inference requests received (/api/generate, /api/chat and /v1/completions). */
  requests: number;
  /** Prompt tokens prefilled because no slot held them. */
  prefill_new_tokens: number;
  /** Prompt tokens served from a slot's KV cache. */
  prefill_cached_tokens: number;
  /** Tokens generated (including those later cut by a stop string). */
  decoded_tokens: number;
  /** Requests currently generating, and waiting for a slot. */
  active: number;
  queued: number;
  /** Injected faults by kind. */
  faults: Record<FaultKind, number>;
  slots: { id: number; busy: boolean; cached_tokens: number }[];
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  host: string;
  stats(): SimStats;
  close(): Promise<void>;
}

function statsOf(counters: Counters, slots: SlotPool): SimStats {
  return {
    requests: counters.requests,
    prefill_new_tokens: counters.prefillNew,
    prefill_cached_tokens: counters.prefillCached,
    decoded_tokens: counters.decoded,
    active: counters.active,
    queued: slots.waiting,
    faults: { ...counters.faults },
    slots: slots.slots.map((slot) => ({ id: slot.id, busy: slot.busy, cached_tokens: slot.tokens.length })),
  };
}

function allRoutes(ctx: ServerContext, stats: () => SimStats): Routes {
  return {
    ...ollamaMetaRoutes(ctx),
    '/api/generate': { POST: (req, res) => ollamaInference(ctx, 'generate', req, res) },
    '/api/chat': { POST: (req, res) => ollamaInference(ctx, 'chat', req, res) },
    ...openaiRoutes(ctx),
    '/sim/stats': { GET: (_req, res) => sendJson(res, 200, stats()) },
    '/sim/stats/reset': {
      POST: (_req, res) => {
        // Reset in place: running generations hold a reference to these counters.
        Object.assign(ctx.counters, { ...zeroCounters(), active: ctx.counters.active });
        sendJson(res, 200, stats());
      },
    },
  };
}

/** Finds the handler; a handler's HttpError is answered as Ollama does, anything else is a simulator bug (never a stack trace). */
function dispatch(routes: Routes, config: ServerConfig, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = routes[path];
  const handler = route?.[req.method ?? 'GET'];
  if (!route) return sendText(res, 404, '404 page not found');
  if (!handler) return sendText(res, 405, '405 method not allowed');
  Promise.resolve()
    .then(() => handler(req, res))
    .catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        if (!res.writableEnded && !res.destroyed) res.end();
        return;
      }
      if (error instanceof HttpError) return sendJson(res, error.status, { error: error.message });
      config.onInternalError(`thinkprobe sim: internal error on ${req.method ?? '?'} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      sendJson(res, 500, { error: 'internal simulator error' });
    });
}

/** Bad --port/--host is the user's to fix: one clear line, exit 2. */
function bind(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new InputError('--port', `expected a free port; ${port} on ${host} is in use`));
      else if (error.code === 'EACCES') reject(new InputError('--port', `expected a port this user may bind; ${port} on ${host} is not allowed`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new InputError('--host', `expected a local address to bind, got "${host}"`));
      else reject(error);
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
}

export async function listen(config: ServerConfig, port: number, host: string): Promise<RunningServer> {
  const slots = new SlotPool(config.parallel, config.maxQueue);
  let requestNumber = 0;
  const ctx: ServerContext = {
    config,
    slots,
    vocab: new TokenVocab(),
    counters: zeroCounters(),
    nextRequest: () => ++requestNumber,
    noAnswer: new NoAnswerNotices(config.onNotice ?? (() => undefined)),
  };
  const stats = (): SimStats => statsOf(ctx.counters, slots);
  const routes = allRoutes(ctx, stats);
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    dispatch(routes, config, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await bind(server, port, host);
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host: address.address,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of inFlight) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
