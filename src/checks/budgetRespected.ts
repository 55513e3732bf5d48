import type { Resolved } from '../core/typebox.ts';
import { Labels, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, namedList } from './check.ts';
import { result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult, Json } from './types.ts';

const SHOWN = 10;

export const schema = checkSchema('budgetRespected', {
  /** Budget interventions to check (default: every `budget` intervention). */
  interventions: Labels(),
});
export type BudgetRespectedSpec = Resolved<typeof schema>;

/**
 * Budgets are exact: thinking tokens never exceed the budget, equal it whenever the cap fired,
 * and answers stay within the budget's answerTokens when it sets one.
 */
export function budgetRespected(spec: BudgetRespectedSpec, context: CheckContext, name: string): CheckResult {
  const wanted = spec.interventions ? new Set(spec.interventions) : undefined;
  const budgets = context.interventions.flatMap(({ label, intervention }) =>
    intervention.type === 'budget' && (!wanted || wanted.has(label)) ? [{ label, intervention }] : [],
  );
  if (budgets.length === 0) return result(name, 'skipped', 'no budget interventions in the suite', {});
  const violations: { [key: string]: Json }[] = [];
  let checked = 0;
  for (const { label, intervention } of budgets) {
    for (const row of rowsOf(context.rows, label)) {
      if (row.error !== undefined) continue;
      checked++;
      const where = { intervention: label, problemId: row.problemId, sample: row.sample, budget: intervention.tokens, thinkingTokens: row.thinkingTokens };
      if (row.thinkingTokens > intervention.tokens) violations.push({ ...where, rule: 'thinking tokens exceed the budget' });
      else if (row.capFired && row.thinkingTokens !== intervention.tokens) violations.push({ ...where, rule: 'the cap fired below the budget' });
      if (intervention.answerTokens !== undefined && row.answerTokens > intervention.answerTokens) {
        violations.push({ ...where, answerTokens: row.answerTokens, rule: `answer tokens exceed ${intervention.answerTokens}` });
      }
    }
  }
  if (checked === 0) return result(name, 'error', `no results for ${budgets.map((b) => `'${b.label}'`).join(', ')}`, {});
  const first = violations[0];
  return result(
    name,
    violations.length === 0 ? 'pass' : 'fail',
    violations.length === 0
      ? `${checked} rows over ${budgets.length} budget(s): thinking within budget, cap exact`
      : `${violations.length} of ${checked} rows break a budget, e.g. ${String(first?.['intervention'])} on ${String(first?.['problemId'])}: ${String(first?.['rule'])} (${String(first?.['thinkingTokens'])} vs ${String(first?.['budget'])})`,
    { rows: checked, violationCount: violations.length, violations: violations.slice(0, SHOWN) },
  );
}

export const check = defineCheck({
  type: 'budgetRespected',
  schema,
  label: () => 'budgetRespected',
  reads: (spec) => namedList('interventions', spec.interventions, 'budget'),
  run: budgetRespected,
});
