import type { Backend } from '../backends/backend.ts';
import { teacherForcedLhat } from '../confidence/index.ts';
import type { Result } from '../core/model.ts';
import type { Problem } from '../problems/problem.ts';
import { thinkingPrefixes, type ThinkingLayout } from './prefix.ts';

export interface LhatPoint {
  position: number;
  lhat: number;
  /** exp(sequence logprob): the model's probability of writing the reference answer right there. */
  pReference: number;
  bounded: boolean;
  /** The most alternatives the server returned for one token while scoring this probe, and how many were asked. */
  alternatives?: { returned: number; asked: number };
}

/** A backend that notes how many alternatives the server returns (a skip reason names a server that returns fewer than asked). */
function countingAlternatives(backend: Backend): { backend: Backend; take(): { returned: number; asked: number } } {
  let returned = 0;
  let asked = 0;
  const counting: Backend = {
    label: backend.label,
    describe: (model) => backend.describe(model),
    // Dropping scoreText here sent every probe on an OpenAI-compatible server down the token-by-token path.
    ...(backend.scoreText ? { scoreText: backend.scoreText.bind(backend) } : {}),
    async complete(model, request, signal) {
      const completion = await backend.complete(model, request, signal);
      asked = Math.max(asked, request.topLogprobs);
      for (const t of completion.tokens) returned = Math.max(returned, t.top.length);
      return completion;
    },
  };
  return {
    backend: counting,
    take() {
      const seen = { returned, asked };
      returned = 0;
      asked = 0;
      return seen;
    },
  };
}

/**
 * RaML's teacher-forced L-hat at every probe position of every probed result, in ascending order
 * along each trace so each probe reuses the KV cache its predecessor left on the server.
 */
export async function measureLhat(options: {
  backend: Backend;
  model: string;
  records: readonly Result[];
  problems: ReadonlyMap<string, Problem>;
  layout: ThinkingLayout;
  signal?: AbortSignal;
  onProbe?: () => void;
}): Promise<Map<string, LhatPoint[]>> {
  const out = new Map<string, LhatPoint[]>();
  const counter = countingAlternatives(options.backend);
  for (const record of options.records) {
    const problem = options.problems.get(record.problemId);
    if (!problem || record.probes.length === 0 || problem.answer.trim() === '') continue;
    const positions = [...new Set(record.probes.map((p) => p.position))].sort((a, b) => a - b);
    const points: LhatPoint[] = [];
    const prefixAt = thinkingPrefixes(record.trace, options.layout);
    for (const position of positions) {
      options.signal?.throwIfAborted();
      const prefix = prefixAt(position);
      if (prefix === undefined) continue;
      const scored = await teacherForcedLhat({
        backend: counter.backend,
        model: options.model,
        prefix,
        reference: problem.answer,
        seed: record.seed,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.onProbe?.();
      const alternatives = counter.take();
      if (scored.lhat === null) continue;
      points.push({ position, lhat: scored.lhat, pReference: Math.exp(scored.sequenceLogprob), bounded: scored.bounded, alternatives });
    }
    out.set(record.key, points);
  }
  return out;
}
