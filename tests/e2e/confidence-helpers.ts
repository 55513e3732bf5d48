import type { Backend, Completion } from '../../src/backends/backend.ts';
import { RAML_SAMPLING } from '../../src/confidence/index.ts';

/** The simulator card the confidence e2e tests probe. */
export const MODEL = 'sim-qwq';

/**
 * A trace the way RaML samples QwQ-32B (temperature 0.6, top_p 0.95, top_k 40), without logprobs:
 * the thinking the confidence probes are then run along.
 */
export function sampleTrace(backend: Backend, prompt: string, options: { seed: number; maxTokens: number; stop: string[] }): Promise<Completion> {
  return backend.complete(MODEL, {
    prompt,
    maxTokens: options.maxTokens,
    stop: options.stop,
    seed: options.seed,
    sampling: RAML_SAMPLING,
    topLogprobs: 0,
  });
}
