import { Default, Fraction, type Resolved } from '../core/typebox.ts';
import { Labels, checkSchema } from '../suite/schema/checks.ts';
import { defineCheck, namedList } from './check.ts';
import { fmt, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult, Json } from './types.ts';

export const schema = checkSchema('monotoneInBudget', {
  /** Budget interventions to compare (default: every `budget` intervention). */
  interventions: Labels(),
  /** Allowed accuracy dip between consecutive budgets. */
  tolerance: Default(Fraction(), 0),
});
export type MonotoneInBudgetSpec = Resolved<typeof schema>;

/** Accuracy does not fall as the thinking budget grows (up to `tolerance` between consecutive budgets). */
export function monotoneInBudget(spec: MonotoneInBudgetSpec, context: CheckContext, name: string): CheckResult {
  const wanted = spec.interventions ? new Set(spec.interventions) : undefined;
  const budgets = context.interventions.flatMap(({ label, intervention }) =>
    intervention.type === 'budget' && (!wanted || wanted.has(label)) ? [{ label, tokens: intervention.tokens }] : [],
  );
  budgets.sort((a, b) => a.tokens - b.tokens);
  const curve = budgets.map(({ label, tokens }) => {
    const rows = rowsOf(context.rows, label);
    return { label, tokens, n: rows.length, accuracy: rows.length === 0 ? Number.NaN : rows.filter((r) => r.correct).length / rows.length };
  });
  const measured = curve.filter((point) => point.n > 0);
  if (measured.length < 2) return result(name, 'skipped', `needs at least two budget interventions with results, found ${measured.length}`, { budgets: measured.length });
  const violations: { [key: string]: Json }[] = [];
  for (let i = 1; i < measured.length; i++) {
    const before = measured[i - 1]!;
    const after = measured[i]!;
    if (after.accuracy < before.accuracy - spec.tolerance - 1e-12) {
      violations.push({ from: before.label, to: after.label, fromAccuracy: before.accuracy, toAccuracy: after.accuracy, dip: before.accuracy - after.accuracy });
    }
  }
  const shape = measured.map((p) => `${p.tokens}:${fmt(p.accuracy, 2)}`).join(' ');
  const summary =
    violations.length === 0
      ? measured.some((p, i) => i > 0 && p.accuracy < measured[i - 1]!.accuracy - 1e-12)
        ? `accuracy falls by no more than the tolerance ${spec.tolerance} as the budget grows (${shape})`
        : `accuracy never falls as the budget grows (${shape})`
      : `accuracy falls ${violations.map((v) => `${String(v['from'])} -> ${String(v['to'])} by ${fmt(Number(v['dip']))}`).join(', ')} (tolerance ${spec.tolerance}; ${shape})`;
  return result(name, violations.length === 0 ? 'pass' : 'fail', summary, {
    curve: measured.map((p) => ({ label: p.label, tokens: p.tokens, n: p.n, accuracy: p.accuracy })),
    tolerance: spec.tolerance,
    violations,
  });
}

export const check = defineCheck({
  type: 'monotoneInBudget',
  schema,
  label: () => 'monotoneInBudget',
  reads: (spec) => namedList('interventions', spec.interventions, 'budget'),
  run: monotoneInBudget,
});
