/**
 * The one way a p-value is written in every report (terminal, Markdown, HTML, JUnit, compare):
 * three decimals, and `p<0.001` below that (APA style), so the same kind of number never shows as
 * both `p=0.000` and `p=7.75e-7`. Not a number gives `p=n/a`.
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'p=n/a';
  if (p < 0.001) return 'p<0.001';
  return `p=${Math.min(1, p).toFixed(3)}`;
}

/**
 * The largest number of outcomes any problem has under one intervention: the samples per problem
 * that make an interval clustered (more than one).
 */
export function samplesPerProblem(results: ReadonlyArray<{ problemId: string; intervention: string }>): number {
  const counts = new Map<string, number>();
  for (const r of results) {
    const key = `${r.problemId}\u0000${r.intervention}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(1, ...counts.values());
}

/** How every report names the accuracy interval: `95% interval`, and with samples `95% interval, clustered by problem (4 samples)`. */
export function intervalLabel(samples: number): string {
  return samples > 1 ? `95% interval, clustered by problem (${samples} samples)` : '95% interval';
}

/** How every report names the one-sided paired test behind a comparison's "B worse" p-value. */
export function pairedTestName(test: 'mcnemar' | 'sign-flip' | 'stratified'): string {
  if (test === 'stratified') return 'permutation test stratified by problem (different samples per problem)';
  return test === 'sign-flip' ? 'sign-flip test clustered by problem' : 'McNemar';
}
