import { mcnemarRegressionP } from '../checks/noRegression.ts';
import { InputError } from '../core/errors.ts';
import { clusterDifferences, clusteredDifference, formatP, mcnemarExact, pairedBootstrap, samplesPerProblem, signFlipWorse, type ClusteredPair } from '../metrics/index.ts';
import type { CheckSummary, Comparison, ComparisonSummaryRow, ResultSummary, RunData } from './run-data.ts';

function key(r: ResultSummary): string {
  return `${r.problemId}\u0000${r.intervention}\u0000${r.sample}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A shared intervention's paired comparison: what the report's side-by-side view shows, and the test behind it. */
export interface ComparisonRow extends ComparisonSummaryRow {
  /** Two-sided exact McNemar p of any difference. */
  pValue: number;
  /** True when some problem has several samples: the interval and worseP are clustered by problem. */
  clustered: boolean;
}

/** Paired differences per intervention the two runs share: same problem, same sample. */
/** Problems both runs have under one id but with a different question or reference: never paired. */
export function changedProblems(a: RunData, b: RunData): Set<string> {
  const old = new Map(a.problems.map((p) => [p.id, p]));
  return new Set(b.problems.filter((p) => old.has(p.id) && (old.get(p.id)?.question !== p.question || old.get(p.id)?.answer !== p.answer)).map((p) => p.id));
}

export function pairedComparison(a: RunData, b: RunData, options: { alpha?: number; seed?: number } = {}): ComparisonRow[] {
  const changed = changedProblems(a, b);
  const before = new Map(a.results.filter((r) => !changed.has(r.problemId)).map((r) => [key(r), r]));
  const labels = b.interventions.map((i) => i.label).filter((label) => a.interventions.some((i) => i.label === label));
  return labels.map((label) => {
    const pairs: Array<[boolean, boolean]> = [];
    const clusteredPairs: ClusteredPair[] = [];
    for (const r of b.results) {
      if (r.intervention !== label) continue;
      const old = before.get(key(r));
      if (old) {
        pairs.push([old.correct, r.correct]);
        clusteredPairs.push({ cluster: r.problemId, a: old.correct, b: r.correct });
      }
    }
    const mcnemar = mcnemarExact(pairs);
    const clustered = clusterDifferences(clusteredPairs).some((c) => c.pairs > 1);
    // Samples of a problem are correlated: resampling single pairs would understate the spread.
    const boot =
      pairs.length === 0
        ? { difference: Number.NaN, low: Number.NaN, high: Number.NaN }
        : clustered
          ? clusteredDifference(clusteredPairs)
          : pairedBootstrap(pairs, { seed: options.seed ?? 0, resamples: 2000 });
    const n = Math.max(1, pairs.length);
    return {
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
      lost: mcnemar.b,
      gained: mcnemar.c,
    };
  });
}

/** What the report's side-by-side view shows: the paired rows and every result that changed. */
function comparisonOf(a: RunData, b: RunData, rows: ComparisonRow[], before: Map<string, ResultSummary>): Comparison {
  const shared = new Set(rows.map((r) => r.intervention));
  const flips = b.results.flatMap((r) => {
    const old = before.get(key(r));
    return old && shared.has(r.intervention) && old.correct !== r.correct ? [{ problemId: r.problemId, intervention: r.intervention, sample: r.sample, a: old.correct, b: r.correct }] : [];
  });
  return {
    a: { id: a.run.id, model: a.run.model },
    b: { id: b.run.id, model: b.run.model },
    rows: rows.map(({ intervention, pairs, accuracyA, accuracyB, difference, low, high, worseP, lost, gained }) => ({ intervention, pairs, accuracyA, accuracyB, difference, low, high, worseP, lost, gained })),
    flips,
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
    `expected runs with problems in common (same id, question and reference, same sample), got none: A has ${ids(a).length} problems (${listed(ids(a))}), B has ${ids(b).length} (${listed(ids(b))})${changed > 0 ? `; ${changed} share an id but not the question or reference` : ''}`,
  );
}

/** Samples per problem of one intervention of a run. */
function samplesOf(data: RunData, label: string): number {
  return samplesPerProblem(data.results.filter((r) => r.intervention === label));
}

/**
 * Run B shown against run A in one report: both runs' interventions side by side (labels prefixed
 * `A:` / `B:`), B's flips against A marked, and one verdict per shared intervention: a significant
 * paired drop fails (one-sided exact McNemar, or with samples the clustered sign-flip test, at alpha / k over k shared interventions, like the
 * release gate's noRegression, so an unchanged model fails with probability at most alpha).
 */
export function compareRuns(a: RunData, b: RunData, options: { alpha?: number; seed?: number; names?: { a: string; b: string } } = {}): { data: RunData; rows: ComparisonRow[] } {
  const alpha = options.alpha ?? 0.05;
  const rows = pairedComparison(a, b, options);
  assertComparable(a, b, rows, options.names ?? { a: a.run.id, b: b.run.id });
  const changed = changedProblems(a, b);
  const before = new Map(a.results.filter((r) => !changed.has(r.problemId)).map((r) => [key(r), r]));
  const checks: CheckSummary[] = rows.map((row) => {
    const worse = row.worseP < alpha / Math.max(1, rows.length);
    return {
      name: `paired(${row.intervention})`,
      verdict: row.pairs === 0 ? 'skipped' : worse ? 'fail' : 'pass',
      summary: row.pairs === 0 ? 'no problem x sample of this intervention is in both runs' : `${pct(row.accuracyA)} -> ${pct(row.accuracyB)} (difference ${(row.difference * 100).toFixed(1)} points, 95% CI${row.clustered ? `, clustered by problem (${samplesOf(b, row.intervention)} samples)` : ''} ${(row.low * 100).toFixed(1)} to ${(row.high * 100).toFixed(1)}; ${row.lost} lost, ${row.gained} gained, one-sided ${row.clustered ? 'sign-flip test clustered by problem' : 'McNemar'} ${formatP(row.worseP)})`,
      evidence: row,
    };
  });
  const offset = a.traces.length;
  const tag = (prefix: string, results: ResultSummary[], traceOffset: number, flips: boolean): ResultSummary[] =>
    results.map((r) => {
      const old = flips ? before.get(key(r)) : undefined;
      const flip = old && old.correct !== r.correct ? (r.correct ? 'gained' : 'lost') : undefined;
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
    comparison: comparisonOf(a, b, rows, before),
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
