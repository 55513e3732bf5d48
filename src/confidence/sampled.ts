import type { Backend, SamplingSettings } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { answerAfterSuffix } from './answer.ts';
import { RAML_SUFFIX } from './suffixes.ts';

/**
 * Sampled confidence: the share of k answers sampled after a trace prefix and an answer-eliciting
 * suffix that are correct. Grading is passed in (src/grading's `isEquivalent` in a run), so this
 * module does not depend on how answers are compared.
 */

/** RaML's sampling settings for QwQ-32B. */
export const RAML_SAMPLING: SamplingSettings = { temperature: 0.6, topP: 0.95, topK: 40 };

export type Grade = (gold: string, pred: string) => Promise<boolean> | boolean;

export interface SampledConfidenceOptions {
  backend: Backend;
  model: string;
  /** The rendered prompt plus the thinking prefix. */
  prefix: string;
  /** Answer-eliciting suffix; RaML's by default. */
  suffix?: string;
  gold: string;
  samples: number;
  grade: Grade;
  /** Tokens allowed per sampled answer. Default 32. */
  maxAnswerTokens?: number;
  /** Stop strings; default a newline (a boxed answer sits on one line), which saves decoding after the box. */
  stop?: string[];
  /** Sample i uses seed + i. Default 0. */
  seed?: number;
  /** RaML's settings by default. */
  sampling?: SamplingSettings;
  signal?: AbortSignal;
}

export interface SampledAnswer {
  /** The box content, or null when the model never closed the box within the token limit. */
  answer: string | null;
  correct: boolean;
  /** Everything the model wrote (untrusted text). */
  text: string;
  seed: number;
}

export interface SampledConfidenceResult {
  /** Correct answers / samples (an unreadable answer counts as wrong). */
  share: number;
  answers: SampledAnswer[];
  requests: number;
  decodedTokens: number;
}

export async function sampledConfidence(options: SampledConfidenceOptions): Promise<SampledConfidenceResult> {
  const { backend, model, gold, samples, grade, signal } = options;
  const suffix = options.suffix ?? RAML_SUFFIX;
  const maxTokens = options.maxAnswerTokens ?? 32;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(samples) || samples < 1) {
    throw new InputError('sampled confidence: samples', `a whole number >= 1 (got ${samples})`);
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new InputError('sampled confidence: maxAnswerTokens', `a whole number >= 1 (got ${maxTokens})`);
  }
  const answers: SampledAnswer[] = [];
  let decodedTokens = 0;
  // One after another: the samples share their prompt, so on one KV-cache slot each costs only its answer.
  for (let i = 0; i < samples; i++) {
    const completion = await backend.complete(
      model,
      {
        prompt: options.prefix + suffix,
        maxTokens,
        stop: options.stop ?? ['\n'],
        seed: seed + i,
        sampling: options.sampling ?? RAML_SAMPLING,
        topLogprobs: 0,
      },
      signal,
    );
    decodedTokens += completion.decodedTokens;
    const { answer } = answerAfterSuffix(suffix, completion.text);
    const correct = answer !== null && (await grade(gold, answer));
    answers.push({ answer, correct, text: completion.text, seed: seed + i });
  }
  const share = answers.filter((a) => a.correct).length / samples;
  return { share, answers, requests: samples, decodedTokens };
}
