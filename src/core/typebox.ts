import {
  Type,
  type Static,
  type TArray,
  type TObject,
  type TOptional,
  type TProperties,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox';

/**
 * Small builders on top of TypeBox. Why TypeBox: one definition yields both the JSON Schema that
 * ajv checks suite files against and the TypeScript types, with no code generation step and no
 * deep `as const` inference (json-schema-to-ts gets slow and brittle on a schema this size).
 *
 * Two types come out of each definition:
 * - `Static<S>`: what a user may write (fields with a default are optional);
 * - `Resolved<S>`: what validation returns (ajv's `useDefaults` filled those fields in).
 * Where TypeBox has no builder (if/then/else dispatch) we emit raw JSON Schema with `Type.Unsafe`
 * and carry both types from the same TypeBox variants.
 */

declare const HasDefault: unique symbol;
declare const ResolvedType: unique symbol;

/** A field with a default: optional to write, always present after validation. */
export type TDefault<T extends TSchema> = TOptional<T> & { [HasDefault]: true };

export function Default<T extends TSchema>(schema: T, value: Static<T>): TDefault<T> {
  const optional = Type.Optional(schema) as TSchema;
  (optional as Record<string, unknown>)['default'] = value;
  return optional as TDefault<T>;
}

/** A raw-schema union that knows its input type and its resolved type. */
export type TDispatch<Input, Out> = TUnsafe<Input> & { [ResolvedType]: Out };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type ResolveProps<P extends TProperties> = Simplify<
  {
    -readonly [K in keyof P as P[K] extends { [HasDefault]: true }
      ? K
      : P[K] extends TOptional<TSchema>
        ? never
        : K]-?: Resolved<P[K]>;
  } & {
    -readonly [K in keyof P as P[K] extends { [HasDefault]: true }
      ? never
      : P[K] extends TOptional<TSchema>
        ? K
        : never]?: Resolved<P[K]>;
  }
>;

/** The value's type after validation with defaults applied. */
export type Resolved<S> = S extends { [ResolvedType]: infer Out }
  ? Out
  : S extends TObject<infer P>
    ? ResolveProps<P>
    : S extends TArray<infer I>
      ? Resolved<I>[]
      : S extends TSchema
        ? Static<S>
        : never;

/** Annotation read by the error formatter: how to say in words what a value must be. */
const expectedKeyword = 'expected';
export { expectedKeyword };

/**
 * A union picked by a tag: `{ type: 'budget', ... }`. Emitted as a chain of if/then/else so ajv
 * reports errors only against the variant the tag names (a plain anyOf would report every variant),
 * and an unknown tag gets one "expected one of ..." error.
 */
export function tagged<const V extends Record<string, TSchema>>(
  tag: string,
  variants: V,
  options: { expected: string },
): TDispatch<Static<V[keyof V]>, { [K in keyof V]: Resolved<V[K]> }[keyof V]> {
  const names = Object.keys(variants);
  let chain: Record<string, unknown> = {
    type: 'object',
    required: [tag],
    properties: { [tag]: { type: 'string', enum: names, expected: `one of ${names.join(', ')}` } },
  };
  for (const name of [...names].reverse()) {
    chain = {
      if: { type: 'object', properties: { [tag]: { const: name } }, required: [tag] },
      then: variants[name],
      else: chain,
    };
  }
  return Type.Unsafe({ type: 'object', expected: options.expected, ...chain }) as never;
}

/**
 * A union picked by which key is present, e.g. a problem source is `{ dataset }`, `{ family }` or
 * an inline problem. The last variant is the fallback.
 */
export function keyed<const V extends TSchema[]>(
  keys: string[],
  variants: V,
  options: { expected: string },
): TDispatch<Static<V[number]>, { [K in keyof V]: Resolved<V[K]> }[number]> {
  if (keys.length !== variants.length - 1) throw new Error('keyed(): one key per variant but the last');
  let chain = variants[variants.length - 1] as Record<string, unknown>;
  for (let i = keys.length - 1; i >= 0; i--) {
    chain = { if: { type: 'object', required: [keys[i]] }, then: variants[i], else: chain };
  }
  return Type.Unsafe({ type: 'object', expected: options.expected, ...chain }) as never;
}

/** A scalar written as a string or a number (answers, ids); loaders turn it into a string. */
export const StringOrNumber = Type.Unsafe<string | number>({
  type: ['string', 'number'],
  expected: 'a string or number',
});

export const PositiveInt = (options: Record<string, unknown> = {}) => Type.Integer({ minimum: 1, ...options });
export const Fraction = (options: Record<string, unknown> = {}) => Type.Number({ minimum: 0, maximum: 1, ...options });
