import type { ResultSummary, RunData } from '../../run-data.ts';

/** The most samples any problem has under one intervention (1 for a run with `samples: 1`). */
export function samplesPerProblem(results: readonly ResultSummary[]): number {
  const counts = new Map<string, number>();
  let most = results.length > 0 ? 1 : 0;
  for (const r of results) {
    const key = `${r.problemId}\u0000${r.intervention}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > most) most = n;
  }
  return most;
}

/**
 * What a reader must know about every interval of a run whose samples repeat a problem: samples of
 * one problem are correlated, so its intervals treat the problem as the unit (issue 9). Undefined
 * when each problem has one sample, where clustering changes nothing.
 */
export function clusterNote(data: RunData): string | undefined {
  const samples = samplesPerProblem(data.results);
  return samples > 1 ? `95% CI clustered by problem (${samples} samples per problem)` : undefined;
}
