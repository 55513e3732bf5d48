import type { Backend, Completion } from '../../src/backends/backend.ts';
import { OllamaBackend } from '../../src/backends/ollama.ts';
import { RAML_SAMPLING } from '../../src/confidence/index.ts';
import type { SimModel } from '../../src/sim/model/types.ts';
import { loadServedModel, startSimServer, type SimServer } from '../../src/sim/server/index.ts';

/** The simulator card the confidence e2e tests probe. */
export const MODEL = 'sim-fast';

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

/** The stack every confidence e2e test probes: the simulator's HTTP server, the Ollama backend on it, and the model's exact truth. */
export async function startSimStack(): Promise<{ server: SimServer; backend: OllamaBackend; model: SimModel }> {
  const server = await startSimServer({ port: 0 });
  return { server, backend: new OllamaBackend({ host: server.url, numCtx: 16384 }), model: await loadServedModel(MODEL) };
}
