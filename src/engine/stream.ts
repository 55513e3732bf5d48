import type { Backend, Completion, CompletionToken, SamplingSettings } from '../backends/backend.ts';
import type { CompletionKeyParts, Store } from '../store/store.ts';
import { hasPrefix } from '../core/prefix.ts';
import { KvSlotModel } from './kv.ts';
import type { SlotGate } from './slot-gate.ts';

/**
 * Generation from a given (raw prompt, seed, sampling, stop strings, sample namespace) is one
 * deterministic stream of tokens. Every "generate up to N tokens from P" is a slice of it. A stream
 * is stored as a chain of chunks: the chunk starting at offset s is the completion of
 * `prompt + text[0:s]`, cached under a key that ignores num_predict (maxTokens 0), so a stream is
 * reused whatever chunk sizes earlier runs happened to ask for, and extended by continuing from its
 * own prefix (prefix-consistent on the simulator, in distribution on a real server).
 */

export interface StreamSpec {
  prompt: string;
  stop: readonly string[];
  seed: number;
  sampling: SamplingSettings;
  topLogprobs: number;
  namespace: string;
}

export interface RequestCost {
  /** New-prefill tokens by the KV model of the worker's slot (0 for a cache hit). */
  newPrefill: number;
  decoded: number;
  promptTokens: number;
  wallMs: number;
  cached: boolean;
  /**
   * What this request costs in its tree, replayed or not: prefill by a KV model that starts fresh
   * with each tree and is charged for cache hits too, the decoded tokens and wall time the
   * completion took when first computed. So a resumed run attributes exactly what an
   * uninterrupted one does (src/engine/README.md, "Costs of resumed runs").
   */
  tree: { prefill: number; decoded: number; wallMs: number };
}

export interface Chunk {
  start: number;
  end: number;
  cost: RequestCost;
}

export interface EngineStats {
  requests: number;
  cacheHits: number;
  newPrefill: number;
  decoded: number;
  wallMs: number;
}

export interface ModelRef {
  name: string;
  digest: string;
}

/** Everything a stream needs to extend itself: one per worker (server slot). */
export class Worker {
  readonly kv = new KvSlotModel();
  /** The slot as the current tree alone left it: reset per tree, so tree costs do not depend on which worker ran what before. */
  private treeKv = new KvSlotModel();
  constructor(
    readonly id: number,
    readonly backend: Backend,
    readonly store: Store,
    readonly model: ModelRef,
    readonly stats: EngineStats,
    readonly signal: AbortSignal | undefined,
    readonly onRequest: (cost: RequestCost) => void,
    readonly gate?: SlotGate,
  ) {}

  /** A tree starts on this worker: its costs are counted from a fresh slot. */
  startTree(): void {
    this.treeKv = new KvSlotModel();
  }

  chunkKey(spec: StreamSpec, prompt: string): { key: string; parts: CompletionKeyParts } {
    const parts = this.chunkParts(spec, prompt);
    return { key: this.store.cacheKey(parts), parts };
  }

  private chunkParts(spec: StreamSpec, prompt: string): CompletionKeyParts {
    return {
      model: this.model.name,
      digest: this.model.digest,
      namespace: spec.namespace,
      request: {
        prompt,
        maxTokens: 0,
        stop: [...spec.stop],
        seed: spec.seed,
        sampling: spec.sampling,
        topLogprobs: spec.topLogprobs,
      },
    };
  }

  private queue: Promise<unknown> = Promise.resolve();
  /** What this worker's server slot holds after its last request (Ollama keeps prompt + output). */
  private slotText: string | undefined;

  /** Whether a prompt extends what the slot holds (served in place) rather than jumping elsewhere. */
  private extendsSlot(prompt: string): boolean {
    return this.slotText !== undefined && hasPrefix(prompt, this.slotText);
  }

  /**
   * One chunk at a time per worker: a worker stands for one server slot. `key`, when given, is
   * chunkKey(spec, prompt).key already computed (a stream's first chunk has its stream's key).
   */
  chunk(spec: StreamSpec, prompt: string, maxTokens: number, key?: string): Promise<{ completion: Completion; cost: RequestCost }> {
    const run = this.queue.then(() => this.chunkNow(spec, prompt, maxTokens, key));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** One chunk: from the cache when stored, else from the backend (committed before returning). */
  private async chunkNow(spec: StreamSpec, prompt: string, maxTokens: number, knownKey: string | undefined): Promise<{ completion: Completion; cost: RequestCost }> {
    const parts = this.chunkParts(spec, prompt);
    const key = knownKey ?? this.store.cacheKey(parts);
    const cached = this.store.getCompletion(key);
    if (cached) {
      const tree = { prefill: this.treeKv.charge(prompt, cached.promptTokens, cached.tokens), decoded: cached.decodedTokens, wallMs: cached.wallMs };
      const cost: RequestCost = { newPrefill: 0, decoded: 0, promptTokens: cached.promptTokens, wallMs: 0, cached: true, tree };
      this.stats.cacheHits++;
      this.onRequest(cost);
      return { completion: cached, cost };
    }
    this.signal?.throwIfAborted();
    const request = { ...parts.request, maxTokens };
    if (this.gate) {
      if (!this.extendsSlot(prompt)) await this.gate.beforeJump(this.id, this.signal);
      this.gate.requestStarted(this.id);
    }
    let completion: Completion;
    try {
      completion = await this.backend.complete(this.model.name, request, this.signal);
    } catch (error) {
      // A failed request leaves the slot in an unknown state: the next request is a jump.
      this.slotText = undefined;
      throw error;
    }
    this.store.putCompletion(key, { ...parts, request }, completion);
    const newPrefill = this.kv.charge(prompt, completion.promptTokens, completion.tokens);
    this.slotText = prompt + completion.tokens.slice(0, completion.doneReason === 'length' ? -1 : undefined).map((t) => t.text).join('');
    const cost: RequestCost = {
      newPrefill,
      decoded: completion.decodedTokens,
      promptTokens: completion.promptTokens,
      wallMs: completion.wallMs,
      cached: false,
      tree: { prefill: this.treeKv.charge(prompt, completion.promptTokens, completion.tokens), decoded: completion.decodedTokens, wallMs: completion.wallMs },
    };
    this.stats.requests++;
    this.stats.newPrefill += newPrefill;
    this.stats.decoded += completion.decodedTokens;
    this.stats.wallMs += completion.wallMs;
    this.onRequest(cost);
    return { completion, cost };
  }
}

export interface StreamParent {
  stream: Stream;
  /** Tokens of the parent stream that are part of this stream's prompt. */
  tokens: number;
}

export class Stream {
  readonly tokens: CompletionToken[] = [];
  text = '';
  /** ends[i] = length of the text of tokens 0..i: a prefix's text is a slice, not a join. */
  readonly ends: number[] = [];
  ended = false;
  readonly chunks: Chunk[] = [];
  /** Server's prompt token count for the stream's own prompt (from its first chunk). */
  promptTokens: number | undefined;
  private lock: Promise<void> = Promise.resolve();

  constructor(
    readonly key: string,
    readonly spec: StreamSpec,
    readonly parent: StreamParent | undefined,
  ) {}

  /** The text of the first `n` tokens. */
  textOf(n: number): string {
    return n === 0 ? '' : this.text.slice(0, this.ends[n - 1]);
  }

  /** Makes at least `n` tokens available (fewer when the stream ends first). Serialized per stream. */
  ensure(n: number, worker: Worker, beforeChunk?: () => void): Promise<void> {
    const run = this.lock.then(() => this.extend(n, worker, beforeChunk));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async extend(n: number, worker: Worker, beforeChunk?: () => void): Promise<void> {
    while (!this.ended && this.tokens.length < n) {
      beforeChunk?.();
      const start = this.tokens.length;
      // The first chunk's request is the stream's own: its key is the stream's key (Tree.streamFor).
      const { completion, cost } = await worker.chunk(this.spec, this.spec.prompt + this.text, n - start, start === 0 ? this.key : undefined);
      if (start === 0) this.promptTokens = completion.promptTokens;
      let end = this.text.length;
      for (const t of completion.tokens) {
        this.tokens.push(t);
        end += t.text.length;
        this.ends.push(end);
      }
      this.text += completion.tokens.map((t) => t.text).join('');
      this.chunks.push({ start, end: this.tokens.length, cost });
      if (completion.doneReason === 'stop' || completion.tokens.length === 0) this.ended = true;
    }
  }
}
