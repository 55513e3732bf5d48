/**
 * One completion, as Ollama's runner performs it: the prompt is tokenized and fitted to num_ctx,
 * a KV-cache slot is leased (prefill pays only for the part not shared with the slot), tokens are
 * generated until end-of-turn, num_predict, the context limit or a stop string, and the slot keeps
 * what its cache would hold afterwards. Output goes to a sink in chunks (one per flush of held-back
 * text, as Ollama streams), independent of the endpoint's response shape.
 */
import type { GeneratedToken, SimModel } from '../model/types.ts';
import { HttpError, OllamaMessages } from './http-error.ts';
import type { GenerationOptions } from './options.ts';
import type { SlotPool } from './slots.ts';
import { StopMatcher } from './stop.ts';
import { decodeMsPerToken, type LatencySpec } from './latency.ts';
import type { TokenVocab } from './vocab.ts';

export interface LogprobEntry {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
}

export interface RunRequest {
  model: SimModel;
  prompt: string;
  options: GenerationOptions;
  /** Seed actually used (random when the request had none). */
  seed: number;
  truncate: boolean;
  logprobs: boolean;
  topLogprobs: number;
}

export interface RunTotals {
  doneReason: 'stop' | 'length';
  /** Prompt tokens after truncation (Ollama counts the whole prompt, cached part included). */
  promptEvalCount: number;
  evalCount: number;
  promptEvalNs: number;
  evalNs: number;
  loadNs: number;
  /** Prompt text the model actually saw (the tail when truncated). */
  prompt: string;
  /** All generated text, stop string removed. */
  output: string;
  /** Text held back until the end (a partial stop string), sent with the final chunk, and its entries. */
  finalText: string;
  finalEntries: LogprobEntry[];
}

export interface RunSink {
  /** A chunk of generated text with its logprob entries (empty when logprobs are off). */
  chunk(text: string, entries: LogprobEntry[]): void;
  /** Called when the loop yields to the event loop; the sink writes what it has gathered. */
  flush(): void;
  /** True when the client has gone: generation stops and the slot is freed. */
  readonly closed: boolean;
  /** For injected mid-stream faults: return true to stop generating right now. */
  afterChunk?: ((chunksSent: number) => boolean) | undefined;
}

export interface RunContext {
  slots: SlotPool;
  vocab: TokenVocab;
  latency: LatencySpec | undefined;
  stats: { prefillNew: number; prefillCached: number; decoded: number };
  signal: AbortSignal;
}

const yieldEvery = 64;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps until `targetMs` after `start` by the high-resolution clock (timers may fire a little early). */
async function sleepUntil(start: bigint, targetMs: number): Promise<void> {
  for (;;) {
    const left = targetMs - Number(process.hrtime.bigint() - start) / 1e6;
    if (left <= 0) return;
    await sleep(Math.max(1, Math.ceil(left)));
  }
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function nsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start);
}

/** Prompt tokens, fitted to num_ctx: an error with truncate:false, else the tail is kept (silently, as Ollama does). */
export function fitPrompt(model: SimModel, prompt: string, numCtx: number, truncate: boolean): { tokens: string[]; prompt: string } {
  const tokens = model.tokenize(prompt);
  if (tokens.length <= numCtx) return { tokens, prompt };
  if (!truncate) throw new HttpError(400, OllamaMessages.inputTooLong);
  const tail = tokens.slice(tokens.length - numCtx);
  return { tokens: tail, prompt: tail.join('') };
}

/** What the decode loop has produced so far. */
interface Decoded {
  generated: string[];
  output: string;
  chunksSent: number;
  stoppedByFault: boolean;
}

/** Sends stop-matched pieces as one chunk (with logprob entries when asked). */
function sendPieces(request: RunRequest, context: RunContext, sink: RunSink, decoded: Decoded, pieces: { text: string; item: GeneratedToken }[]): void {
  if (pieces.length === 0) return;
  let text = '';
  const entries: LogprobEntry[] = [];
  for (const piece of pieces) {
    text += piece.text;
    if (request.logprobs) entries.push(toEntry(piece.item, request.topLogprobs, context.vocab));
  }
  decoded.output += text;
  sink.chunk(text, entries);
  decoded.chunksSent++;
  if (sink.afterChunk?.(decoded.chunksSent)) decoded.stoppedByFault = true;
}

interface DecodeLoop {
  generation: ReturnType<SimModel['start']>;
  matcher: StopMatcher<GeneratedToken>;
  limit: number;
  decodeMs: number;
  evalStart: bigint;
}

/** Generates until end-of-turn, the limit or a stop string (undefined: client gone or a fault). */
async function decode(request: RunRequest, context: RunContext, sink: RunSink, loop: DecodeLoop, decoded: Decoded): Promise<'stop' | 'length' | undefined> {
  const { generated } = decoded;
  let sinceYield = 0;
  for (;;) {
    if (sink.closed || decoded.stoppedByFault) return undefined;
    if (generated.length >= loop.limit) return 'length';
    const token = loop.generation.next();
    if (token === null) return 'stop';
    generated.push(token.token);
    context.stats.decoded++;
    const pushed = loop.matcher.push(token.token, token);
    sendPieces(request, context, sink, decoded, pushed.emit);
    if (pushed.stopped) return 'stop';
    if (loop.decodeMs > 0 && Number(process.hrtime.bigint() - loop.evalStart) / 1e6 < generated.length * loop.decodeMs) {
      sink.flush();
      await sleepUntil(loop.evalStart, generated.length * loop.decodeMs);
      sinceYield = 0;
    }
    if (++sinceYield >= yieldEvery) {
      sinceYield = 0;
      sink.flush();
      await nextTick();
    }
  }
}

/** What the slot's cache holds after a finished run. */
function cachedAfter(promptTokens: readonly string[], generated: readonly string[], output: string, doneReason: 'stop' | 'length'): string[] {
  // The slot keeps the tokens that survived whole (Ollama drops the stop string's tokens from its cache).
  if (doneReason === 'stop' && output.length < generated.join('').length) return [...promptTokens, ...countWholeTokens(generated, output)];
  // The last sampled token was never fed back, so the cache lacks it.
  if (doneReason === 'length') return [...promptTokens, ...generated.slice(0, Math.max(0, generated.length - 1))];
  return [...promptTokens, ...generated];
}

/** Prefill: only the part of the prompt the slot does not already hold costs time. */
async function prefill(context: RunContext, promptTokens: readonly string[], cached: number): Promise<void> {
  const prefillStart = process.hrtime.bigint();
  const newTokens = promptTokens.length - cached;
  context.stats.prefillNew += newTokens;
  context.stats.prefillCached += cached;
  if (context.latency && context.latency.prefillMsPerToken > 0) await sleepUntil(prefillStart, newTokens * context.latency.prefillMsPerToken);
}

export async function runCompletion(request: RunRequest, context: RunContext, sink: RunSink, startedAt: bigint): Promise<RunTotals | undefined> {
  const { model, options } = request;
  const fitted = fitPrompt(model, request.prompt, options.numCtx, request.truncate);
  const promptTokens = fitted.tokens;

  const lease = await context.slots.acquire(promptTokens, context.signal);
  const loadNs = nsSince(startedAt);
  const decoded: Decoded = { generated: [], output: '', chunksSent: 0, stoppedByFault: false };
  let releaseTokens: readonly string[] = promptTokens;
  try {
    const prefillStart = process.hrtime.bigint();
    await prefill(context, promptTokens, lease.cached);
    const generation = model.start(fitted.prompt, { seed: request.seed, temperature: options.temperature, topK: options.topK, topP: options.topP });
    const promptEvalNs = nsSince(prefillStart);

    const evalStart = process.hrtime.bigint();
    const loop: DecodeLoop = {
      generation,
      matcher: new StopMatcher<GeneratedToken>(options.stop),
      limit: Math.min(options.numPredict > 0 ? options.numPredict : Infinity, options.numCtx - promptTokens.length),
      decodeMs: decodeMsPerToken(context.latency, context.slots.slots.filter((slot) => slot.busy).length),
      evalStart,
    };
    const doneReason = await decode(request, context, sink, loop, decoded);
    if (doneReason === undefined) {
      // Client gone or an injected fault: the slot holds what was processed so far.
      releaseTokens = [...promptTokens, ...decoded.generated];
      return undefined;
    }
    // Text still held back (a partial stop string) is released with the final chunk.
    let finalText = '';
    const finalEntries: LogprobEntry[] = [];
    for (const piece of loop.matcher.flush()) {
      finalText += piece.text;
      if (request.logprobs) finalEntries.push(toEntry(piece.item, request.topLogprobs, context.vocab));
    }
    const output = decoded.output + finalText;
    releaseTokens = cachedAfter(promptTokens, decoded.generated, output, doneReason);
    const evalNs = nsSince(evalStart);
    return { doneReason, promptEvalCount: promptTokens.length, evalCount: decoded.generated.length, promptEvalNs, evalNs, loadNs, prompt: fitted.prompt, output, finalText, finalEntries };
  } finally {
    context.slots.release(lease.slot, releaseTokens);
  }
}

/** Tokens of `generated` that lie wholly inside `output` (a prefix of their concatenation). */
function countWholeTokens(generated: readonly string[], output: string): string[] {
  const kept: string[] = [];
  let length = 0;
  for (const token of generated) {
    if (length + token.length > output.length) break;
    kept.push(token);
    length += token.length;
  }
  return kept;
}

/**
 * A log-softmax is never positive: the model's float rounding (log of 1 + 2e-16) is clamped to 0 so
 * the wire carries what Ollama would.
 */
function wireLogprob(logprob: number): number {
  return logprob > 0 ? 0 : logprob;
}

function toEntry(token: GeneratedToken, topLogprobs: number, vocab: TokenVocab): LogprobEntry {
  const entry: LogprobEntry = { token: token.token, logprob: wireLogprob(token.logprob), bytes: vocab.bytesOf(token.token) };
  if (topLogprobs > 0) {
    entry.top_logprobs = token.top
      .slice(0, topLogprobs)
      .map((alt) => ({ token: alt.token, logprob: wireLogprob(alt.logprob), bytes: vocab.bytesOf(alt.token) }));
  }
  return entry;
}
