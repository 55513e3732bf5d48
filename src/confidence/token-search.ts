import type { Backend, CompletionToken, SamplingSettings, TokenChoice } from '../backends/backend.ts';
import { continuations, outsideTopBound } from './match.ts';

/**
 * The token-by-token teacher-forced search (teacher-forced.ts explains the method): one request
 * per position of the reference, depth-first over the offered tokenizations, recording where the
 * true path might have left the offered tokens (the frontier) for the bound.
 */

export interface ScoredToken {
  text: string;
  /** The model's logprob of this token; for a bound token, the upper bound. */
  logprob: number;
  /** 1-based rank among the top 20, or null (the bound token, or a sampled token outside the top list). */
  rank: number | null;
  /** True for the one token whose logprob is only bounded. */
  bound: boolean;
}

export type TeacherForcedStop = 'complete' | 'outside-top' | 'no-distribution';

export interface Frontier {
  path: ScoredToken[];
  consumed: number;
  /** Upper bound on the logprob of any tokenization of the reference that leaves the offered tokens here. */
  bound: number;
  stop: TeacherForcedStop;
}

export interface SearchSettings {
  backend: Backend;
  model: string;
  /** prefix + suffix: what every request's prompt starts with. */
  base: string;
  reference: string;
  seed: number;
  lookahead: number;
  maxExtraRequests: number;
  verify: boolean | 'auto';
  sampling: SamplingSettings;
  signal: AbortSignal | undefined;
}

interface Position {
  top: readonly TokenChoice[];
  sampled: TokenChoice;
}

/** Ollama's maximum. */
const TOP_LOGPROBS = 20;

/** Search nodes visited before alternative tokenizations are left unexplored. */
const MAX_SEARCH_NODES = 2000;

/** How many times to re-ask when the model ends its turn instead of offering a token (it sampled end-of-turn). */
const EMPTY_RETRIES = 3;

export class TokenSearch {
  /** Per character offset of the reference: the distribution there (null: none to be had). */
  private readonly positions = new Map<number, Position | null>();
  /** Per character offset: the server's prompt token count for base + reference[0, offset). */
  private readonly promptCounts = new Map<number, number>();
  readonly frontier: Frontier[] = [];
  requests = 0;
  decodedTokens = 0;
  /** The reference's token count as the server counted it (null: not counted, or not positive). */
  referenceTokens: number | null = null;
  /** Whether the count was asked for at all. */
  counted = false;
  private extraRequests = 0;
  private visits = 0;

  constructor(private readonly s: SearchSettings) {}

  private async ask(consumed: number, maxTokens: number, topLogprobs: number, attempt: number) {
    const { backend, model, base, reference, seed, sampling, signal } = this.s;
    const prompt = base + reference.slice(0, consumed);
    const completion = await backend.complete(model, { prompt, maxTokens, stop: [], seed: seed + attempt * 7919, sampling, topLogprobs }, signal);
    this.requests++;
    this.decodedTokens += completion.decodedTokens;
    this.promptCounts.set(consumed, completion.promptTokens);
    return completion;
  }

  private async fetchAt(consumed: number): Promise<void> {
    const maxTokens = Math.max(1, Math.min(this.s.lookahead, this.s.reference.length - consumed));
    for (let attempt = 0; attempt < EMPTY_RETRIES; attempt++) {
      const completion = await this.ask(consumed, maxTokens, TOP_LOGPROBS, attempt);
      if (completion.tokens.length === 0) continue;
      this.recordPath(consumed, completion.tokens);
      return;
    }
    this.positions.set(consumed, null);
  }

  // The first generated token's distribution belongs to `consumed`; each later one belongs to the
  // offset after the tokens before it, as long as those followed the reference.
  private recordPath(consumed: number, tokens: readonly CompletionToken[]): void {
    const reference = this.s.reference;
    let at = consumed;
    for (const token of tokens) {
      if (!this.positions.get(at)) this.positions.set(at, { top: token.top, sampled: token });
      if (token.text === '' || !reference.startsWith(token.text, at)) return;
      at += token.text.length;
      if (at >= reference.length) return;
    }
  }

  /** Depth-first over the offered tokenizations, longest first; returns the first acceptable complete path. */
  async search(consumed: number, path: ScoredToken[], logprob: number, mainLine: boolean): Promise<ScoredToken[] | null> {
    // Tokenizations of a long reference can be exponentially many; past the cap a branch is left
    // unexplored, which keeps the bound valid (its rest is only known to be <= 0).
    if (++this.visits > MAX_SEARCH_NODES && !mainLine) return this.leave(path, consumed, logprob);
    if (consumed === this.s.reference.length) return this.accept(path);
    if (!this.positions.has(consumed)) {
      if (!mainLine && this.extraRequests >= this.s.maxExtraRequests) return this.leave(path, consumed, logprob);
      const before = this.requests;
      await this.fetchAt(consumed);
      if (!mainLine) this.extraRequests += this.requests - before;
    }
    const position = this.positions.get(consumed);
    // Nothing known beyond here: the rest of any path through here is only known to be <= 0.
    if (!position) return this.leave(path, consumed, logprob);
    const listedBound = outsideTopBound(position.top) ?? position.sampled.logprob;
    this.frontier.push({ path, consumed, bound: logprob + listedBound, stop: 'outside-top' });
    const remaining = this.s.reference.slice(consumed);
    for (const [i, candidate] of continuations(remaining, position.top, position.sampled).entries()) {
      const token: ScoredToken = { text: candidate.text, logprob: candidate.logprob, rank: candidate.rank, bound: false };
      const found = await this.search(consumed + candidate.text.length, [...path, token], logprob + candidate.logprob, mainLine && i === 0);
      if (found) return found;
    }
    return null;
  }

  private leave(path: ScoredToken[], consumed: number, logprob: number): null {
    this.frontier.push({ path, consumed, bound: logprob, stop: 'no-distribution' });
    return null;
  }

  /** A complete path stands when the reference's counted token length agrees (or is not asked for). */
  private async accept(path: ScoredToken[]): Promise<ScoredToken[] | null> {
    const verify = this.s.verify;
    if (this.referenceTokens === null && (verify === true || (verify === 'auto' && path.length > 1))) {
      this.referenceTokens = await this.countReferenceTokens();
    }
    if (this.referenceTokens === null || path.length === this.referenceTokens) return path;
    return null; // a tokenization the model's tokenizer did not produce
  }

  /** N = count(base + reference) - count(base), from the server's prompt token counts. */
  async countReferenceTokens(): Promise<number | null> {
    this.counted = true;
    const length = this.s.reference.length;
    if (!this.promptCounts.has(0)) await this.ask(0, 1, 0, 0);
    if (!this.promptCounts.has(length)) await this.ask(length, 1, 0, 0);
    const n = this.promptCounts.get(length)! - this.promptCounts.get(0)!;
    return n > 0 ? n : null;
  }

  /** Every step's prompt count must equal the base count plus the path's tokens so far. */
  pathAgreesWithCounts(path: readonly ScoredToken[]): boolean {
    const base0 = this.promptCounts.get(0);
    if (base0 === undefined) return false;
    let consumed = 0;
    for (const [j, token] of path.entries()) {
      const count = this.promptCounts.get(consumed);
      if (count !== undefined && count !== base0 + j) return false;
      consumed += token.text.length;
    }
    return true;
  }
}
