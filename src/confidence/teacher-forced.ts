import type { Backend, CompletionToken, SamplingSettings, TextScore, TokenChoice } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { continuations, outsideTopBound } from './match.ts';
import { RAML_SUFFIX } from './suffixes.ts';

/**
 * Teacher-forced L-hat (RaML, arXiv 2505.19815): the negative mean log-probability of the
 * reference answer's tokens after a trace prefix and an answer-eliciting suffix.
 *
 * Ollama cannot score a given text (no prompt logprobs, no echo, no tokenize endpoint), so the
 * reference is scored token by token: ask for one token with the top 20 logprobs after
 * `prefix + suffix + (reference matched so far)`, find the offered token that continues the
 * reference, append it, repeat. Each step's prompt extends the last one, so the server's KV cache
 * makes every step after the first cost about one token of prefill.
 *
 * What is scored: the reference's own tokens, as RaML does. The closing `}` of the box is not part
 * of the reference (pass `reference: answer + '}'` to score it too).
 *
 * Tokenization. The model's tokenizer wrote the reference one way, and only that path is its
 * teacher-forced score; we cannot see the tokenizer. Offered tokens are tried longest first (BPE
 * merges greedily: of `1` and `12` offered for `12`, the real token is `12`), and a shorter one is
 * tried only when the longer one leaves the rest of the reference unmatchable (backtracking). To
 * check the path, one more request sends the whole reference as prompt: the server's prompt token
 * count, minus the count without the reference, is the reference's true token count N; the scored
 * path must have N tokens, and every step's prompt count must agree with the path so far
 * (`verifyTokenization`: by default only when the path has several tokens or ends in a bound;
 * a reference offered as one whole token costs exactly one request).
 *
 * Bounds. When no offered token continues the reference, the true token's logprob is only known
 * to be at most the last (20th) entry's: the result is then a flagged bound (`bounded: true`),
 * never a guess. The true path leaves the offered tokens somewhere the search has been, so its
 * logprob is at most the largest, over every place the search reached, of (logprob of the path
 * there + that place's 20th logprob); `sequenceLogprob` is that upper bound, `tokens` is the path
 * to that place plus one `bound: true` token holding the unscored rest (its logprob the bound,
 * rank null), and `lhat` = -sequenceLogprob / N, a lower bound of the true L-hat when N was
 * verified (else divided by the path's length, an estimate). Report and aggregate bounded probes
 * as bounds.
 */

/** Logprobs are raw on Ollama <= 0.24 whatever the sampling; these keep them untruncated on later versions too. */
export const UNTRUNCATED_SAMPLING: SamplingSettings = { temperature: 1, topK: 0, topP: 1 };

/** Ollama's maximum. */
const TOP_LOGPROBS = 20;

export interface TeacherForcedOptions {
  backend: Backend;
  model: string;
  /** The rendered prompt plus the thinking prefix, exactly as the model saw it. */
  prefix: string;
  /** The reference answer, e.g. `42` or `\frac{2}{3}`. */
  reference: string;
  /** Answer-eliciting suffix; RaML's by default (no thinking close). */
  suffix?: string;
  /** Seed for the one-token requests (their sampled token is never used as an answer). Default 0. */
  seed?: number;
  signal?: AbortSignal;
  /**
   * Tokens asked per request. 1 (default) makes requests per probe = reference tokens exactly.
   * More lets one request score several positions while the sampled tokens follow the reference
   * (the positions after a divergence are wasted decoding).
   */
  lookahead?: number;
  /** Requests allowed beyond the main line (backtracking to other tokenizations). Default 8. */
  maxExtraRequests?: number;
  /**
   * One extra request to learn the reference's true token count N and check the path against it.
   * 'auto' (default): only when it can matter: a path of several tokens, or a bound (whose L-hat
   * needs N); a reference the model offers as one whole token is taken as one token.
   * true: always; false: never (requests = tokens exactly, tokenization unchecked).
   */
  verifyTokenization?: boolean | 'auto';
  /**
   * On servers that score a given text (Backend.scoreText: echo with logprobs, prompt_logprobs),
   * score the whole reference exactly in one request (default true); false forces the
   * token-by-token path (to compare the two).
   */
  oneRequest?: boolean;
}

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

/**
 * 'verified': the server's prompt token counts agree with the scored path (N and every step).
 * 'mismatch': they disagree (e.g. the prompt's end merged with the reference's start when
 * re-tokenized), so the score may not be the model's own tokenization: treat with care.
 * 'unchecked': not checked (verification off, or 'auto' and the model offered the reference as one token).
 */
export type TokenizationCheck = 'verified' | 'mismatch' | 'unchecked';

export interface TeacherForcedResult {
  /** -sequenceLogprob / (reference tokens); null when not even the first token could be scored. */
  lhat: number | null;
  /** Exact when complete; an upper bound when bounded. */
  sequenceLogprob: number;
  tokens: ScoredToken[];
  /** True when sequenceLogprob is an upper bound, not a value (see the module comment). */
  bounded: boolean;
  /** The reference's token count as the server counted it, when verified. */
  referenceTokens: number | null;
  tokenization: TokenizationCheck;
  /** Characters of the reference covered by exactly scored tokens (in `tokens`). */
  coveredChars: number;
  /** Why scoring stopped: the whole reference scored, a token outside the top 20, or the model gave no distribution. */
  stop: TeacherForcedStop;
  /** Model requests spent, retries for end-of-turn samples included. */
  requests: number;
  /** Tokens the server decoded for this probe. */
  decodedTokens: number;
}

interface Position {
  top: readonly TokenChoice[];
  sampled: TokenChoice;
}

/** Search nodes visited before alternative tokenizations are left unexplored. */
const MAX_SEARCH_NODES = 2000;

/** How many times to re-ask when the model ends its turn instead of offering a token (it sampled end-of-turn). */
const EMPTY_RETRIES = 3;

interface Frontier {
  path: ScoredToken[];
  consumed: number;
  /** Upper bound on the logprob of any tokenization of the reference that leaves the offered tokens here. */
  bound: number;
  stop: TeacherForcedStop;
}

export async function teacherForcedLhat(options: TeacherForcedOptions): Promise<TeacherForcedResult> {
  const { backend, model, reference, signal } = options;
  const suffix = options.suffix ?? RAML_SUFFIX;
  const seed = options.seed ?? 0;
  const lookahead = options.lookahead ?? 1;
  const maxExtra = options.maxExtraRequests ?? 8;
  const verify = options.verifyTokenization ?? 'auto';
  if (reference === '') throw new InputError('teacher-forced probe: reference', 'a non-empty answer text');
  if (!Number.isInteger(lookahead) || lookahead < 1) {
    throw new InputError('teacher-forced probe: lookahead', `a whole number >= 1 (got ${lookahead})`);
  }
  const base = options.prefix + suffix;
  if (backend.scoreText && options.oneRequest !== false) {
    const scored = await backend.scoreText(model, { context: base, continuation: reference }, signal);
    if (scored) return fromTextScore(scored, reference);
  }

  // Per character offset of the reference: the distribution there (null: none to be had) and the
  // server's prompt token count for base + reference[0, offset).
  const positions = new Map<number, Position | null>();
  const promptCounts = new Map<number, number>();
  let requests = 0;
  let decodedTokens = 0;
  let extraRequests = 0;

  async function ask(consumed: number, maxTokens: number, topLogprobs: number, attempt: number) {
    const completion = await backend.complete(
      model,
      {
        prompt: base + reference.slice(0, consumed),
        maxTokens,
        stop: [],
        seed: seed + attempt * 7919,
        sampling: UNTRUNCATED_SAMPLING,
        topLogprobs,
      },
      signal,
    );
    requests++;
    decodedTokens += completion.decodedTokens;
    promptCounts.set(consumed, completion.promptTokens);
    return completion;
  }

  async function fetchAt(consumed: number): Promise<void> {
    const maxTokens = Math.max(1, Math.min(lookahead, reference.length - consumed));
    for (let attempt = 0; attempt < EMPTY_RETRIES; attempt++) {
      const completion = await ask(consumed, maxTokens, TOP_LOGPROBS, attempt);
      if (completion.tokens.length === 0) continue;
      recordPath(consumed, completion.tokens);
      return;
    }
    positions.set(consumed, null);
  }

  // The first generated token's distribution belongs to `consumed`; each later one belongs to the
  // offset after the tokens before it, as long as those followed the reference.
  function recordPath(consumed: number, tokens: readonly CompletionToken[]): void {
    let at = consumed;
    for (const token of tokens) {
      if (!positions.get(at)) positions.set(at, { top: token.top, sampled: token });
      if (token.text === '' || !reference.startsWith(token.text, at)) return;
      at += token.text.length;
      if (at >= reference.length) return;
    }
  }

  const frontier: Frontier[] = [];
  let referenceTokens: number | null = null;
  let counted = false;
  let visits = 0;

  /** Depth-first over the offered tokenizations, longest first; returns the first acceptable complete path. */
  async function search(consumed: number, path: ScoredToken[], logprob: number, mainLine: boolean): Promise<ScoredToken[] | null> {
    // Tokenizations of a long reference can be exponentially many; past the cap a branch is left
    // unexplored, which keeps the bound valid (its rest is only known to be <= 0).
    if (++visits > MAX_SEARCH_NODES && !mainLine) {
      frontier.push({ path, consumed, bound: logprob, stop: 'no-distribution' });
      return null;
    }
    if (consumed === reference.length) {
      if (referenceTokens === null && (verify === true || (verify === 'auto' && path.length > 1))) {
        referenceTokens = await countReferenceTokens();
      }
      if (referenceTokens === null || path.length === referenceTokens) return path;
      return null; // a tokenization the model's tokenizer did not produce
    }
    if (!positions.has(consumed)) {
      if (!mainLine && extraRequests >= maxExtra) {
        frontier.push({ path, consumed, bound: logprob, stop: 'no-distribution' });
        return null;
      }
      const before = requests;
      await fetchAt(consumed);
      if (!mainLine) extraRequests += requests - before;
    }
    const position = positions.get(consumed);
    if (!position) {
      // Nothing known beyond here: the rest of any path through here is only known to be <= 0.
      frontier.push({ path, consumed, bound: logprob, stop: 'no-distribution' });
      return null;
    }
    const remaining = reference.slice(consumed);
    const listedBound = outsideTopBound(position.top) ?? position.sampled.logprob;
    frontier.push({ path, consumed, bound: logprob + listedBound, stop: 'outside-top' });
    for (const [i, candidate] of continuations(remaining, position.top, position.sampled).entries()) {
      const token: ScoredToken = { text: candidate.text, logprob: candidate.logprob, rank: candidate.rank, bound: false };
      const found = await search(consumed + candidate.text.length, [...path, token], logprob + candidate.logprob, mainLine && i === 0);
      if (found) return found;
    }
    return null;
  }

  /** N = count(base + reference) - count(base), from the server's prompt token counts. */
  async function countReferenceTokens(): Promise<number | null> {
    counted = true;
    if (!promptCounts.has(0)) await ask(0, 1, 0, 0);
    if (!promptCounts.has(reference.length)) await ask(reference.length, 1, 0, 0);
    const n = promptCounts.get(reference.length)! - promptCounts.get(0)!;
    return n > 0 ? n : null;
  }

  /** Every step's prompt count must equal the base count plus the path's tokens so far. */
  function pathAgreesWithCounts(path: readonly ScoredToken[]): boolean {
    const base0 = promptCounts.get(0);
    if (base0 === undefined) return false;
    let consumed = 0;
    for (const [j, token] of path.entries()) {
      const count = promptCounts.get(consumed);
      if (count !== undefined && count !== base0 + j) return false;
      consumed += token.text.length;
    }
    return true;
  }

  const complete = await search(0, [], 0, true);
  if (complete) {
    const sequenceLogprob = complete.reduce((sum, token) => sum + token.logprob, 0);
    const tokenization: TokenizationCheck = !counted
      ? 'unchecked'
      : referenceTokens !== null && pathAgreesWithCounts(complete)
        ? 'verified'
        : 'mismatch';
    return {
      lhat: -sequenceLogprob / complete.length,
      sequenceLogprob,
      tokens: complete,
      bounded: false,
      referenceTokens,
      tokenization,
      coveredChars: reference.length,
      stop: 'complete',
      requests,
      decodedTokens,
    };
  }

  // No acceptable complete path: the true one leaves the offered tokens somewhere the search went.
  if (verify !== false && referenceTokens === null) referenceTokens = await countReferenceTokens();
  const worst = frontier.reduce<Frontier | null>((a, b) => (a === null || b.bound > a.bound ? b : a), null);
  const scored = worst?.path ?? [];
  const sequenceLogprob = worst?.bound ?? 0;
  const stop = worst?.stop ?? 'no-distribution';
  const tokens: ScoredToken[] = [
    ...scored,
    { text: reference.slice(worst?.consumed ?? 0), logprob: sequenceLogprob - scored.reduce((sum, t) => sum + t.logprob, 0), rank: null, bound: true },
  ];
  const noneScored = stop === 'no-distribution' && scored.length === 0;
  return {
    lhat: noneScored ? null : -sequenceLogprob / (referenceTokens ?? tokens.length),
    sequenceLogprob,
    tokens,
    bounded: true,
    referenceTokens,
    tokenization: !counted ? 'unchecked' : referenceTokens !== null ? 'verified' : 'mismatch',
    coveredChars: worst?.consumed ?? 0,
    stop,
    requests,
    decodedTokens,
  };
}

/**
 * A reference scored in one request: every token's exact logprob, as the server tokenized prefix +
 * suffix + reference together. Never bounded; 'mismatch' when the reference's first token merged
 * with the end of the suffix (its logprob then covers a little of the suffix too).
 */
function fromTextScore(score: TextScore, reference: string): TeacherForcedResult {
  const tokens: ScoredToken[] = score.tokens.map((token) => ({ text: token.text, logprob: token.logprob, rank: null, bound: false }));
  const sequenceLogprob = tokens.reduce((sum, token) => sum + token.logprob, 0);
  return {
    lhat: tokens.length > 0 ? -sequenceLogprob / tokens.length : null,
    sequenceLogprob,
    tokens,
    bounded: false,
    referenceTokens: tokens.length,
    tokenization: score.aligned ? 'verified' : 'mismatch',
    coveredChars: reference.length,
    stop: 'complete',
    requests: 1,
    decodedTokens: 1,
  };
}
