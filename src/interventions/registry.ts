import type { Static, TSchema } from '@sinclair/typebox';
import { InputError } from '../core/errors.ts';
import { tagged } from '../core/typebox.ts';
import { ValidationError, validator } from '../core/validate.ts';
import type { Intervention } from '../plan/intervention.ts';
import { InterventionLabel, interventionItem } from '../suite/schema/interventions.ts';
import * as builtins from './builtins.ts';
import { NESTED, ParamError, type BuildTools, type InterventionDefinition } from './define.ts';
import { boundIntervention } from './user.ts';

type BuiltIns = typeof builtins;

/** Built-in type name -> its parameters, as its schema defines them. */
export type BuiltInParams = { [K in keyof BuiltIns as BuiltIns[K]['type']]: Static<BuiltIns[K]['schema']> };

declare module '../suite/schema/interventions.ts' {
  // The suite spec's precise union comes from the schemas here (that stage cannot import this one).
  interface BuiltInInterventionParams extends BuiltInParams {}
}

// Every built-in file has the shape of a definition (a type error here names the file that does not).
const checked: { [K in keyof BuiltIns]: InterventionDefinition<BuiltIns[K]['schema']> } = builtins;

type JsonSchema = Record<string, unknown>;

/**
 * A parameter schema extended with `type` (the constant) and an optional `label`, as a suite
 * writes the entry. Objects get the two fields first (errors list known fields in that order);
 * dispatching schemas (if/then/else, unions) get them on every branch.
 */
export function withTag(schema: TSchema | JsonSchema, type: string): JsonSchema {
  const s = schema as JsonSchema;
  if (s['properties'] !== undefined) {
    const required = Array.isArray(s['required']) ? (s['required'] as string[]) : [];
    return {
      ...s,
      properties: { type: { type: 'string', const: type }, label: InterventionLabel, ...(s['properties'] as JsonSchema) },
      required: ['type', ...required],
    };
  }
  const out: JsonSchema = { ...s };
  for (const key of ['then', 'else'] as const) if (s[key] !== undefined) out[key] = withTag(s[key] as JsonSchema, type);
  for (const key of ['anyOf', 'oneOf'] as const) if (Array.isArray(s[key])) out[key] = (s[key] as JsonSchema[]).map((b) => withTag(b, type));
  return out;
}

/** A parameter that is itself an intervention gets every other built-in's entry schema (one level deep). */
function withNested(schema: JsonSchema, type: string, flat: Record<string, JsonSchema>): JsonSchema {
  const properties = schema['properties'] as Record<string, JsonSchema & { [NESTED]?: true }> | undefined;
  if (!properties || !Object.values(properties).some((p) => p[NESTED])) return schema;
  const others = Object.fromEntries(Object.entries(flat).filter(([name]) => name !== type));
  const nested = tagged('type', others as unknown as Record<string, TSchema>, { expected: 'an intervention' });
  return { ...schema, properties: Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, p[NESTED] ? nested : p])) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface Registry {
  /** Type name -> definition, by type name. */
  readonly definitions: ReadonlyMap<string, InterventionDefinition>;
  readonly types: readonly string[];
  /** Each entry schema (`type`, `label` and the parameters), by type name. */
  schemas(): Record<string, JsonSchema>;
  /** One entry of a suite's `interventions`, precisely: every definition's schema, or `{ use: ... }`. */
  itemSchema(): ReturnType<typeof interventionItem>;
  /** Builds an intervention from its JSON form, its schema checking the parameters first. */
  fromSpec(spec: unknown, where?: string): Intervention;
}

/**
 * A registry over a list of intervention files (a module namespace of `export * as name from
 * './file.ts'` lines, like builtins.ts). The built-in registry below is one; a test makes another
 * the same way to show that one file plus one line is all a new intervention takes.
 */
export function createRegistry(list: Record<string, InterventionDefinition<TSchema>>): Registry {
  // Sorted by type name whatever the runtime's module namespace order: errors and the editor schema list them so.
  const sorted = Object.values(list).sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  const definitions: ReadonlyMap<string, InterventionDefinition> = new Map(sorted.map((d) => [d.type, d as unknown as InterventionDefinition]));
  const types = [...definitions.keys()];
  let schemas: Record<string, JsonSchema> | undefined;
  let item: ReturnType<typeof interventionItem> | undefined;
  const validators = new Map<string, (value: unknown, file: string) => unknown>();

  const registry: Registry = {
    definitions,
    types,
    schemas() {
      if (!schemas) {
        const flat = Object.fromEntries([...definitions].map(([type, d]) => [type, withTag(d.schema, type)]));
        schemas = Object.fromEntries(Object.entries(flat).map(([type, s]) => [type, withNested(s, type, flat)]));
      }
      return schemas;
    },
    itemSchema() {
      item ??= interventionItem(tagged('type', registry.schemas() as unknown as Record<string, TSchema>, { expected: 'an intervention' }));
      return item;
    },
    fromSpec(spec, where = 'intervention') {
      if (typeof spec === 'string') spec = { type: spec };
      if (!isRecord(spec)) throw new InputError(where, `expected an object like { "type": "budget", "tokens": 512 }, got ${JSON.stringify(spec)}`);
      const type = spec['type'];
      if (type === 'user') return boundIntervention(spec, where);
      const definition = typeof type === 'string' ? definitions.get(type) : undefined;
      if (!definition) throw new InputError(`${where}/type`, `expected one of ${types.join(', ')}, got ${JSON.stringify(type)}`);
      let validate = validators.get(definition.type);
      if (!validate) validators.set(definition.type, (validate = validator<unknown>(registry.schemas()[definition.type] ?? {})));
      checkEntry(validate, spec, where);
      const { type: _type, label: _label, ...params } = spec;
      const tools: BuildTools = { intervention: (nested, pointer) => registry.fromSpec(nested, `${where}${pointer}`) };
      try {
        return definition.build(params as Static<TSchema>, tools);
      } catch (error) {
        // A rule the schema cannot say, thrown by the build at a pointer inside the entry.
        if (error instanceof ParamError) throw new InputError(`${where}${error.where}`, error.expected);
        throw error;
      }
    },
  };
  return registry;
}

/** The schema's first problem as one line: `where` + the field's pointer. */
function checkEntry(validate: (value: unknown, file: string) => unknown, spec: unknown, where: string): void {
  try {
    validate(spec, where);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const first = error.problems[0];
    throw new InputError(`${where}${first?.pointer ?? ''}`, first?.expected ?? 'expected a valid intervention');
  }
}

/** The built-in interventions. */
export const REGISTRY = createRegistry(checked as unknown as Record<string, InterventionDefinition<TSchema>>);
export const DEFINITIONS = REGISTRY.definitions;
export const INTERVENTION_TYPES = REGISTRY.types;

/** Each built-in's entry schema, by type name (for the editor schema and tools). */
export function interventionSchemas(): Record<string, JsonSchema> {
  return REGISTRY.schemas();
}

/** One entry of a suite's `interventions`, precisely: the suite loader and the editor schema use it. */
export function interventionItemSchema(): ReturnType<typeof interventionItem> {
  return REGISTRY.itemSchema();
}

/**
 * Builds an intervention from its JSON form, e.g. `{ "type": "budget", "tokens": 512 }`: its
 * file's schema checks the parameters, then its build makes it. `where` names the entry for
 * errors (a JSON pointer in a suite, e.g. `/interventions/2`); an error names the field under it.
 */
export function interventionFromSpec(spec: unknown, where = 'intervention'): Intervention {
  return REGISTRY.fromSpec(spec, where);
}
