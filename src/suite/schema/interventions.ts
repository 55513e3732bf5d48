import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import type { TDispatch } from '../../core/typebox.ts';

/**
 * Interventions as a suite writes them. This stage sits below src/interventions, so it knows the
 * general shape only: `{ type, label?, ...parameters }` for a built-in one, `{ use, params?, label? }`
 * for a module of the user's. Each built-in's parameters are defined once, by the TypeBox schema in
 * its own file; src/interventions/registry.ts assembles those into the precise union that suites
 * are validated with (`interventionItem(...)`) and fills in `BuiltInInterventionParams` below.
 */

/** Every intervention may carry a label: its name in results and checks (default: its describe()). */
export const InterventionLabel = Type.String({ minLength: 1, pattern: '^[^\\n\\r\\t]+$', expected: 'a one-line label' });

/** Built-in type name -> its parameters. Declared empty here; src/interventions/registry.ts merges in each built-in's schema type. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface BuiltInInterventionParams {}

/** JSON a parameter may hold (src/plan's JsonValue; this stage cannot import it). */
export type SpecValue = string | number | boolean | null | SpecValue[] | { [key: string]: SpecValue };
export type SpecParams = { [key: string]: SpecValue };

/** A built-in intervention as data, e.g. `{ type: 'budget', tokens: 512 }`. */
export type BuiltInInterventionSpec = {
  [K in keyof BuiltInInterventionParams]: { type: K; label?: string } & BuiltInInterventionParams[K];
}[keyof BuiltInInterventionParams];

/**
 * A user's intervention after loading: from a module (`use`, as written, relative to the suite) or
 * a value in a TypeScript suite (`name` is its type). Its identity in the run's configuration, the
 * plan and the results is name, use and params; the loaded code travels beside it (src/interventions/user.ts).
 */
export interface UserInterventionSpec {
  type: 'user';
  name: string;
  use?: string;
  params: SpecParams;
  label?: string;
}

/** An intervention after validation. */
export type InterventionSpec = BuiltInInterventionSpec | UserInterventionSpec;

/** `{ use: ./my-intervention.ts, params: {...} }`: a module exporting an intervention, path relative to the suite file. */
export interface UseInterventionInput {
  use: string;
  params?: SpecParams;
  label?: string;
}

/**
 * An intervention value in a TypeScript suite: src/plan's Intervention, or a user intervention
 * (`type`, optional `schema` and `params`, `describe(params)`, `run(ctx, params)`). Typed loosely
 * here, below the stage that defines the tree API; src/interventions/user.ts checks it.
 */
export interface InterventionValueInput {
  readonly type: string;
  readonly params?: object;
  readonly schema?: object;
  readonly label?: string;
  readonly userSuffix?: string;
  describe?(...args: never[]): string;
  run(...args: never[]): Promise<unknown>;
}

/** An intervention as a suite writes it. */
export type InterventionInput = BuiltInInterventionSpec | UseInterventionInput | InterventionValueInput;

const UseSchema = Type.Object(
  {
    use: Type.String({ minLength: 1, expected: 'a path to a .ts or .js module, relative to the suite file' }),
    params: Type.Optional(Type.Object({}, { additionalProperties: true, expected: 'an object of parameters' })),
    label: Type.Optional(InterventionLabel),
  },
  { additionalProperties: false },
);

/** Any built-in's general shape: the registry's schemas check the rest. */
const AnyBuiltIn = Type.Object(
  { type: Type.String({ minLength: 1, expected: 'an intervention type, e.g. "budget"' }), label: Type.Optional(InterventionLabel) },
  { additionalProperties: true },
);

/** One entry of a suite's `interventions`: `{ use: ... }` for a user's module, else `builtIns` (dispatching on `type`). */
export function interventionItem(builtIns: TSchema | Record<string, unknown>): TDispatch<InterventionInput, InterventionSpec> {
  return Type.Unsafe({ type: 'object', expected: 'an intervention', if: { type: 'object', required: ['use'] }, then: UseSchema, else: builtIns }) as never;
}

/** The general shape of an intervention entry (what this stage can check on its own). */
export const InterventionSchema = interventionItem(AnyBuiltIn);

/** @deprecated The spec's old name, kept for modules not yet moved to `InterventionSpec` (it collided with the engine's `Intervention`). */
export type Intervention = InterventionSpec;
export type InterventionType = InterventionSpec['type'];
