/** A run's target when `--host` (or OLLAMA_HOST / OPENAI_BASE_URL) names several servers. */
import type { ModelTarget } from './target.ts';
import { normaliseHost } from '../backends/host.ts';
import { hostPool } from '../backends/hosts.ts';
import { createOllamaBackend } from '../backends/ollama.ts';
import { OPENAI_PREFIX, resolveOpenAIHost } from './openai-target.ts';
import { createOpenAIBackend } from '../backends/openai.ts';
import { createPoolBackend } from '../backends/pool.ts';
import type { RetryInfo, RetryPolicy } from '../backends/retry.ts';

/**
 * Shorter than a lone server's retries: with other hosts to go to, a host that refuses
 * connections for a few seconds is treated as gone and its trees move on.
 */
export const POOL_HOST_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 200, maxDelayMs: 2000, maxTotalMs: 10_000 };

export interface PoolTargetOptions {
  model: string;
  host?: string;
  numCtx: number;
  /** `--concurrency`: slots of a host named without `#N`. */
  hostSlots?: number;
  onWarn?: (line: string) => void;
}

/** The pooled target, or undefined when the run uses one host (or the embedded simulator). */
export function openPoolTarget(options: PoolTargetOptions, onRetry?: (info: RetryInfo & { model: string }) => void): ModelTarget | undefined {
  const plan = hostPool(options.model, options.host, options.hostSlots);
  if (!plan) return undefined;
  const openai = options.model.startsWith(OPENAI_PREFIX);
  const retry = { retry: POOL_HOST_RETRY, ...(onRetry ? { onRetry } : {}) };
  const hosts = plan.specs.map((spec) => {
    const url = openai ? resolveOpenAIHost(spec.address) : normaliseHost(spec.address, spec.where);
    const backend = openai
      ? createOpenAIBackend({ host: url, numCtx: options.numCtx, ...retry })
      : createOllamaBackend({ host: url, numCtx: options.numCtx, keepAlive: '30m', ...retry });
    return { url, slots: spec.slots, backend };
  });
  const backend = createPoolBackend({ hosts, ...(options.onWarn ? { onWarn: options.onWarn } : {}) });
  const model = openai ? options.model.slice(OPENAI_PREFIX.length) : options.model;
  return { backend, model, requested: options.model, close: async () => undefined };
}
