import type { Backend } from '../backends/backend.ts';
import { resolveHost } from '../backends/host.ts';
import { createOllamaBackend } from '../backends/ollama.ts';
import { OPENAI_PREFIX, openOpenAITarget } from './openai-target.ts';
import { openPoolTarget } from './pool-target.ts';
import type { Problem } from '../problems/problem.ts';
import { terminalSafe } from '../reports/terminal.ts';
import { loadCard } from '../sim/model/index.ts';
import { startSimServer, type SimServer } from '../sim/server/index.ts';

/** Where a run's requests go: an Ollama server, or the simulator started in-process for `sim:<card>`. */
export interface ModelTarget {
  backend: Backend;
  /** The model name the backend serves, e.g. `qwq` or `sim-qwq`. */
  model: string;
  /** What the user asked for, e.g. `sim:sim-qwq`: recorded with the run and used for golden file names. */
  requested: string;
  /** The simulator, when the target is `sim:<card>` (its `/sim/stats` measure server work). */
  sim?: SimServer;
  close(): Promise<void>;
}

export interface OpenTargetOptions {
  model: string;
  host?: string;
  numCtx: number;
  /** Server slots for the embedded simulator (= the run's concurrency). */
  parallel: number;
  /** The suite's problems: the embedded simulator knows their answers (the default of `thinkprobe run`). */
  problems: readonly Problem[];
  onRetry?: (line: string) => void;
  /** `--concurrency` as given: the slots of each host named without `#N` when --host names several. */
  hostSlots?: number;
}

export const SIM_PREFIX = 'sim:';

export async function openTarget(options: OpenTargetOptions): Promise<ModelTarget> {
  const onRetry = options.onRetry
    ? (info: { model: string; attempt: number; delayMs: number; error: unknown }) =>
        options.onRetry?.(
          terminalSafe(
            `retrying a request to ${info.model} in ${Math.round(info.delayMs)} ms (attempt ${info.attempt + 1}): ${info.error instanceof Error ? info.error.message.split('\n')[0] : String(info.error)}`,
          ),
        )
    : undefined;
  const warn = options.onRetry;
  const pooled = openPoolTarget({ ...options, ...(warn ? { onWarn: (line: string) => warn(terminalSafe(line)) } : {}) }, onRetry);
  if (pooled) return pooled;
  if (options.model.startsWith(OPENAI_PREFIX)) return openOpenAITarget(options, onRetry);
  if (options.model.startsWith(SIM_PREFIX)) {
    // A card name or a card JSON file; loading it here reports a bad card before anything starts.
    const card = loadCard(options.model.slice(SIM_PREFIX.length) || 'sim-qwq');
    const sim = await startSimServer({
      port: 0,
      parallel: options.parallel,
      cards: [card],
      answerEntries: options.problems.map((p) => ({ question: p.question, answer: p.answer, ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }), ...(p.source === undefined ? {} : { source: p.source }) })),
    });
    const backend = createOllamaBackend({ host: sim.url, numCtx: options.numCtx, ...(onRetry ? { onRetry } : {}) });
    return { backend, model: card.name, requested: options.model, sim, close: () => sim.close() };
  }
  const backend = createOllamaBackend({ host: resolveHost(options.host).url, numCtx: options.numCtx, keepAlive: '30m', ...(onRetry ? { onRetry } : {}) });
  return { backend, model: options.model, requested: options.model, close: async () => undefined };
}
