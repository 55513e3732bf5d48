import { seededRandom } from '../../../../core/random.ts';
import { pooledReflectionShift, sameReflectionWord, type ReflectionTrace } from '../../../../metrics/reflection.ts';
import type { CheckSummary, ResultSummary, RunData } from '../../../run-data.ts';

/** One bar pair of the reflection chart: the statistic, its 95% intervals, and what it was measured on. */
export interface ReflectionStat {
  intervention: string;
  /** The check's word, or undefined for every reflection word. */
  word: string | undefined;
  atReflection: number;
  allPositions: number;
  ratio: number;
  /** Intervals at the word, over all positions and of the ratio: percentile bootstrap over problems. */
  atInterval: [number, number];
  allInterval: [number, number];
  ratioInterval: [number, number];
  /** Steps that start a reflection word, all steps, traces. */
  count: number;
  steps: number;
  traces: number;
}

const RESAMPLES = 1000;

/** Exactly the rows and points the reflectionShift check reads: produced results, exact (not bounded) L-hat values. */
function traceOf(result: ResultSummary, word: string | undefined): ReflectionTrace {
  return {
    points: result.confidence.flatMap((p) => (typeof p.lhat === 'number' && p.bounded !== true ? [{ position: p.position, value: p.lhat }] : [])),
    reflectionPositions: (result.reflections ?? []).filter((m) => word === undefined || sameReflectionWord(m.word, word)).map((m) => m.position),
  };
}

function percentiles(values: number[]): [number, number] {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return [Number.NaN, Number.NaN];
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? Number.NaN;
  return [at(0.025), at(0.975)];
}

interface ClusterSums {
  atSum: number;
  atCount: number;
  allSum: number;
  allCount: number;
}

/** Per problem, the pooled sums its traces add (a problem's samples are resampled together). */
function clusterSums(results: readonly ResultSummary[], word: string | undefined): ClusterSums[] {
  const byProblem = new Map<string, ClusterSums>();
  for (const r of results) {
    const one = pooledReflectionShift([traceOf(r, word)]);
    const sums = byProblem.get(r.problemId) ?? { atSum: 0, atCount: 0, allSum: 0, allCount: 0 };
    if (one.count > 0) {
      sums.atSum += one.atReflection * one.count;
      sums.atCount += one.count;
    }
    if (one.steps > 0) {
      sums.allSum += one.allPositions * one.steps;
      sums.allCount += one.steps;
    }
    byProblem.set(r.problemId, sums);
  }
  return [...byProblem.values()];
}

function bootstrap(clusters: readonly ClusterSums[]): { at: [number, number]; all: [number, number]; ratio: [number, number] } {
  const random = seededRandom(20250519);
  const at: number[] = [];
  const all: number[] = [];
  const ratio: number[] = [];
  for (let b = 0; b < RESAMPLES && clusters.length > 1; b++) {
    const s = { atSum: 0, atCount: 0, allSum: 0, allCount: 0 };
    for (let i = 0; i < clusters.length; i++) {
      const c = clusters[Math.floor(random() * clusters.length)];
      if (!c) continue;
      s.atSum += c.atSum;
      s.atCount += c.atCount;
      s.allSum += c.allSum;
      s.allCount += c.allCount;
    }
    const a = s.atCount > 0 ? s.atSum / s.atCount : Number.NaN;
    const o = s.allCount > 0 ? s.allSum / s.allCount : Number.NaN;
    at.push(a);
    all.push(o);
    ratio.push(a / o);
  }
  return { at: percentiles(at), all: percentiles(all), ratio: percentiles(ratio) };
}

export function reflectionStat(results: readonly ResultSummary[], intervention: string, word: string | undefined): ReflectionStat | undefined {
  const rows = results.filter((r) => r.intervention === intervention && r.error === undefined);
  // The point estimate is the check's own function on the check's own inputs, so the two agree exactly.
  const pooled = pooledReflectionShift(rows.map((r) => traceOf(r, word)));
  if (pooled.count === 0 || pooled.steps === 0) return undefined;
  const intervals = bootstrap(clusterSums(rows, word));
  return {
    intervention,
    word,
    atReflection: pooled.atReflection,
    allPositions: pooled.allPositions,
    ratio: pooled.ratio,
    atInterval: intervals.at,
    allInterval: intervals.all,
    ratioInterval: intervals.ratio,
    count: pooled.count,
    steps: pooled.steps,
    traces: pooled.traces,
  };
}

/** The (intervention, word) of each reflectionShift check, read from its evidence. */
function checkedWords(checks: readonly CheckSummary[]): Array<{ intervention: string; word: string }> {
  return checks.flatMap((c) => {
    const e = c.evidence as { intervention?: unknown; word?: unknown } | undefined;
    return c.name.startsWith('reflectionShift') && typeof e?.intervention === 'string' && typeof e.word === 'string' ? [{ intervention: e.intervention, word: e.word }] : [];
  });
}

/**
 * What the reflection chart draws: the statistic of each reflectionShift check (its intervention
 * and word) when the suite has such checks, else every probed intervention over all reflection words.
 */
export function reflectionStats(data: RunData): ReflectionStat[] {
  const checked = checkedWords(data.checks);
  const wanted: Array<{ intervention: string; word: string | undefined }> = checked.length > 0 ? checked : data.interventions.map((i) => ({ intervention: i.label, word: undefined }));
  return wanted.flatMap(({ intervention, word }) => reflectionStat(data.results, intervention, word) ?? []);
}
