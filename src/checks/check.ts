import type { TObject } from '@sinclair/typebox';
import type { Resolved } from '../core/typebox.ts';
import type { ValidationProblem } from '../core/validate.ts';
import type { CheckContext, CheckResult } from '../results/types.ts';

/**
 * What a check is, in one value: each src/checks/<type>.ts exports one (`check`), and
 * `builtin.ts` lists them, one line each. The schema is the only parser of the check's parameters
 * (the suite schema is assembled from these, so ajv names the suite file and field of a bad one);
 * everything else reads the validated value.
 */
export interface CheckDefinition<S extends TObject = TObject> {
  // The spec type is inferred from `schema` alone (NoInfer): inferring it back through Resolved<S>
  // from the methods' parameters is slow and ambiguous.
  /** The `type` a suite writes, e.g. `accuracyAtLeast`; equal to the schema's `type` literal. */
  readonly type: string;
  /** The check's fields as a suite writes them, `type` and `name` included (build it with `checkSchema` from suite/schema/checks.ts). */
  readonly schema: S;
  /** The name the check goes by when the suite gives none: its type and key parameters. */
  label(spec: Spec<S>): string;
  /**
   * The interventions the check reads, by label, with the field each is named in (a pointer
   * relative to the check, e.g. `baseline` or `interventions/1`); undefined: all of them. The
   * suite loader checks every label exists; the runner counts errored results of these only.
   */
  reads(spec: Spec<S>): InterventionRef[] | undefined;
  /** Rules between the check's own fields that its schema cannot say, with pointers relative to the check. */
  problems?(spec: Spec<S>): ValidationProblem[];
  /** Judges the run's produced rows (errored ones are left out by the caller). */
  run(spec: Spec<S>, context: CheckContext, name: string): CheckResult | Promise<CheckResult>;
}

type Spec<S extends TObject> = NoInfer<Resolved<S>>;

/** An intervention label a check's field names. */
export interface InterventionRef {
  /** Pointer relative to the check, e.g. `intervention`, `interventions/0`. */
  field: string;
  label: string;
  /** The intervention type the label must name (e.g. `budget` for monotoneInBudget), when it matters. */
  mustBe?: string;
}

/** Typed identity: infers the spec type from the schema, so `label`, `reads` and `run` see validated fields. */
export function defineCheck<S extends TObject>(definition: CheckDefinition<S>): CheckDefinition<S> {
  return definition;
}

/** The label a field names, as a reference (for `reads`). */
export function named(field: string, label: string, mustBe?: string): InterventionRef {
  return mustBe === undefined ? { field, label } : { field, label, mustBe };
}

/** References for an optional list of labels (`interventions: [...]`); undefined when the list is absent (all interventions). */
export function namedList(field: string, labels: readonly string[] | undefined, mustBe?: string): InterventionRef[] | undefined {
  return labels?.map((label, i) => named(`${field}/${i}`, label, mustBe));
}
