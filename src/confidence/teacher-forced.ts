import type { Backend, CompletionToken, SamplingSettings, TokenChoice } from '../backends/backend.ts';
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
 * reference (longest first, see match.ts), append it, repeat. Each step's prompt extends the last
 * one, so the server's KV cache makes every step after the first cost about one token of prefill.
 *
 * What is scored: the reference's own tokens, as RaML does. The closing `}` of the box is not part
 * of the reference (pass `reference: answer + '}'` to score it too).
 *
 * When no offered token continues the reference, the true token's logprob is only known to be at
 * most the last (20th) entry's: the result is then a flagged bound (`bounded: true`), never a
 * guess. The scorer stops there, since the tokenization of the rest is unknown; the unscored rest
 * is one last token with `bound: true`, `rank: null` and the 20th entry's logprob. Then:
 * - `sequenceLogprob` is an upper bound of the reference's true log-probability (the bounded token
 *   is at most that likely, and any further tokens only lower it);
 * - `lhat` is the mean over the scored tokens plus the bounded one: a lower bound of their true
 *   mean negative logprob, not the exact L-hat of the whole reference (its token count is unknown).
 * Report and aggregate bounded probes as such.
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
  /** Requests allowed for backtracking to shorter tokenizations (see match.ts). Default 8. */
  maxExtraRequests?: number;
}

export interface ScoredToken {
  text: string;
  /** The model's logprob of this token; for a bound token, the upper bound (the last top entry's logprob). */
  logprob: number;
  /** 1-based rank among the top 20, or null (the bound token, or a sampled token outside the top list). */
  rank: number | null;
  /** True for the one token whose logprob is only bounded. */
  bound: boolean;
}

export type TeacherForcedStop = 'complete' | 'outside-top' | 'no-distribution';

export interface TeacherForcedResult {
  /** -sequenceLogprob / tokens.length; null when not even the first token could be scored. */
  lhat: number | null;
  sequenceLogprob: number;
  tokens: ScoredToken[];
  /** True when the last token's logprob is an upper bound, not a value (see the module comment). */
  bounded: boolean;
  /** Characters of the reference covered by exactly scored tokens. */
  coveredChars: number;
  /** Why scoring stopped: the whole reference scored, a token outside the top 20, or the model gave no distribution. */
  stop: TeacherForcedStop;
  /** Model requests spent, retries included. */
  requests: number;
  /** Tokens the server decoded for this probe. */
  decodedTokens: number;
}

interface Position {
  top: readonly TokenChoice[];
  sampled: TokenChoice;
}

/** How many times to re-ask when the model ends its turn instead of offering a token (it sampled end-of-turn). */
const EMPTY_RETRIES = 3;

export async function teacherForcedLhat(options: TeacherForcedOptions): Promise<TeacherForcedResult> {
  const { backend, model, reference, signal } = options;
  const suffix = options.suffix ?? RAML_SUFFIX;
  const seed = options.seed ?? 0;
  const lookahead = options.lookahead ?? 1;
  const maxExtra = options.maxExtraRequests ?? 8;
  if (reference === '') throw new InputError('teacher-forced probe: reference', 'a non-empty answer text');
  if (!Number.isInteger(lookahead) || lookahead < 1) {
    throw new InputError('teacher-forced probe: lookahead', `a whole number >= 1 (got ${lookahead})`);
  }
  const base = options.prefix + suffix;

  // Distribution at each character offset of the reference, as far as fetched.
  const positions = new Map<number, Position | null>();
  let requests = 0;
  let decodedTokens = 0;
  let extraRequests = 0;

  async function fetchAt(consumed: number): Promise<void> {
    for (let attempt = 0; attempt < EMPTY_RETRIES; attempt++) {
      const completion = await backend.complete(
        model,
        {
          prompt: base + reference.slice(0, consumed),
          maxTokens: Math.max(1, Math.min(lookahead, reference.length - consumed)),
          stop: [],
          seed: seed + attempt * 7919,
          sampling: UNTRUNCATED_SAMPLING,
          topLogprobs: TOP_LOGPROBS,
        },
        signal,
      );
      requests++;
      decodedTokens += completion.decodedTokens;
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

  type Partial = { path: ScoredToken[]; consumed: number; stop: TeacherForcedStop };
  let best: Partial | null = null;
  const keep = (partial: Partial): void => {
    if (!best || partial.consumed > best.consumed) best = partial;
  };

  async function search(consumed: number, path: ScoredToken[], mainLine: boolean): Promise<ScoredToken[] | null> {
    if (consumed === reference.length) return path;
    if (!positions.has(consumed)) {
      if (!mainLine && extraRequests >= maxExtra) return null;
      const before = requests;
      await fetchAt(consumed);
      if (!mainLine) extraRequests += requests - before;
    }
    const position = positions.get(consumed);
    if (!position) {
      keep({ path, consumed, stop: 'no-distribution' });
      return null;
    }
    const remaining = reference.slice(consumed);
    const candidates = continuations(remaining, position.top, position.sampled);
    if (candidates.length === 0) {
      const bound = outsideTopBound(position.top) ?? position.sampled.logprob;
      keep({ path: [...path, { text: remaining, logprob: bound, rank: null, bound: true }], consumed, stop: 'outside-top' });
      return null;
    }
    for (const [i, candidate] of candidates.entries()) {
      const token: ScoredToken = { text: candidate.text, logprob: candidate.logprob, rank: candidate.rank, bound: false };
      const found = await search(consumed + candidate.text.length, [...path, token], mainLine && i === 0);
      if (found) return found;
    }
    return null;
  }

  const complete = await search(0, [], true);
  const settled: Partial = complete
    ? { path: complete, consumed: reference.length, stop: 'complete' }
    : (best ?? { path: [], consumed: 0, stop: 'no-distribution' });
  const tokens = settled.path;
  const sequenceLogprob = tokens.reduce((sum, token) => sum + token.logprob, 0);
  return {
    lhat: tokens.length === 0 ? null : -sequenceLogprob / tokens.length,
    sequenceLogprob,
    tokens,
    bounded: settled.stop === 'outside-top',
    coveredChars: settled.consumed,
    stop: settled.stop,
    requests,
    decodedTokens,
  };
}
