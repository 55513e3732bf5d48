import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Default, Fraction, PositiveInt, tagged, type Resolved } from '../../core/typebox.ts';

/**
 * Check values as a suite writes them. Each names interventions by label (see labels.ts) and
 * carries its thresholds; the logic lives in src/checks (one file per check). `property` checks
 * with arbitrary predicates are TypeScript-only (`property(...)` from src/checks/property.ts); the
 * declarative `property` form here covers the common case in JSON/YAML: vary one numeric parameter
 * and require accuracy to stay within a ratio of another intervention's.
 */

const Label = () => Type.String({ minLength: 1 });
const LabelOr = (def: string) => Default(Type.String({ minLength: 1 }), def);
const Labels = Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }));
const Alpha = Default(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 0.5, expected: 'a significance level between 0 and 0.5' }), 0.05);

function check<const N extends string, T extends TProperties>(type: N, properties: T) {
  return Type.Object(
    {
      type: Type.Literal(type),
      /** Display name (default: derived from the type and its parameters). */
      name: Type.Optional(Type.String({ minLength: 1 })),
      ...properties,
    },
    { additionalProperties: false },
  );
}

function Bound<const V extends string[]>(values: V, def: V[number]) {
  const union = Type.Unsafe<V[number]>({ type: 'string', enum: values, expected: `one of ${values.join(', ')}` });
  return Default(union, def);
}

export const AccuracyAtLeast = check('accuracyAtLeast', {
  intervention: LabelOr('baseline'),
  min: Fraction(),
  /** Compare the point estimate, or the Wilson lower bound at `confidence`. */
  bound: Bound(['point', 'wilsonLower'], 'point'),
  confidence: Default(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), 0.95),
});
export const AccuracyDropAtMost = check('accuracyDropAtMost', {
  intervention: Label(),
  baseline: LabelOr('baseline'),
  maxDrop: Fraction(),
  /** `point`: paired drop <= maxDrop; `nonInferiority`: the test at `alpha` with maxDrop as margin. */
  bound: Bound(['point', 'nonInferiority'], 'point'),
  alpha: Alpha,
});
export const TokensSavedAtLeast = check('tokensSavedAtLeast', {
  intervention: Label(),
  baseline: LabelOr('baseline'),
  /** Required saving as a fraction of the baseline's mean tokens, e.g. 0.3 = 30% fewer. */
  min: Type.Number({ maximum: 1 }),
  tokens: Bound(['total', 'thinking'], 'total'),
});
export const MonotoneInBudget = check('monotoneInBudget', {
  /** Budget interventions to compare (default: every `budget` intervention). */
  interventions: Labels,
  /** Allowed accuracy dip between consecutive budgets. */
  tolerance: Default(Fraction(), 0),
});
export const ConfidenceRises = check('confidenceRises', {
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
export const ReflectionShift = check('reflectionShift', {
  intervention: LabelOr('baseline'),
  word: Default(Type.String({ minLength: 1 }), 'Wait'),
  /** Mean relative L-hat change at the word over the mean at all positions must be at least this. */
  minRatio: Default(Type.Number({ exclusiveMinimum: 0 }), 1.5),
});
export const BudgetRespected = check('budgetRespected', {
  /** Budget interventions to check (default: every `budget` intervention). */
  interventions: Labels,
});
export const NoRegression = check('noRegression', {
  /** Interventions to compare against golden (default: all). */
  interventions: Labels,
  test: Bound(['mcnemar', 'nonInferiority'], 'mcnemar'),
  alpha: Alpha,
  /** Non-inferiority margin (accuracy points). */
  margin: Default(Fraction(), 0.05),
});
export const DeclarativeProperty = check('property', {
  /** The intervention to vary, e.g. `{ type: budget, tokens: 512 }`; `vary.param` overrides one field. */
  intervention: Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true }),
  vary: Type.Object(
    {
      param: Type.String({ minLength: 1 }),
      min: Type.Integer(),
      max: Type.Integer(),
    },
    { additionalProperties: false },
  ),
  /** Holds when accuracy >= minRatio x the accuracy of `of`. */
  of: LabelOr('baseline'),
  minRatio: Default(Type.Number({ minimum: 0 }), 0.9),
  /** Shrink failures toward the smallest value (`min`) or the largest (`max`, e.g. the budget below which accuracy collapses). */
  towards: Bound(['min', 'max'], 'min'),
  runs: Default(PositiveInt({ maximum: 1000 }), 30),
  seed: Type.Optional(Type.Integer()),
});

export const checkVariants = {
  accuracyAtLeast: AccuracyAtLeast,
  accuracyDropAtMost: AccuracyDropAtMost,
  tokensSavedAtLeast: TokensSavedAtLeast,
  monotoneInBudget: MonotoneInBudget,
  confidenceRises: ConfidenceRises,
  reflectionShift: ReflectionShift,
  budgetRespected: BudgetRespected,
  noRegression: NoRegression,
  property: DeclarativeProperty,
};

export const CheckSchema = tagged('type', checkVariants, { expected: 'a check' });
export type CheckSpecInput = Static<typeof CheckSchema>;
export type CheckSpec = Resolved<typeof CheckSchema>;
export type CheckType = CheckSpec['type'];
export type CheckSpecOf<T extends CheckType> = Extract<CheckSpec, { type: T }>;
