import type { CheckSpecOf } from '../suite/schema/checks.ts';
import { pairKey, fmt, mean, noRows, pct, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult, ResultRow } from './types.ts';

/**
 * `intervention` spends at least `min` (a fraction) fewer tokens than `baseline` on average, over
 * the problem x samples both have: saving = 1 - mean(intervention) / mean(baseline).
 */
export function tokensSavedAtLeast(spec: CheckSpecOf<'tokensSavedAtLeast'>, context: CheckContext, name: string): CheckResult {
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
