import type { Backend, CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { answerAfterSuffix } from './answer.ts';
import { DEER_TRIAL_SUFFIX } from './suffixes.ts';

/**
 * Self-confidence (DEER): fork a greedy trial answer after a trace prefix and DEER's trial suffix,
 * and take the mean probability of the answer's tokens. DEER exits early when it exceeds 0.95.
 *
 * Which tokens: those overlapping the box content, so a token like `{12` counts and the lone `{`
 * and `}` do not. Greedy decoding (temperature 0): the logprobs are the model's raw ones on
 * Ollama <= 0.24; on servers that report post-sampling logprobs, record the server version and
 * treat the values with care.
 */

export interface SelfConfidenceOptions {
  backend: Backend;
  model: string;
  prefix: string;
  /** DEER's trial suffix by default. */
  suffix?: string;
  maxAnswerTokens: number;
  /** Stop strings for the trial answer; default a newline. */
  stopAt?: string[];
  seed?: number;
  signal?: AbortSignal;
}

export interface SelfConfidenceResult {
  /** The trial answer (box content), or null when the box did not close within the token limit. */
  answer: string | null;
  /** Mean token probability over the answer's tokens (over what was written when the box never closed); null when there were none. */
  confidence: number | null;
  /** The tokens the mean is taken over. */
  tokens: { text: string; logprob: number; probability: number }[];
  /** Everything the model wrote (untrusted text). */
  text: string;
  requests: number;
  decodedTokens: number;
}

export async function selfConfidence(options: SelfConfidenceOptions): Promise<SelfConfidenceResult> {
  const { backend, model, maxAnswerTokens, signal } = options;
  const suffix = options.suffix ?? DEER_TRIAL_SUFFIX;
  if (!Number.isInteger(maxAnswerTokens) || maxAnswerTokens < 1) {
    throw new InputError('self-confidence: maxAnswerTokens', `a whole number >= 1 (got ${maxAnswerTokens})`);
  }
  const completion = await backend.complete(
    model,
    {
      prompt: options.prefix + suffix,
      maxTokens: maxAnswerTokens,
      stop: options.stopAt ?? ['\n'],
      seed: options.seed ?? 0,
      sampling: { temperature: 0, topK: 0, topP: 1 },
      topLogprobs: 1,
    },
    signal,
  );
  const span = answerAfterSuffix(suffix, completion.text);
  const answerTokens = tokensOverlapping(completion.tokens, span.start, span.end);
  const tokens = answerTokens.map((t) => ({ text: t.text, logprob: t.logprob, probability: Math.exp(t.logprob) }));
  const confidence = tokens.length === 0 ? null : tokens.reduce((sum, t) => sum + t.probability, 0) / tokens.length;
  return { answer: span.answer, confidence, tokens, text: completion.text, requests: 1, decodedTokens: completion.decodedTokens };
}

/** The tokens whose text overlaps [start, end) of their concatenation. */
export function tokensOverlapping(tokens: readonly CompletionToken[], start: number, end: number): CompletionToken[] {
  const out: CompletionToken[] = [];
  let offset = 0;
  for (const token of tokens) {
    const tokenEnd = offset + token.text.length;
    if (tokenEnd > start && offset < end) out.push(token);
    offset = tokenEnd;
  }
  return out;
}
