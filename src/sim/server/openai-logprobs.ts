/**
 * Logprobs in the shapes OpenAI-compatible servers use (pure functions):
 * - the legacy completions shape (`tokens`, `token_logprobs`, `top_logprobs` as token -> logprob
 *   maps, `text_offset`), for generated tokens and, with `echo`, for the prompt's;
 * - vLLM's `prompt_logprobs`: per prompt token `null` (the first) or a map from token id to
 *   `{logprob, rank, decoded_token}` holding the prompt's own token and the top k.
 *
 * Prompt scoring: the behaviour model knows the exact distribution after any prefix of the
 * assistant's turn, not of the user's turn it only reads. Tokens up to and including the first
 * thinking opener (`<think>`) are therefore given a flat, documented logprob (ln 1/65536) and no
 * alternatives but themselves; every token after it is scored exactly (teacher-forced, the same
 * numbers `SimModel.logprobOf` gives), which covers every L-hat reference.
 */
import type { GeneratedToken, SimModel, TokenAlternative } from '../model/types.ts';
import type { LogprobEntry } from './run.ts';
import type { TokenVocab } from './vocab.ts';

export const UNMODELLED_LOGPROB = Math.log(1 / 65536);

export interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export interface PromptTokenScore {
  token: string;
  /** null for the first prompt token (nothing precedes it). */
  logprob: number | null;
  /** Most likely first; contains `token` when it ranks in the top 20. */
  top: TokenAlternative[];
}

export function emptyLegacy(): LegacyLogprobs {
  return { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
}

/** A never-positive logprob, as a log-softmax is (float rounding clamped). */
function wire(logprob: number): number {
  return logprob > 0 ? 0 : logprob;
}

/** The top-k map of one position; the chosen token is always in it (vLLM returns k or k+1 entries). */
function topMap(token: string, logprob: number, top: readonly { token: string; logprob: number }[], k: number): Record<string, number> {
  const map: Record<string, number> = {};
  for (const alt of top.slice(0, k)) map[alt.token] = wire(alt.logprob);
  if (!(token in map)) map[token] = wire(logprob);
  return map;
}

/** Appends generated tokens' entries; `offset` is where the first one starts in the returned text. */
export function appendGenerated(into: LegacyLogprobs, entries: readonly LogprobEntry[], k: number, offset: number): number {
  let at = offset;
  for (const entry of entries) {
    into.tokens.push(entry.token);
    into.token_logprobs.push(wire(entry.logprob));
    into.top_logprobs.push(topMap(entry.token, entry.logprob, entry.top_logprobs ?? [], k));
    into.text_offset.push(at);
    at += entry.token.length;
  }
  return at;
}

/** The prompt's tokens in the legacy shape (for `echo` with `logprobs`). */
export function appendPrompt(into: LegacyLogprobs, scores: readonly PromptTokenScore[], k: number): number {
  let at = 0;
  for (const score of scores) {
    into.tokens.push(score.token);
    into.token_logprobs.push(score.logprob === null ? null : wire(score.logprob));
    into.top_logprobs.push(score.logprob === null ? null : topMap(score.token, score.logprob, score.top, k));
    into.text_offset.push(at);
    at += score.token.length;
  }
  return at;
}

/** vLLM's `prompt_logprobs` list. Rank beyond the model's top 20 is reported as 21 (unknown beyond). */
export function vllmPromptLogprobs(scores: readonly PromptTokenScore[], k: number, vocab: TokenVocab): (Record<string, { logprob: number; rank: number; decoded_token: string }> | null)[] {
  return scores.map((score) => {
    if (score.logprob === null) return null;
    const out: Record<string, { logprob: number; rank: number; decoded_token: string }> = {};
    const [ownId] = vocab.idsOf([score.token]);
    const ownRank = score.top.findIndex((alt) => alt.token === score.token);
    out[String(ownId)] = { logprob: wire(score.logprob), rank: ownRank >= 0 ? ownRank + 1 : 21, decoded_token: score.token };
    score.top.slice(0, k).forEach((alt, i) => {
      const [id] = vocab.idsOf([alt.token]);
      out[String(id)] ??= { logprob: wire(alt.logprob), rank: i + 1, decoded_token: alt.token };
    });
    return out;
  });
}

/** Every prompt token with its teacher-forced logprob (see the module comment for the unmodelled head). */
export function scorePrompt(model: SimModel, prompt: string): PromptTokenScore[] {
  const tokens = model.tokenize(prompt);
  const opener = tokens.indexOf(model.template.thinkOpen);
  const split = opener >= 0 ? opener + 1 : tokens.length;
  const head = tokens.slice(0, split);
  const scores: PromptTokenScore[] = head.map((token, i) => ({
    token,
    logprob: i === 0 ? null : UNMODELLED_LOGPROB,
    top: [{ token, logprob: UNMODELLED_LOGPROB }],
  }));
  if (split === tokens.length) return scores;
  const headText = head.join('');
  const scored: GeneratedToken[] = model.logprobOf(headText, prompt.slice(headText.length)).tokens;
  scored.forEach((token, i) => {
    if (token.token !== tokens[split + i]) throw new Error(`prompt scoring tokenized position ${split + i} differently`);
    scores.push({ token: token.token, logprob: token.logprob, top: token.top });
  });
  if (scores.length !== tokens.length) throw new Error('prompt scoring lost tokens');
  return scores;
}
