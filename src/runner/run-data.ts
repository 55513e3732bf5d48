import type { CheckResult, LabeledIntervention } from '../checks/types.ts';
import type { InterventionComparison } from '../golden/index.ts';
import { accuracyInterval, paretoFrontier, pooledReflectionShift } from '../metrics/index.ts';
import type { Problem } from '../problems/problem.ts';
import type { InterventionSummary, ResultSummary, RunData, TraceRecord } from '../reports/run-data.ts';
import type { GradedResult } from '../core/model.ts';
import { reportResult } from './assemble.ts';
import { mean } from '../metrics/mean.ts';

export interface RunDataInput {
  run: RunData['run'];
  interventions: readonly LabeledIntervention[];
  problems: readonly Problem[];
  results: readonly GradedResult[];
  checks: readonly CheckResult[];
  /** Flips against the golden baseline, when there is one. */
  comparison?: readonly InterventionComparison[];
}

/** Everything the reports show, computed from graded results only (so `thinkprobe report` can redo it). */
export function buildRunData(input: RunDataInput): RunData {
  const summaries: InterventionSummary[] = input.interventions.map(({ label, intervention }) => {
    const rows = input.results.filter((r) => r.intervention.label === label);
    // Errored results (a request failed) say nothing about the model: every metric leaves them out and says how many.
    const produced = rows.filter((r) => !r.error);
    const { label: _label, type, ...params } = intervention as { label?: string; type: string } & Record<string, unknown>;
    return {
      label,
      type,
      params,
      n: produced.length,
      accuracy: accuracyInterval(produced.map((r) => ({ cluster: r.problemId, correct: r.correct }))),
      ...(produced.length < rows.length ? { errored: rows.length - produced.length } : {}),
      meanThinkingTokens: mean(produced.map((r) => r.counts.thinking)),
      meanAnswerTokens: mean(produced.map((r) => r.counts.answer)),
      costAlone: mean(produced.map((r) => r.cost.alone.total)),
      costShared: mean(produced.map((r) => r.cost.tree.total)),
      ...(type === 'budget' && typeof params['tokens'] === 'number' ? { budget: params['tokens'] } : {}),
    };
  });
  // An intervention without produced results has no cost or accuracy: it is left off the frontier, not a NaN point.
  const measured = summaries.filter((s) => s.n > 0 && Number.isFinite(s.accuracy.estimate) && Number.isFinite(s.meanThinkingTokens + s.meanAnswerTokens));
  const frontier = new Set(
    paretoFrontier(measured.map((s) => ({ id: s.label, cost: s.meanThinkingTokens + s.meanAnswerTokens, accuracy: s.accuracy.estimate }))),
  );
  for (const s of summaries) s.onParetoFrontier = frontier.has(s.label);

  const flips = new Map<string, 'gained' | 'lost'>();
  for (const c of input.comparison ?? []) {
    for (const f of c.regressed) flips.set(`${f.problemId}|${f.intervention}|${f.sample}`, 'lost');
    for (const f of c.improved) flips.set(`${f.problemId}|${f.intervention}|${f.sample}`, 'gained');
  }
  const results: ResultSummary[] = [];
  const traces: TraceRecord[] = [];
  for (const graded of input.results) {
    const { summary, trace } = reportResult(graded, traces.length);
    const flip = flips.get(`${summary.problemId}|${summary.intervention}|${summary.sample}`);
    if (flip) summary.flip = flip;
    traces.push(trace);
    results.push(summary);
  }

  const reflectionShift = input.interventions.flatMap(({ label }) => {
    const pooled = pooledReflectionShift(
      input.results
        .filter((r) => r.intervention.label === label)
        .map((r) => ({
          points: r.confidence.flatMap((p) => (p.lhat === undefined || p.bounded === true ? [] : [{ position: p.position, value: p.lhat }])),
          reflectionPositions: r.reflections.map((m) => m.position),
        })),
    );
    return pooled.count > 0 && pooled.steps > 0 ? [{ intervention: label, atReflection: pooled.atReflection, allPositions: pooled.allPositions, count: pooled.count }] : [];
  });

  return {
    run: input.run,
    interventions: summaries,
    checks: input.checks.map((c) => ({ name: c.name, verdict: c.verdict, summary: c.summary, evidence: c.evidence, ...(c.counterexample === undefined ? {} : { counterexample: c.counterexample }) })),
    problems: input.problems.map((p) => ({ id: p.id, question: p.question, answer: p.answer, ...(p.source ? { source: p.source } : {}), ...(p.difficulty === undefined ? {} : { difficulty: p.difficulty }) })),
    results,
    traces,
    ...(reflectionShift.length > 0 ? { reflectionShift } : {}),
  };
}
