import { positionSpearman } from '../metrics/correlation.ts';
import { Type } from '@sinclair/typebox';
import { Default, Fraction, type Resolved } from '../core/typebox.ts';
import { Bound, LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, named } from './check.ts';
import { fmt, num, pct, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult } from './types.ts';

const SHOWN = 10;

export const schema = checkSchema('confidenceRises', {
  intervention: LabelOr('baseline'),
  /** L-hat falling (RaML) or the model's probability of the right answer rising. */
  measure: Bound(['lhat', 'pCorrect'], 'lhat'),
  /** A trace "rises" when Spearman rho of confidence against position is at least this. */
  minRho: Default(Type.Number({ minimum: -1, maximum: 1 }), 0),
  /** Share of correct traces that must rise. */
  minShare: Default(Fraction(), 0.7),
  /** Traces with fewer confidence points are left out. */
  minPoints: Default(Type.Integer({ minimum: 3 }), 3),
});
export type ConfidenceRisesSpec = Resolved<typeof schema>;

/**
 * RaML's observation: on correct traces, confidence in the reference answer rises as the trace
 * grows (L-hat falls). Per correct trace with enough probes, Spearman's rho of confidence against
 * position (for L-hat, of -L-hat); the check holds when at least `minShare` of those traces have
 * rho >= `minRho`, strictly above it when `minRho` is 0 or less (so with the default 0 a trace
 * with rho = 0, flat or without trend, does not rise). A trace whose confidence is constant has no rho and counts as not rising.
 */
export function confidenceRises(spec: ConfidenceRisesSpec, context: CheckContext, name: string): CheckResult {
  const rows = rowsOf(context.rows, spec.intervention).filter((row) => row.correct);
  const traces = rows.flatMap((row) => {
    const points = row.confidence.flatMap((point) => {
      const value = spec.measure === 'lhat' ? point.lhat : point.pCorrect;
      return value === undefined || !Number.isFinite(value) ? [] : [{ position: point.position, value: spec.measure === 'lhat' ? -value : value }];
    });
    return points.length >= spec.minPoints ? [{ row, rho: positionSpearman(points) }] : [];
  });
  if (traces.length === 0) {
    return result(name, 'skipped', `no correct '${spec.intervention}' traces with ${spec.minPoints}+ ${spec.measure} probes`, {
      intervention: spec.intervention,
      correctTraces: rows.length,
    });
  }
  const rises = (rho: number) => Number.isFinite(rho) && (spec.minRho > 0 ? rho >= spec.minRho : rho > spec.minRho);
  const rising = traces.filter((t) => rises(t.rho));
  const share = rising.length / traces.length;
  const rhos = traces.map((t) => t.rho).filter(Number.isFinite).sort((a, b) => a - b);
  const median = rhos.length === 0 ? Number.NaN : rhos.length % 2 === 1 ? rhos[(rhos.length - 1) / 2]! : (rhos[rhos.length / 2 - 1]! + rhos[rhos.length / 2]!) / 2;
  const pass = share >= spec.minShare - 1e-12;
  const notRising = traces.filter((t) => !rises(t.rho));
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention}: confidence (${spec.measure}) rises in ${rising.length}/${traces.length} correct traces (${pct(share)} ${pass ? '>=' : '<'} ${pct(spec.minShare)}; rho ${spec.minRho > 0 ? '>=' : '>'} ${spec.minRho}, median rho ${fmt(median, 2)})`,
    {
      intervention: spec.intervention,
      measure: spec.measure,
      traces: traces.length,
      rising: rising.length,
      share,
      minShare: spec.minShare,
      minRho: spec.minRho,
      medianRho: num(median),
      notRising: notRising.slice(0, SHOWN).map((t) => ({ problemId: t.row.problemId, sample: t.row.sample, rho: num(t.rho) })),
    },
  );
}

export const check = defineCheck({
  type: 'confidenceRises',
  schema,
  label: (spec) => `confidenceRises(${spec.intervention})`,
  reads: (spec) => [named('intervention', spec.intervention)],
  run: confidenceRises,
});
