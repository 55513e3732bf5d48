import type { Backend, Completion, CompletionRequest, ModelInfo } from '../backends/backend.ts';
import type { Store } from '../store/store.ts';

/**
 * A backend whose completions go through the run store, so work outside the trace trees
 * (teacher-forced confidence probes) is resumable too: a rerun replays every finished request.
 */
export function cachedBackend(backend: Backend, store: Store, info: ModelInfo, namespace: string): Backend & { hits(): number; misses(): number } {
  let hits = 0;
  let misses = 0;
  return {
    label: `${backend.label} (cached)`,
    describe: (model: string): Promise<ModelInfo> => backend.describe(model),
    async complete(model: string, request: CompletionRequest, signal?: AbortSignal): Promise<Completion> {
      const parts = { model, digest: info.digest, request, namespace };
      const key = store.cacheKey(parts);
      const cached = store.getCompletion(key);
      if (cached) {
        hits++;
        return cached;
      }
      misses++;
      const completion = await backend.complete(model, request, signal);
      store.putCompletion(key, parts, completion);
      return completion;
    },
    hits: () => hits,
    misses: () => misses,
  };
}
