import { InputError } from '../core/errors.ts';

/**
 * Summaries of per-run costs: thinking, answer and total tokens, server work, wall time.
 * Quantiles use linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of numpy.quantile and R's quantile), so a reader can reproduce every figure.
 */

/** Type-7 quantile of ascending-sorted values; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, p));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

export interface Summary {
  n: number;
  mean: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** n, mean, median, p90 (type 7), min, max; every statistic is NaN for no values. */
export function summarize(values: readonly number[]): Summary {
  values.forEach((value, index) => {
    if (!Number.isFinite(value)) throw new InputError(`summarize: value ${index}`, `a finite number, got ${value}`);
  });
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, median: Number.NaN, p90: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  // Kahan-free mean is fine here: token counts and milliseconds are far from float limits.
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  return {
    n,
    mean,
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}

/** What one run (problem x intervention x sample) cost. Fields the backend did not report are omitted. */
export interface CostRecord {
  thinkingTokens: number;
  answerTokens: number;
  /** New prompt tokens the server had to process (after its KV-cache reuse). */
  prefillTokens?: number;
  /** Tokens the server decoded, branches and probes included. */
  decodedTokens?: number;
  wallMs?: number;
}

export interface CostSummary {
  thinkingTokens: Summary;
  answerTokens: Summary;
  totalTokens: Summary;
  /** prefill + decoded tokens, over records that report both. */
  serverTokens: Summary;
  wallMs: Summary;
}

/** Summaries of each cost across runs; optional fields are summarized over the records that have them. */
export function summarizeCosts(records: readonly CostRecord[]): CostSummary {
  const server: number[] = [];
  const wall: number[] = [];
  for (const r of records) {
    if (r.prefillTokens !== undefined && r.decodedTokens !== undefined) server.push(r.prefillTokens + r.decodedTokens);
    if (r.wallMs !== undefined) wall.push(r.wallMs);
  }
  return {
    thinkingTokens: summarize(records.map((r) => r.thinkingTokens)),
    answerTokens: summarize(records.map((r) => r.answerTokens)),
    totalTokens: summarize(records.map((r) => r.thinkingTokens + r.answerTokens)),
    serverTokens: summarize(server),
    wallMs: summarize(wall),
  };
}
