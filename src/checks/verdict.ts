import type { CheckResult } from './types.ts';

/**
 * The run's own gate over errored results: a result whose request failed is not evidence about the
 * model, and a CI run must not pass over it silently. Present only when some result errored, so a
 * clean run's checks are exactly the suite's.
 */
export function errorRateCheck(results: readonly { error?: string | undefined }[], maxErrorRate: number): CheckResult | undefined {
  const errored = results.filter((r) => r.error !== undefined).length;
  if (errored === 0) return undefined;
  const total = results.length;
  const rate = errored / total;
  const pass = rate <= maxErrorRate + 1e-12;
  const share = `${(rate * 100).toFixed(1)}%`;
  const allowed = maxErrorRate === 0 ? 'the suite allows none (maxErrorRate 0)' : `the suite allows ${(maxErrorRate * 100).toFixed(1)}% (maxErrorRate)`;
  return {
    name: `errorRate(<= ${maxErrorRate})`,
    verdict: pass ? 'pass' : 'fail',
    summary: `${errored} of ${total} results errored (${share}); ${allowed}`,
    evidence: { errored, results: total, rate, maxErrorRate },
  };
}

export interface RunVerdict {
  passed: boolean;
  /** One line for summaries: why the run passed or failed. */
  headline: string;
}

/**
 * Whether the run passes: no check failed or errored, and at least one check could be evaluated
 * (a run whose every check was skipped proved nothing). `goldenWrite`: this run writes the golden,
 * so a skipped comparison is its purpose, not a gap.
 */
export function runVerdict(checks: readonly Pick<CheckResult, 'verdict'>[], options: { goldenWrite?: boolean } = {}): RunVerdict {
  const failed = checks.filter((c) => c.verdict === 'fail' || c.verdict === 'error').length;
  const skipped = checks.filter((c) => c.verdict === 'skipped').length;
  const evaluated = checks.length - skipped;
  if (checks.length === 0) return { passed: true, headline: 'No checks.' };
  if (failed > 0) return { passed: false, headline: `${failed} of ${checks.length} checks failed.` };
  if (evaluated === 0 && options.goldenWrite !== true) return { passed: false, headline: `No check could be evaluated (all ${checks.length} skipped).` };
  return { passed: true, headline: skipped > 0 ? `All ${evaluated} evaluated checks hold (${skipped} skipped).` : `All ${checks.length} checks hold.` };
}
