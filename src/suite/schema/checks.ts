import { Type, type TProperties } from '@sinclair/typebox';
import { Default } from '../../core/typebox.ts';

/**
 * The vocabulary check schemas are written in. Each check's own schema lives beside its logic
 * (src/checks/<type>.ts, one file per check) and the suite schema is assembled from the check
 * registry in src/suite/suite-schema.ts: checks sit above this stage (they read results, golden
 * files and metrics), so the spec here knows what a check looks like, not which checks exist.
 */

/** A check value: `type`, an optional display `name`, and the check's own fields; nothing else. */
export function checkSchema<const N extends string, T extends TProperties>(type: N, properties: T) {
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

/** An intervention label (see labels.ts): how checks name interventions. */
export const Label = () => Type.String({ minLength: 1 });
export const LabelOr = (def: string) => Default(Type.String({ minLength: 1 }), def);
export const Labels = () => Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }));
export const Alpha = () => Default(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 0.5, expected: 'a significance level between 0 and 0.5' }), 0.05);

/** One of a few words, with a default. */
export function Bound<const V extends string[]>(values: V, def: V[number]) {
  const union = Type.Unsafe<V[number]>({ type: 'string', enum: values, expected: `one of ${values.join(', ')}` });
  return Default(union, def);
}

/**
 * Any check, as this stage sees it: an object with a `type`. The spec's placeholder until the
 * registry's schemas are plugged in (src/suite/suite-schema.ts), which validate each check's fields.
 */
export const AnyCheck = Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true, expected: 'a check' });
