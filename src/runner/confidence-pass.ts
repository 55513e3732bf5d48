import type { Backend } from '../backends/backend.ts';
import { teacherForcedLhat } from '../confidence/index.ts';
import type { ResultRecord } from '../engine/index.ts';
import type { Problem } from '../problems/problem.ts';
import { prefixAtThinkingToken, type ThinkingLayout } from './prefix.ts';

export interface LhatPoint {
  position: number;
  lhat: number;
  /** exp(sequence logprob): the model's probability of writing the reference answer right there. */
  pReference: number;
  bounded: boolean;
}

/**
 * RaML's teacher-forced L-hat at every probe position of every probed result, in ascending order
 * along each trace so each probe reuses the KV cache its predecessor left on the server.
 */
export async function measureLhat(options: {
  backend: Backend;
  model: string;
  records: readonly ResultRecord[];
  problems: ReadonlyMap<string, Problem>;
  layout: ThinkingLayout;
  signal?: AbortSignal;
  onProbe?: () => void;
}): Promise<Map<string, LhatPoint[]>> {
  const out = new Map<string, LhatPoint[]>();
  for (const record of options.records) {
    const problem = options.problems.get(record.problemId);
    if (!problem || record.probes.length === 0 || problem.answer.trim() === '') continue;
    const positions = [...new Set(record.probes.map((p) => p.position))].sort((a, b) => a - b);
    const points: LhatPoint[] = [];
    for (const position of positions) {
      options.signal?.throwIfAborted();
      const prefix = prefixAtThinkingToken(record.trace, position, options.layout);
      if (prefix === undefined) continue;
      const scored = await teacherForcedLhat({
        backend: options.backend,
        model: options.model,
        prefix,
        reference: problem.answer,
        seed: record.seed,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.onProbe?.();
      if (scored.lhat === null) continue;
      points.push({ position, lhat: scored.lhat, pReference: Math.exp(scored.sequenceLogprob), bounded: scored.bounded });
    }
    out.set(record.key, points);
  }
  return out;
}
