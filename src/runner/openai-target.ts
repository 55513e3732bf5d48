/**
 * How a user names an OpenAI-compatible server: the model is prefixed with `openai:`.
 *
 *   --model openai:Qwen/QwQ-32B --host http://gpu-box:8000     (vLLM, SGLang, llama-server)
 *   model: openai:Qwen/QwQ-32B                                  (in a suite)
 *   --model openai:sim:sim-qwq                                  (the built-in simulator, over its /v1 API)
 *
 * The host comes from --host, else OPENAI_BASE_URL (a trailing /v1 is dropped), else
 * http://127.0.0.1:8000 (vLLM's and SGLang's usual port; llama-server's is 8080).
 */
import { InputError } from '../core/errors.ts';
import type { Problem } from '../problems/problem.ts';
import type { ModelTarget } from './target.ts';
import { loadCard } from '../sim/model/index.ts';
import { startSimServer } from '../sim/server/index.ts';
import { normaliseHost } from '../backends/host.ts';
import { createOpenAIBackend } from '../backends/openai.ts';
import type { RetryInfo } from '../backends/retry.ts';

export const OPENAI_PREFIX = 'openai:';
export const DEFAULT_OPENAI_HOST = 'http://127.0.0.1:8000';

/** The server's base URL: --host, else OPENAI_BASE_URL, else DEFAULT_OPENAI_HOST. */
export function resolveOpenAIHost(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const pick = (raw: string, where: string): string => {
    const trimmed = raw.trim().replace(/\/+$/, '').replace(/\/v1$/, '');
    // Without a port, 11434 (Ollama's) would be wrong here: an OpenAI-compatible host names its port or uses 8000.
    const hasPort = /^(?:[a-z+]+:\/\/)?(?:\[[^\]]*\]|[^/:]*):\d+/i.test(trimmed);
    const withPort = hasPort || /^https?:\/\//i.test(trimmed) ? trimmed : `${trimmed}:8000`;
    return normaliseHost(withPort, where);
  };
  if (flag !== undefined && flag.trim() !== '') return pick(flag, '--host');
  const fromEnv = env['OPENAI_BASE_URL'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return pick(fromEnv, 'OPENAI_BASE_URL');
  return DEFAULT_OPENAI_HOST;
}

export interface OpenAITargetOptions {
  model: string;
  host?: string;
  numCtx: number;
  parallel: number;
  problems: readonly Problem[];
}

export async function openOpenAITarget(options: OpenAITargetOptions, onRetry?: (info: RetryInfo & { model: string }) => void): Promise<ModelTarget> {
  const name = options.model.slice(OPENAI_PREFIX.length);
  if (name === '') throw new InputError('--model', 'expected openai:<model id as GET /v1/models lists it>, e.g. openai:Qwen/QwQ-32B');
  const retry = onRetry ? { onRetry } : {};
  if (name.startsWith('sim:')) {
    const card = loadCard(name.slice('sim:'.length) || 'sim-qwq');
    const sim = await startSimServer({
      port: 0,
      parallel: options.parallel,
      cards: [card],
      answerEntries: options.problems.map((p) => ({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }) })),
    });
    const backend = createOpenAIBackend({ host: sim.url, numCtx: options.numCtx, ...retry });
    return { backend, model: card.name, requested: options.model, sim, close: () => sim.close() };
  }
  const backend = createOpenAIBackend({ host: resolveOpenAIHost(options.host), numCtx: options.numCtx, ...retry });
  return { backend, model: name, requested: options.model, close: async () => undefined };
}
