/**
 * The simulator's HTTP server: Ollama's API (/api/generate, /api/chat, /api/show, /api/tags,
 * /api/ps, /api/version, `GET /`) in front of the behaviour model, plus /sim/stats. Response
 * shapes, status codes, error wording, field omission and streaming follow Ollama's Go server
 * (server/routes.go); see the README in this folder for the deliberate deviations.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../core/errors.ts';
import type { SimModel } from '../model/types.ts';
import { HttpError, OllamaMessages } from './http-error.ts';
import { parseChatRequest, parseGenerateRequest, parseShowRequest, type ChatMessage, type CommonRequest, type ThinkValue } from './request.ts';
import { effectiveSeed, resolveOptions } from './options.ts';
import { SlotPool } from './slots.ts';
import { ThinkingParser } from './thinking.ts';
import { decideFault, type FaultDecision, type FaultKind } from './faults.ts';
import { TokenVocab } from './vocab.ts';
import { zeroCounters, type Routes, type ServerConfig, type ServerContext } from './context.ts';
import { readBody, sendJson, sendText, sleep } from './http-io.ts';
import { openaiRoutes } from './openai.ts';
import { runCompletion, type LogprobEntry, type RunSink, type RunTotals } from './run.ts';
import type { ModelCatalog, ServedModel } from './catalog.ts';

/** Version string /api/version reports: Ollama's API level the simulator follows, marked as the simulator. */
export const simOllamaVersion = '0.24.0-sim';

export interface SimStats {
  /** Inference requests received (/api/generate and /api/chat). */
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

export type { ServerConfig } from './context.ts';

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  host: string;
  stats(): SimStats;
  close(): Promise<void>;
}

function thinkEnabled(think: ThinkValue | undefined): boolean {
  // Ollama turns thinking on when the request leaves `think` unset and the model can think.
  return think === undefined ? true : think !== false;
}

function details(model: SimModel): Record<string, unknown> {
  return {
    parent_model: '',
    format: 'sim',
    family: model.template.family,
    families: [model.template.family],
    parameter_size: 'sim',
    quantization_level: 'none',
  };
}

/** Ollama's `ollama show` parameters text: `%-30s %#v` per value. */
function parametersText(model: SimModel): string {
  return model.template.stop.map((stop) => `${'stop'.padEnd(30)} ${JSON.stringify(stop)}`).join('\n');
}

export async function listen(config: ServerConfig, port: number, host: string): Promise<RunningServer> {
  const slots = new SlotPool(config.parallel, config.maxQueue);
  const vocab = new TokenVocab();
  const counters = zeroCounters();
  let requestNumber = 0;
  const inFlight = new Set<ServerResponse>();

  const stats = (): SimStats => ({
    requests: counters.requests,
    prefill_new_tokens: counters.prefillNew,
    prefill_cached_tokens: counters.prefillCached,
    decoded_tokens: counters.decoded,
    active: counters.active,
    queued: slots.waiting,
    faults: { ...counters.faults },
    slots: slots.slots.map((slot) => ({ id: slot.id, busy: slot.busy, cached_tokens: slot.tokens.length })),
  });

  const resolveModel = (name: string, notFoundStatus = 404): ServedModel => {
    if (name === '') throw new HttpError(400, OllamaMessages.modelRequired);
    const served = config.catalog.find(name);
    if (!served) throw new HttpError(notFoundStatus, OllamaMessages.notFound(name));
    return served;
  };

  async function inference(kind: 'generate' | 'chat', req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const number = ++requestNumber;
    const body = await readBody(req);
    const request = kind === 'generate' ? parseGenerateRequest(body) : parseChatRequest(body);
    const served = resolveModel(request.model);
    const empty = 'prompt' in request ? request.prompt === '' : request.messages.length === 0;
    if (empty && request.unload) {
      config.catalog.unload(served);
      const base = { model: request.model, created_at: new Date().toISOString() };
      sendJson(res, 200, 'prompt' in request ? { ...base, response: '', done: true, done_reason: 'unload' } : { ...base, message: { role: 'assistant', content: '' }, done: true, done_reason: 'unload' });
      return;
    }
    const model = served.model();
    config.catalog.touch(served);
    const startedAt = process.hrtime.bigint();
    const think = thinkEnabled(request.think);

    let prompt: string;
    let raw = false;
    if ('prompt' in request) {
      raw = request.raw;
      if (raw && (request.template !== '' || request.system !== '' || (request.context?.length ?? 0) > 0)) {
        throw new HttpError(400, OllamaMessages.rawMode);
      }
      if (request.suffix !== '') throw new HttpError(400, `"${request.model}" does not support insert`);
      const options = resolveOptions(request.options, model.template.stop, model.contextLength);
      if (request.prompt === '') {
        sendJson(res, 200, { model: request.model, created_at: new Date().toISOString(), response: '', done: true, done_reason: 'load' });
        return;
      }
      if (raw) {
        prompt = request.prompt;
      } else {
        if (request.template !== '') throw new HttpError(400, 'custom templates are not supported by the simulator; render the prompt and send it with raw: true');
        const messages: { role: 'system' | 'user' | 'assistant'; content: string }[] = [];
        if (request.system !== '') messages.push({ role: 'system', content: request.system });
        messages.push({ role: 'user', content: request.prompt });
        let prefix = '';
        if (request.context !== undefined) {
          const text = vocab.textOf(request.context);
          if (text === undefined) throw new HttpError(400, 'context contains token ids this server never issued');
          prefix = text;
        }
        prompt = prefix + model.template.render(messages, false);
      }
      await respond(kind, request, options, prompt, raw, think, model, number, startedAt, res);
    } else {
      const options = resolveOptions(request.options, model.template.stop, model.contextLength);
      if (request.messages.length === 0) {
        sendJson(res, 200, {
          model: request.model,
          created_at: new Date().toISOString(),
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: 'load',
        });
        return;
      }
      const messages = request.messages.map(checkRole);
      const last = messages[messages.length - 1];
      prompt = model.template.render(messages, last?.role === 'assistant');
      await respond(kind, request, options, prompt, false, think, model, number, startedAt, res);
    }
  }

  async function respond(
    kind: 'generate' | 'chat',
    request: CommonRequest,
    options: ReturnType<typeof resolveOptions>,
    prompt: string,
    raw: boolean,
    think: boolean,
    model: SimModel,
    number: number,
    startedAt: bigint,
    res: ServerResponse,
  ): Promise<void> {
    const stream = request.stream ?? true;
    const fault: FaultDecision | undefined = decideFault(config.faults, number);
    if (fault) counters.faults[fault.kind]++;
    if (fault?.kind === 'http500') throw new HttpError(500, OllamaMessages.runnerCrashed);
    if (fault?.kind === 'http503') throw new HttpError(503, OllamaMessages.busy);
    if (fault?.kind === 'slow') await sleep(config.faults?.slowMs ?? 0);
    const midStream = fault && (fault.kind === 'cut' || fault.kind === 'errorline' || fault.kind === 'nodone') ? fault : undefined;

    const parser = think ? new ThinkingParser(model.template.thinkOpen, model.template.thinkClose) : undefined;
    if (parser && prompt.trim().endsWith(model.template.thinkOpen)) parser.add(model.template.thinkOpen);

    const aborter = new AbortController();
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        aborter.abort();
      }
    });

    let lines: string[] = [];
    let headersSent = false;
    const writeLines = (): void => {
      if (!stream || lines.length === 0 || closed) return;
      if (!headersSent) {
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        headersSent = true;
      }
      res.write(lines.join(''));
      lines = [];
    };

    // Aggregation for stream:false.
    let allText = '';
    let allThinking = '';
    const allEntries: LogprobEntry[] = [];
    let faultStruck = false;

    const shape = (text: string, thinking: string, entries: LogprobEntry[], final?: Record<string, unknown>): Record<string, unknown> | undefined => {
      const created_at = new Date().toISOString();
      if (kind === 'generate') {
        const chunk: Record<string, unknown> = { model: request.model, created_at, response: text };
        if (thinking !== '') chunk['thinking'] = thinking;
        chunk['done'] = final !== undefined;
        if (final) Object.assign(chunk, final);
        if (entries.length > 0) chunk['logprobs'] = entries;
        return chunk;
      }
      // Ollama's chat handler drops a chunk the thinking parser is still deciding (with its logprobs).
      if (parser && text === '' && thinking === '' && final === undefined) return undefined;
      const message: Record<string, unknown> = { role: 'assistant', content: text };
      if (thinking !== '') message['thinking'] = thinking;
      const chunk: Record<string, unknown> = { model: request.model, created_at, message, done: final !== undefined };
      if (final) Object.assign(chunk, final);
      if (entries.length > 0) chunk['logprobs'] = entries;
      return chunk;
    };

    const emit = (text: string, entries: LogprobEntry[], final?: Record<string, unknown>): void => {
      let content = text;
      let thinking = '';
      if (parser) ({ thinking, content } = parser.add(text));
      if (!stream) {
        allText += content;
        allThinking += thinking;
        allEntries.push(...entries);
        return;
      }
      const chunk = shape(content, thinking, entries, final);
      if (chunk) lines.push(`${JSON.stringify(chunk)}\n`);
    };

    const strike = (): void => {
      if (!midStream || faultStruck) return;
      faultStruck = true;
      if (midStream.kind === 'cut') {
        writeLines();
        res.socket?.destroy();
        closed = true;
      } else if (midStream.kind === 'errorline') {
        if (stream) writeLines();
        if (stream && headersSent) {
          // After streaming began Ollama can only append one error line (HTTP 200).
          res.end(`${JSON.stringify({ error: OllamaMessages.runnerCrashed })}\n`);
        } else {
          lines = [];
          sendJson(res, 500, { error: OllamaMessages.runnerCrashed });
        }
      } else {
        // nodone: the stream (or the aggregated reply) ends without a done chunk.
        if (stream) {
          writeLines();
          if (!headersSent) res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
          res.end();
        } else {
          const reply = shape(allText, allThinking, allEntries) ?? { model: request.model };
          sendJson(res, 200, reply);
        }
      }
    };

    const sink: RunSink = {
      chunk: emit,
      flush: writeLines,
      get closed() {
        return closed;
      },
      afterChunk: midStream
        ? (sent: number): boolean => {
            if (sent < midStream.afterTokens) return false;
            strike();
            return true;
          }
        : undefined,
    };

    counters.active++;
    let totals: RunTotals | undefined;
    try {
      totals = await runCompletion(
        {
          model,
          prompt,
          options,
          seed: effectiveSeed(options.seed),
          truncate: request.truncate ?? true,
          logprobs: request.logprobs,
          topLogprobs: request.topLogprobs,
        },
        { slots, vocab, latency: config.latency, stats: counters, signal: aborter.signal },
        sink,
        startedAt,
      );
    } catch (error) {
      if (closed) return; // the client left while queued
      if (error instanceof HttpError && (headersSent || lines.length > 0)) {
        lines.push(`${JSON.stringify({ error: error.message })}\n`);
        writeLines();
        res.end();
        return;
      }
      throw error;
    } finally {
      counters.active--;
    }
    if (totals === undefined || closed || faultStruck) return;
    if (midStream) {
      // The fault was due later than the generation lasted: it strikes instead of the final chunk.
      strike();
      return;
    }

    const final: Record<string, unknown> = { done_reason: totals.doneReason };
    if (kind === 'generate' && !raw) final['context'] = vocab.idsOf(model.tokenize(prompt + totals.output));
    const totalNs = Number(process.hrtime.bigint() - startedAt);
    const metrics: [string, number][] = [
      ['total_duration', totalNs],
      ['load_duration', totals.loadNs],
      ['prompt_eval_count', totals.promptEvalCount],
      ['prompt_eval_duration', totals.promptEvalNs],
      ['eval_count', totals.evalCount],
      ['eval_duration', totals.evalNs],
    ];
    for (const [key, value] of metrics) if (value > 0) final[key] = value; // Go's omitempty

    if (stream) {
      emit(totals.finalText, totals.finalEntries, final);
      writeLines();
      res.end();
      return;
    }
    emit(totals.finalText, totals.finalEntries);
    const reply = shape(allText, allThinking, allEntries, final) as Record<string, unknown>;
    sendJson(res, 200, reply);
  }

  async function show(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseShowRequest(await readBody(req));
    const served = resolveModel(request.model);
    const model = served.model();
    const family = model.template.family;
    sendJson(res, 200, {
      license: 'Simulated model (thinkprobe sim): not a real language model.',
      modelfile: `# Modelfile generated by "ollama show"\n# thinkprobe simulator card ${served.name}\nFROM ${served.fullName}\nTEMPLATE """${model.template.ollamaTemplate}"""\n${parametersText(model)}\n`,
      parameters: parametersText(model),
      template: model.template.ollamaTemplate,
      details: details(model),
      model_info: {
        'general.architecture': family,
        'general.basename': served.name,
        'general.parameter_count': 0,
        [`${family}.context_length`]: model.contextLength,
      },
      capabilities: ['completion', 'thinking'],
      modified_at: served.modifiedAt,
    });
  }

  function tags(res: ServerResponse, head: boolean): void {
    const models = config.catalog.list().map((served) => {
      const model = served.model();
      return { name: served.fullName, model: served.fullName, modified_at: served.modifiedAt, size: served.size, digest: served.digest, details: details(model) };
    });
    if (head) sendText(res, 200, '', true);
    else sendJson(res, 200, { models });
  }

  function ps(res: ServerResponse): void {
    const models = config.catalog.running().map(({ served, lastUsed }) => {
      const model = served.model();
      return {
        name: served.fullName,
        model: served.fullName,
        size: served.size,
        digest: served.digest,
        details: details(model),
        expires_at: new Date(lastUsed + 5 * 60_000).toISOString(),
        size_vram: 0,
        context_length: Math.min(4096, model.contextLength),
      };
    });
    sendJson(res, 200, { models });
  }

  const shared: ServerContext = { config, slots, vocab, counters, nextRequest: () => ++requestNumber };
  const routes: Routes = {
    ...openaiRoutes(shared),
    '/': {
      GET: (_req, res) => sendText(res, 200, 'Ollama is running'),
      HEAD: (_req, res) => sendText(res, 200, 'Ollama is running', true),
    },
    '/api/version': {
      GET: (_req, res) => sendJson(res, 200, { version: simOllamaVersion }),
      HEAD: (_req, res) => sendText(res, 200, '', true),
    },
    '/api/tags': { GET: (_req, res) => tags(res, false), HEAD: (_req, res) => tags(res, true) },
    '/api/show': { POST: show },
    '/api/ps': { GET: (_req, res) => ps(res) },
    '/api/generate': { POST: (req, res) => inference('generate', req, res) },
    '/api/chat': { POST: (req, res) => inference('chat', req, res) },
    '/sim/stats': { GET: (_req, res) => sendJson(res, 200, stats()) },
    '/sim/stats/reset': {
      POST: (_req, res) => {
        // Reset in place: running generations hold a reference to these counters.
        Object.assign(counters, { ...zeroCounters(), active: counters.active });
        sendJson(res, 200, stats());
      },
    },
  };

  const server = createServer((req, res) => {
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes[path];
    const handler = route?.[req.method ?? 'GET'];
    if (!route) {
      sendText(res, 404, '404 page not found');
      return;
    }
    if (!handler) {
      sendText(res, 405, '405 method not allowed');
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent || res.destroyed) {
          if (!res.writableEnded && !res.destroyed) res.end();
          return;
        }
        if (error instanceof HttpError) {
          sendJson(res, error.status, { error: error.message });
          return;
        }
        config.onInternalError(`thinkprobe sim: internal error on ${req.method ?? '?'} ${path}: ${error instanceof Error ? error.message : String(error)}`);
        sendJson(res, 500, { error: 'internal simulator error' });
      });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      // Bad --port/--host is the user's to fix: one clear line, exit 2.
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

function checkRole(message: ChatMessage, index: number): { role: 'system' | 'user' | 'assistant'; content: string } {
  if (message.role === 'system' || message.role === 'user' || message.role === 'assistant') return { role: message.role, content: message.content };
  throw new HttpError(400, `messages[${index}]: role "${message.role}" is not supported by the simulator (expected system, user or assistant)`);
}
