import { Type, type Static, type TObject, type TSchema, type TString } from '@sinclair/typebox';
import { InputError } from '../core/errors.ts';
import type { Intervention } from '../plan/intervention.ts';

/** What a build may need besides its own parameters: building a nested intervention (probes' `on`). */
export interface BuildTools {
  /** Builds an intervention from its spec; `pointer` is where it sits inside the parameters (e.g. `/on`). */
  intervention(spec: unknown, pointer: string): Intervention;
}

/**
 * A built-in intervention, as one file exports it: its type name, the TypeBox schema of its
 * parameters (the only parser of them: the registry validates with it before `build`), its label
 * and its build. The schema describes the parameters only; the registry adds `type` and `label`.
 */
export interface InterventionDefinition<S extends TSchema = TSchema> {
  readonly type: string;
  readonly schema: S;
  describe(params: Static<S>, tools: BuildTools): string;
  build(params: Static<S>, tools: BuildTools): Intervention;
}

/** Drops undefined values so params stay JSON-clean. */
export function clean<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A short JSON-ish label for strings in describe(). */
export function short(s: string): string {
  const j = JSON.stringify(s);
  return j.length > 24 ? `${j.slice(0, 21)}..."` : j;
}

/** An optional non-empty text parameter. */
export const OptionalText = (options: Record<string, unknown> = {}) => Type.Optional(Type.String({ minLength: 1, ...options }));
/** An optional non-empty list of words. */
export const OptionalWords = () => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, expected: 'a non-empty array of words' }));

/** A rule the schema cannot say, broken: `pointer` is inside the intervention's entry (e.g. `/on`); the registry adds where the entry is. */
export class ParamError extends InputError {}

/** Marks a parameter that is itself an intervention (probes' `on`): the registry puts every other built-in's entry schema there. */
export const NESTED = Symbol('thinkprobe.nestedIntervention');

export function NestedIntervention(): TObject<{ type: TString }> {
  const schema = Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true, expected: 'an intervention' });
  // Marked at run time only: the type stays a plain TObject, so declarations do not name the symbol.
  (schema as unknown as Record<symbol, boolean>)[NESTED] = true;
  return schema;
}
