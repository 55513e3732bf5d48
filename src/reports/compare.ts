import { mcnemarRegressionP } from '../checks/noRegression.ts';
import { InputError } from '../core/errors.ts';
import { clusterDifferences, clusteredDifference, formatP, mcnemarExact, pairedBootstrap, pairedTestName, signFlipWorse, stratifiedDifference, stratifiedPermutationWorse, type ClusteredPair, type ProblemCounts } from '../metrics/index.ts';
import type { CheckSummary, Comparison, ComparisonFlip, ComparisonSummaryRow, ResultSummary, RunData } from './run-data.ts';

function key(r: ResultSummary): string {
  return `${r.problemId}\u0000${r.intervention}\u0000${r.sample}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

type PairedTest = NonNullable<ComparisonSummaryRow['test']>;

/** A shared intervention's paired comparison: what the report's side-by-side view shows, and the test behind it. */
export interface ComparisonRow extends ComparisonSummaryRow {
  /** Two-sided p of any difference: exact McNemar, or with different samples per problem twice the smaller one-sided stratified p. */
  pValue: number;
  /** True when some problem has several samples: the interval and worseP are clustered by problem. */
  clustered: boolean;
  test: PairedTest;
  /** Problems paired (each with at least one sample on both sides). */
  problems: number;
  samplesA: number;
  samplesB: number;
}

/** Problems both runs have under one id but with a different question or reference: never paired. */
export function changedProblems(a: RunData, b: RunData): Set<string> {
  const old = new Map(a.problems.map((p) => [p.id, p]));
  return new Set(b.problems.filter((p) => old.has(p.id) && (old.get(p.id)?.question !== p.question || old.get(p.id)?.answer !== p.answer)).map((p) => p.id));
}

/** One intervention's results by problem, each problem's in sample order. */
function byProblem(results: readonly ResultSummary[], label: string, skip: ReadonlySet<string>): Map<string, ResultSummary[]> {
  const groups = new Map<string, ResultSummary[]>();
  for (const r of results) {
    if (r.intervention !== label || skip.has(r.problemId)) continue;
    groups.set(r.problemId, [...(groups.get(r.problemId) ?? []), r]);
  }
  for (const group of groups.values()) group.sort((x, y) => x.sample - y.sample);
  return groups;
}

/** Whether every problem both sides have carries the same sample numbers on each: then results pair by sample. */
function sameSamples(a: Map<string, ResultSummary[]>, b: Map<string, ResultSummary[]>): boolean {
  for (const [problemId, mine] of b) {
    const theirs = a.get(problemId);
    if (theirs && (theirs.length !== mine.length || theirs.some((r, i) => r.sample !== mine[i]!.sample))) return false;
  }
  return true;
}

const most = (groups: Map<string, ResultSummary[]>): number => Math.max(0, ...[...groups.values()].map((g) => g.length));

/** One intervention paired: its row, its flips, and B's results marked lost or gained (by key). */
interface Paired {
  row: ComparisonRow;
  flips: ComparisonFlip[];
  marks: Map<string, 'lost' | 'gained'>;
}

/** Same samples on both sides: result pairs (same problem, same sample), tested by McNemar or, with samples, the clustered sign-flip test. */
function pairBySample(label: string, a: Map<string, ResultSummary[]>, b: Map<string, ResultSummary[]>, seed: number): Paired {
  const pairs: Array<[boolean, boolean]> = [];
  const clusteredPairs: ClusteredPair[] = [];
  const flips: ComparisonFlip[] = [];
  const marks = new Map<string, 'lost' | 'gained'>();
  for (const [problemId, mine] of b) {
    const theirs = new Map((a.get(problemId) ?? []).map((r) => [r.sample, r]));
    for (const r of mine) {
      const old = theirs.get(r.sample);
      if (!old) continue;
      pairs.push([old.correct, r.correct]);
      clusteredPairs.push({ cluster: problemId, a: old.correct, b: r.correct });
      if (old.correct !== r.correct) {
        flips.push({ problemId, intervention: label, sample: r.sample, a: old.correct, b: r.correct });
        marks.set(key(r), r.correct ? 'gained' : 'lost');
      }
    }
  }
  const mcnemar = mcnemarExact(pairs);
  const problems = clusterDifferences(clusteredPairs);
  const clustered = problems.some((c) => c.pairs > 1);
  // Samples of a problem are correlated: resampling single pairs would understate the spread.
  const boot =
    pairs.length === 0
      ? { difference: Number.NaN, low: Number.NaN, high: Number.NaN }
      : clustered
        ? clusteredDifference(clusteredPairs)
        : pairedBootstrap(pairs, { seed, resamples: 2000 });
  const n = Math.max(1, pairs.length);
  const row: ComparisonRow = {
    intervention: label,
    pairs: pairs.length,
    accuracyA: pairs.filter(([x]) => x).length / n,
    accuracyB: pairs.filter(([, y]) => y).length / n,
    difference: boot.difference,
    low: boot.low,
    high: boot.high,
    pValue: mcnemar.pValue,
    worseP: clustered ? signFlipWorse(clusteredPairs).pWorse : mcnemarRegressionP(mcnemar.b, mcnemar.c),
    clustered,
    test: clustered ? 'sign-flip' : 'mcnemar',
    problems: problems.length,
    samplesA: most(a),
    samplesB: most(b),
    lost: mcnemar.b,
    gained: mcnemar.c,
  };
  return { row, flips, marks };
}

/**
 * Different samples per problem (A `samples: 1`, B `samples: 4`): pairing A's sample 0 with B's
 * sample 0 would drop B's other samples, so the runs are paired by problem and tested with the
 * permutation test stratified by problem (as noRegression against a golden with other samples).
 * A flip is a problem whose accuracy moved; B's wrong samples of a problem that fell are marked
 * lost, its right ones of a problem that rose gained.
 */
function pairByProblem(label: string, a: Map<string, ResultSummary[]>, b: Map<string, ResultSummary[]>, seed: number): Paired {
  const counts: ProblemCounts[] = [];
  const flips: ComparisonFlip[] = [];
  const marks = new Map<string, 'lost' | 'gained'>();
  const right = (list: readonly ResultSummary[]) => list.filter((r) => r.correct).length;
  for (const [problemId, mine] of b) {
    const theirs = a.get(problemId);
    if (!theirs) continue;
    const c = { problemId, aSamples: theirs.length, aCorrect: right(theirs), bSamples: mine.length, bCorrect: right(mine) };
    counts.push(c);
    const change = c.bCorrect / c.bSamples - c.aCorrect / c.aSamples;
    if (change === 0) continue;
    flips.push({ problemId, intervention: label, a: change < 0, b: change > 0, correctA: c.aCorrect, samplesA: c.aSamples, correctB: c.bCorrect, samplesB: c.bSamples });
    for (const r of mine) if (r.correct === change > 0) marks.set(key(r), change > 0 ? 'gained' : 'lost');
  }
  const swapped = counts.map((c) => ({ problemId: c.problemId, aSamples: c.bSamples, aCorrect: c.bCorrect, bSamples: c.aSamples, bCorrect: c.aCorrect }));
  const worse = stratifiedPermutationWorse(counts, seed).pWorse;
  const better = stratifiedPermutationWorse(swapped, seed).pWorse;
  const interval = stratifiedDifference(counts);
  const mean = (f: (c: ProblemCounts) => number) => counts.reduce((s, c) => s + f(c), 0) / Math.max(1, counts.length);
  const row: ComparisonRow = {
    intervention: label,
    pairs: counts.length,
    accuracyA: mean((c) => c.aCorrect / c.aSamples),
    accuracyB: mean((c) => c.bCorrect / c.bSamples),
    difference: interval.difference,
    low: interval.low,
    high: interval.high,
    pValue: Math.min(1, 2 * Math.min(worse, better)),
    worseP: worse,
    clustered: true,
    test: 'stratified',
    problems: counts.length,
    samplesA: most(a),
    samplesB: most(b),
    lost: flips.filter((f) => f.a).length,
    gained: flips.filter((f) => f.b).length,
  };
  return { row, flips, marks };
}

/** Every intervention both runs have, paired (by sample when the samples match, else by problem). */
function pairAll(a: RunData, b: RunData, seed: number): Paired[] {
  const changed = changedProblems(a, b);
  const labels = b.interventions.map((i) => i.label).filter((label) => a.interventions.some((i) => i.label === label));
  return labels.map((label) => {
    const before = byProblem(a.results, label, changed);
    const after = byProblem(b.results, label, changed);
    return sameSamples(before, after) ? pairBySample(label, before, after, seed) : pairByProblem(label, before, after, seed);
  });
}

/** Paired differences per intervention the two runs share: same problem and sample, or same problem when the samples differ. */
export function pairedComparison(a: RunData, b: RunData, options: { alpha?: number; seed?: number } = {}): ComparisonRow[] {
  return pairAll(a, b, options.seed ?? 0).map((p) => p.row);
}

/** What the report's side-by-side view shows: the paired rows and every result (or problem) that changed. */
function comparisonOf(a: RunData, b: RunData, paired: readonly Paired[]): Comparison {
  return {
    a: { id: a.run.id, model: a.run.model },
    b: { id: b.run.id, model: b.run.model },
    rows: paired.map(({ row }) => {
      const { intervention, pairs, accuracyA, accuracyB, difference, low, high, worseP, lost, gained, test, samplesA, samplesB } = row;
      return { intervention, pairs, accuracyA, accuracyB, difference, low, high, worseP, lost, gained, test, samplesA, samplesB };
    }),
    flips: paired.flatMap((p) => p.flips),
  };
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, 5).join(', ');
  return values.length > 5 ? `${shown} and ${values.length - 5} more` : shown || 'none';
}

/**
 * Two runs with nothing to pair (no shared intervention label, or no problem x sample in common
 * under any shared label) cannot be compared: bad input, named in one line, not a report of NaNs.
 */
export function assertComparable(a: RunData, b: RunData, rows: readonly ComparisonRow[], names: { a: string; b: string }): void {
  if (rows.some((r) => r.pairs > 0)) return;
  const where = `compare ${names.a} ${names.b}`;
  if (rows.length === 0) {
    const labels = (d: RunData) => listed(d.interventions.map((i) => i.label));
    throw new InputError(where, `expected runs with an intervention label in common, got A: ${labels(a)}; B: ${labels(b)}`);
  }
  const ids = (d: RunData) => [...new Set(d.results.map((r) => r.problemId))];
  const changed = changedProblems(a, b).size;
  throw new InputError(
    where,
    `expected runs with problems in common (same id, question and reference), got none: A has ${ids(a).length} problems (${listed(ids(a))}), B has ${ids(b).length} (${listed(ids(b))})${changed > 0 ? `; ${changed} share an id but not the question or reference` : ''}`,
  );
}

/** The verdict line of one shared intervention: accuracies, the difference with its interval, the flips, and which test decided. */
function summaryOf(row: ComparisonRow): string {
  const points = (x: number) => (x * 100).toFixed(1);
  const test = `one-sided ${pairedTestName(row.test)} ${formatP(row.worseP)}`;
  if (row.test === 'stratified') {
    return `${pct(row.accuracyA)} -> ${pct(row.accuracyB)} (difference ${points(row.difference)} points, 95% CI by problem ${points(row.low)} to ${points(row.high)}; ${row.problems} problems, A ${row.samplesA} and B ${row.samplesB} samples per problem: ${row.lost} problems fell, ${row.gained} rose, ${test})`;
  }
  const interval = `95% CI${row.clustered ? `, clustered by problem (${row.samplesB} samples)` : ''} ${points(row.low)} to ${points(row.high)}`;
  return `${pct(row.accuracyA)} -> ${pct(row.accuracyB)} (difference ${points(row.difference)} points, ${interval}; ${row.lost} lost, ${row.gained} gained, ${test})`;
}

/**
 * Run B shown against run A in one report: both runs' interventions side by side (labels prefixed
 * `A:` / `B:`), B's flips against A marked, and one verdict per shared intervention: a significant
 * paired drop fails (one-sided exact McNemar; with samples the clustered sign-flip test; with
 * different samples per problem in A and B the permutation test stratified by problem), at
 * alpha / k over k shared interventions, like the release gate's noRegression, so an unchanged
 * model fails with probability at most alpha.
 */
export function compareRuns(a: RunData, b: RunData, options: { alpha?: number; seed?: number; names?: { a: string; b: string } } = {}): { data: RunData; rows: ComparisonRow[] } {
  const alpha = options.alpha ?? 0.05;
  const paired = pairAll(a, b, options.seed ?? 0);
  const rows = paired.map((p) => p.row);
  assertComparable(a, b, rows, options.names ?? { a: a.run.id, b: b.run.id });
  const changed = changedProblems(a, b);
  const marks = new Map(paired.flatMap((p) => [...p.marks]));
  const checks: CheckSummary[] = rows.map((row) => {
    const worse = row.worseP < alpha / Math.max(1, rows.length);
    return {
      name: `paired(${row.intervention})`,
      verdict: row.pairs === 0 ? 'skipped' : worse ? 'fail' : 'pass',
      summary: row.pairs === 0 ? 'no problem of this intervention is in both runs' : summaryOf(row),
      evidence: row,
    };
  });
  const offset = a.traces.length;
  const tag = (prefix: string, results: ResultSummary[], traceOffset: number, flips: boolean): ResultSummary[] =>
    results.map((r) => {
      const flip = flips ? marks.get(key(r)) : undefined;
      const { flip: _ignored, ...rest } = r;
      return {
        ...rest,
        problemId: flips ? renamed(r.problemId) : r.problemId,
        intervention: `${prefix}:${r.intervention}`,
        ...(r.trace === undefined ? {} : { trace: r.trace + traceOffset }),
        ...(flip ? { flip } : {}),
      };
    });
  // A problem whose text changed between the runs keeps both versions: B's under `<id> (B)`.
  const renamed = (id: string): string => (changed.has(id) ? `${id} (B)` : id);
  const problems = new Map(a.problems.map((p) => [p.id, p]));
  for (const p of b.problems) problems.set(renamed(p.id), { ...p, id: renamed(p.id) });
  if (changed.size > 0) {
    checks.push({
      name: 'same problems',
      verdict: 'skipped',
      summary: `${changed.size} problem id(s) have a different question or reference in the two runs and are not compared: ${[...changed].slice(0, 5).join(', ')}`,
      evidence: { changed: [...changed] },
    });
  }
  const data: RunData = {
    comparison: comparisonOf(a, b, paired),
    run: {
      id: `${a.run.id} vs ${b.run.id}`,
      suite: a.run.suite === b.run.suite ? a.run.suite : `${a.run.suite} vs ${b.run.suite}`,
      model: a.run.model === b.run.model ? a.run.model : `A ${a.run.model} · B ${b.run.model}`,
      startedAt: b.run.startedAt,
      ...(b.run.finishedAt ? { finishedAt: b.run.finishedAt } : {}),
      thinkprobeVersion: b.run.thinkprobeVersion,
      environment: {
        ...Object.fromEntries(Object.entries(a.run.environment).map(([k, v]) => [`A ${k}`, v])),
        ...Object.fromEntries(Object.entries(b.run.environment).map(([k, v]) => [`B ${k}`, v])),
      },
    },
    interventions: [
      ...a.interventions.map((i) => ({ ...i, label: `A:${i.label}`, onParetoFrontier: false })),
      ...b.interventions.map((i) => ({ ...i, label: `B:${i.label}`, onParetoFrontier: false })),
    ],
    checks,
    problems: [...problems.values()],
    results: [...tag('A', a.results, 0, false), ...tag('B', b.results, offset, true)],
    traces: [...a.traces, ...b.traces],
    ...(a.reflectionShift || b.reflectionShift
      ? {
          reflectionShift: [
            ...(a.reflectionShift ?? []).map((s) => ({ ...s, intervention: `A:${s.intervention}` })),
            ...(b.reflectionShift ?? []).map((s) => ({ ...s, intervention: `B:${s.intervention}` })),
          ],
        }
      : {}),
  };
  return { data, rows };
}
