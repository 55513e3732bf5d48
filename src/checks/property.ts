import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import type { InterventionSpec, InterventionInput } from '../suite/schema/interventions.ts';
import { interventionItemSchema } from '../interventions/index.ts';
import { Bound, LabelOr, checkSchema } from '../suite/schema/checks.ts';
import { Default, PositiveInt, type Resolved } from '../core/typebox.ts';
import { validator } from '../core/validate.ts';
import { defineCheck, named } from './check.ts';
import { fmt, result, rowsOf } from './rows.ts';
import type { CheckContext, CheckResult, CustomCheck, Json, ResultRow } from './types.ts';

/**
 * Property checks over intervention parameters with fast-check: generate parameters (budgets,
 * injection positions, stop phrasings), run the interventions through the engine's `evaluate`,
 * and on failure shrink to a minimal counterexample, e.g. the smallest budget at which accuracy
 * falls below 90% of the baseline's. Seeded, so a CI failure reproduces locally.
 */

export interface PropertyTools {
  /** Runs an intervention over the suite's problems x samples (memoized within one check). Defaults are applied. */
  evaluate(intervention: InterventionInput | InterventionSpec): Promise<ResultRow[]>;
  /** The suite run's rows. */
  rows: readonly ResultRow[];
  /** Share of correct rows: of the given rows, or of an intervention label's rows in the suite run. */
  accuracy(of: readonly ResultRow[] | string): number;
}

/** true / undefined: holds; false: fails; a string: fails, and says why. */
export type Predicate<T> = (value: T, tools: PropertyTools) => Promise<boolean | string | void> | boolean | string | void;

export interface PropertyOptions {
  /** Generated cases (each may run a whole intervention; they are cheap when they branch off existing trunks). Default 30. */
  numRuns?: number;
  /** fast-check seed; default the suite's seed. */
  seed?: number;
}

/** The declarative property a JSON/YAML suite writes (`type: property`); arbitrary predicates are TypeScript's `property(...)`. */
export const schema = checkSchema('property', {
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
export type DeclarativePropertySpec = Resolved<typeof schema>;

/** Thrown inside the property when the predicate says no, so failures and crashes stay apart. */
class Falsified extends Error {
  override readonly name = 'Falsified';
}

const resolveIntervention = validator<InterventionSpec>(interventionItemSchema());

function accuracyOf(rows: readonly ResultRow[]): number {
  return rows.length === 0 ? Number.NaN : rows.filter((row) => row.correct).length / rows.length;
}

function toJson(value: unknown): Json {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return JSON.parse(text) as Json;
  } catch {
    // not JSON-able (functions, cycles): fall through to fast-check's printer
  }
  return fc.stringify(value);
}

/** A property check for TypeScript suites: `property('name', fc.integer(...), async (v, { evaluate }) => ...)`. */
export function property<T>(name: string, arbitrary: fc.Arbitrary<T>, predicate: Predicate<T>, options: PropertyOptions = {}): CustomCheck {
  return {
    kind: 'custom',
    name,
    async run(context: CheckContext): Promise<CheckResult> {
      const evaluateRaw = context.evaluate;
      if (!evaluateRaw) return result(name, 'skipped', 'this run cannot evaluate further interventions', {});
      const cache = new Map<string, Promise<ResultRow[]>>();
      const tools: PropertyTools = {
        rows: context.rows,
        accuracy: (of) => accuracyOf(typeof of === 'string' ? rowsOf(context.rows, of) : of),
        evaluate(intervention) {
          const resolved = resolveIntervention(intervention, `property '${name}': intervention`);
          const key = JSON.stringify(resolved);
          let rows = cache.get(key);
          if (!rows) {
            rows = evaluateRaw(resolved);
            cache.set(key, rows);
          }
          return rows;
        },
      };
      const seed = options.seed ?? context.seed;
      const numRuns = options.numRuns ?? 30;
      const details = await fc.check(
        fc.asyncProperty(arbitrary, async (value) => {
          const verdict = await predicate(value, tools);
          if (verdict === false) throw new Falsified('the predicate returned false');
          if (typeof verdict === 'string') throw new Falsified(verdict);
        }),
        { seed, numRuns },
      );
      const evidence = {
        seed,
        numRuns: details.numRuns,
        numShrinks: details.numShrinks,
        evaluations: cache.size,
        ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
      };
      if (!details.failed) {
        return result(name, 'pass', `holds for ${details.numRuns} generated cases (seed ${seed}, ${cache.size} interventions evaluated)`, evidence);
      }
      const value = details.counterexample?.[0];
      const shown = fc.stringify(value);
      if (details.errorInstance instanceof Falsified) {
        return result(
          name,
          'fail',
          `fails for ${shown}: ${details.errorInstance.message} (minimal after ${details.numShrinks} shrinks; seed ${seed})`,
          { ...evidence, reason: details.errorInstance.message },
          toJson(value),
        );
      }
      const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      return result(name, 'error', `crashed for ${shown}: ${message.split('\n')[0]}`, { ...evidence, error: message.split('\n')[0] ?? '' }, toJson(value));
    },
  };
}

/**
 * The declarative form JSON/YAML suites use: vary one integer parameter of an intervention in
 * [min, max] and require accuracy >= minRatio x the accuracy of `of` in the suite run.
 */
export function declarativeProperty(spec: DeclarativePropertySpec, name: string): CustomCheck {
  const { min, max, param } = spec.vary;
  const arbitrary =
    spec.towards === 'min' ? fc.integer({ min, max }) : fc.integer({ min: 0, max: max - min }).map((d) => max - d);
  return property(
    name,
    arbitrary,
    async (value, tools) => {
      const base = tools.accuracy(spec.of);
      if (!Number.isFinite(base)) throw new Error(`no results for '${spec.of}'`);
      const rows = await tools.evaluate({ ...spec.intervention, [param]: value } as InterventionInput);
      const accuracy = tools.accuracy(rows);
      const needed = spec.minRatio * base;
      return accuracy >= needed - 1e-12 || `${param}=${value}: accuracy ${fmt(accuracy)} < ${spec.minRatio} x ${fmt(base)} (${spec.of})`;
    },
    { numRuns: spec.runs, ...(spec.seed !== undefined ? { seed: spec.seed } : {}) },
  );
}

export const check = defineCheck({
  type: 'property',
  schema,
  label: (spec) => `property(${spec.intervention.type}.${spec.vary.param} in [${spec.vary.min}, ${spec.vary.max}]: accuracy >= ${spec.minRatio} x ${spec.of})`,
  reads: (spec) => [named('of', spec.of)],
  problems: (spec) => (spec.vary.min > spec.vary.max ? [{ pointer: 'vary', expected: `expected min <= max, got ${spec.vary.min} > ${spec.vary.max}` }] : []),
  run: (spec, context, name) => declarativeProperty(spec, name).run(context),
});
