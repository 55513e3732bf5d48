import { Type } from '@sinclair/typebox';
import type { Resolved } from '../core/typebox.ts';
import { Bound, Label, LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, named } from './check.ts';
import { pairKey, fmt, mean, noRows, pct, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult, ResultRow } from './types.ts';

export const schema = checkSchema('tokensSavedAtLeast', {
  intervention: Label(),
  baseline: LabelOr('baseline'),
  /** Required saving as a fraction of the baseline's mean tokens, e.g. 0.3 = 30% fewer. */
  min: Type.Number({ maximum: 1 }),
  tokens: Bound(['total', 'thinking'], 'total'),
});
export type TokensSavedAtLeastSpec = Resolved<typeof schema>;

/**
 * `intervention` spends at least `min` (a fraction) fewer tokens than `baseline` on average, over
 * the problem x samples both have: saving = 1 - mean(intervention) / mean(baseline).
 */
export function tokensSavedAtLeast(spec: TokensSavedAtLeastSpec, context: CheckContext, name: string): CheckResult {
  const base = rowsOf(context.rows, spec.baseline);
  const rows = rowsOf(context.rows, spec.intervention);
  if (base.length === 0) return noRows(name, spec.baseline);
  if (rows.length === 0) return noRows(name, spec.intervention);
  const tokens = (row: ResultRow): number => row.thinkingTokens + (spec.tokens === 'total' ? row.answerTokens : 0);
  const baseByKey = new Map(base.map((row) => [pairKey(row), row]));
  const paired = rows.flatMap((row) => {
    const other = baseByKey.get(pairKey(row));
    return other ? [[tokens(other), tokens(row)] as const] : [];
  });
  if (paired.length === 0) return result(name, 'error', `no problem x sample in common between '${spec.baseline}' and '${spec.intervention}'`, {});
  const baseMean = mean(paired.map(([a]) => a));
  const interventionMean = mean(paired.map(([, b]) => b));
  if (!(baseMean > 0)) return result(name, 'error', `'${spec.baseline}' spent no ${spec.tokens} tokens; a saving is undefined`, { baselineMean: 0 });
  const saving = 1 - interventionMean / baseMean;
  const pass = saving >= spec.min - 1e-12;
  return result(
    name,
    pass ? 'pass' : 'fail',
    `${spec.intervention} vs ${spec.baseline}: mean ${spec.tokens} tokens ${fmt(interventionMean, 0)} vs ${fmt(baseMean, 0)}, saved ${pct(saving)} ${pass ? '>=' : '<'} ${pct(spec.min)}`,
    {
      baseline: spec.baseline,
      intervention: spec.intervention,
      tokens: spec.tokens,
      pairs: paired.length,
      baselineMean: baseMean,
      interventionMean,
      saving,
      min: spec.min,
    },
  );
}

export const check = defineCheck({
  type: 'tokensSavedAtLeast',
  schema,
  label: (spec) => `tokensSavedAtLeast(${spec.intervention} vs ${spec.baseline} >= ${spec.min})`,
  reads: (spec) => [named('intervention', spec.intervention), named('baseline', spec.baseline)],
  run: tokensSavedAtLeast,
});
