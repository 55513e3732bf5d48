import type { Backend, Completion, CompletionRequest, ModelInfo, TextScore } from '../backends/backend.ts';
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
    // One-request L-hat (echo + logprobs on OpenAI-compatible servers) goes through the store too.
    ...(backend.scoreText ? { scoreText: cachedScoreText(backend, store, info, namespace) } : {}),
    hits: () => hits,
    misses: () => misses,
  };
}

/**
 * scoreText through the store, so a resumed or offline run replays one-request L-hat probes. The
 * score is kept as a completion (the store's one record type): its key is the context as prompt
 * with the continuation in the namespace, its tokens the continuation's scored tokens, and
 * `aligned` an extra field (the store keeps unknown top-level fields). A server that cannot score
 * (undefined) is not recorded: the probe goes token by token, through complete() above.
 */
function cachedScoreText(backend: Backend, store: Store, info: ModelInfo, namespace: string): NonNullable<Backend['scoreText']> {
  return async (model, request, signal) => {
    const parts = {
      model,
      digest: info.digest,
      request: { prompt: request.context, maxTokens: 0, stop: [], seed: 0, sampling: { temperature: 1, topP: 1, topK: 0 }, topLogprobs: 0 },
      namespace: `${namespace}/score ${JSON.stringify(request.continuation)}`,
    };
    const key = store.cacheKey(parts);
    const cached = store.getCompletion(key) as (Completion & { aligned?: unknown }) | undefined;
    if (cached) return { tokens: cached.tokens.map((t) => ({ text: t.text, logprob: t.logprob })), aligned: cached.aligned === true };
    const score: TextScore | undefined = await backend.scoreText!(model, request, signal);
    if (!score) return undefined;
    const tokens = score.tokens.map((t) => ({ text: t.text, logprob: t.logprob, top: [] }));
    store.putCompletion(key, parts, { text: request.continuation, tokens, doneReason: 'stop', promptTokens: 0, decodedTokens: 0, wallMs: 0, aligned: score.aligned } as Completion);
    return score;
  };
}
