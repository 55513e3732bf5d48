import { InputError } from '../core/errors.ts';
import type { CompletionRequest } from './backend.ts';

/**
 * What every backend refuses before a request leaves the process: one line naming the request and
 * the field. Only the top-logprobs limit differs between servers, so each backend names its own.
 */
export function checkCompletionRequest(request: CompletionRequest, where: string, topLogprobs: { max: number; whose: string }): void {
  const fail = (field: string, expected: string): never => {
    throw new InputError(`${where}: ${field}`, expected);
  };
  if (typeof request.prompt !== 'string' || request.prompt === '') fail('prompt', 'expected a non-empty raw prompt');
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) fail('maxTokens', `expected a positive integer, got ${String(request.maxTokens)}`);
  if (!Number.isInteger(request.topLogprobs) || request.topLogprobs < 0 || request.topLogprobs > topLogprobs.max) {
    fail('topLogprobs', `expected an integer from 0 to ${topLogprobs.max} (${topLogprobs.whose}), got ${String(request.topLogprobs)}`);
  }
  if (!Array.isArray(request.stop) || request.stop.some((s) => typeof s !== 'string' || s === '')) fail('stop', 'expected an array of non-empty strings');
  if (!Number.isInteger(request.seed)) fail('seed', `expected an integer, got ${String(request.seed)}`);
  const { temperature, topP, topK } = request.sampling;
  if (!(temperature >= 0)) fail('sampling.temperature', `expected >= 0, got ${String(temperature)}`);
  if (!(topP > 0 && topP <= 1)) fail('sampling.topP', `expected a number in (0, 1], got ${String(topP)}`);
  if (!Number.isInteger(topK) || topK < 0) fail('sampling.topK', `expected an integer >= 0, got ${String(topK)}`);
}
