import type { Backend, SamplingSettings, TextScore } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { RAML_SUFFIX } from './suffixes.ts';
import { TokenSearch, type ScoredToken, type TeacherForcedStop } from './token-search.ts';

export type { ScoredToken, TeacherForcedStop } from './token-search.ts';

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

export async function teacherForcedLhat(options: TeacherForcedOptions): Promise<TeacherForcedResult> {
  const { backend, model, reference, signal } = options;
  const lookahead = options.lookahead ?? 1;
  if (reference === '') throw new InputError('teacher-forced probe: reference', 'a non-empty answer text');
  if (!Number.isInteger(lookahead) || lookahead < 1) {
    throw new InputError('teacher-forced probe: lookahead', `a whole number >= 1 (got ${lookahead})`);
  }
  const base = options.prefix + (options.suffix ?? RAML_SUFFIX);
  if (backend.scoreText && options.oneRequest !== false) {
    const scored = await backend.scoreText(model, { context: base, continuation: reference }, signal);
    if (scored) return fromTextScore(scored, reference);
  }
  const verify = options.verifyTokenization ?? 'auto';
  const search = new TokenSearch({
    backend,
    model,
    base,
    reference,
    seed: options.seed ?? 0,
    lookahead,
    maxExtraRequests: options.maxExtraRequests ?? 8,
    verify,
    sampling: UNTRUNCATED_SAMPLING,
    signal,
  });
  const complete = await search.search(0, [], 0, true);
  if (complete) return completeResult(search, complete, reference);
  // No acceptable complete path: the true one leaves the offered tokens somewhere the search went.
  if (verify !== false && search.referenceTokens === null) search.referenceTokens = await search.countReferenceTokens();
  return boundedResult(search, reference);
}

function completeResult(search: TokenSearch, path: ScoredToken[], reference: string): TeacherForcedResult {
  const sequenceLogprob = path.reduce((sum, token) => sum + token.logprob, 0);
  const tokenization: TokenizationCheck = !search.counted
    ? 'unchecked'
    : search.referenceTokens !== null && search.pathAgreesWithCounts(path)
      ? 'verified'
      : 'mismatch';
  return {
    lhat: -sequenceLogprob / path.length,
    sequenceLogprob,
    tokens: path,
    bounded: false,
    referenceTokens: search.referenceTokens,
    tokenization,
    coveredChars: reference.length,
    stop: 'complete',
    requests: search.requests,
    decodedTokens: search.decodedTokens,
  };
}

/** The bound at the frontier place with the largest bound (see the module comment). */
function boundedResult(search: TokenSearch, reference: string): TeacherForcedResult {
  const worst = search.frontier.reduce<(typeof search.frontier)[number] | null>((a, b) => (a === null || b.bound > a.bound ? b : a), null);
  const scored = worst?.path ?? [];
  const sequenceLogprob = worst?.bound ?? 0;
  const stop = worst?.stop ?? 'no-distribution';
  const tokens: ScoredToken[] = [
    ...scored,
    { text: reference.slice(worst?.consumed ?? 0), logprob: sequenceLogprob - scored.reduce((sum, t) => sum + t.logprob, 0), rank: null, bound: true },
  ];
  const noneScored = stop === 'no-distribution' && scored.length === 0;
  const referenceTokens = search.referenceTokens;
  return {
    lhat: noneScored ? null : -sequenceLogprob / (referenceTokens ?? tokens.length),
    sequenceLogprob,
    tokens,
    bounded: true,
    referenceTokens,
    tokenization: !search.counted ? 'unchecked' : referenceTokens !== null ? 'verified' : 'mismatch',
    coveredChars: worst?.consumed ?? 0,
    stop,
    requests: search.requests,
    decodedTokens: search.decodedTokens,
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
