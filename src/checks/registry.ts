import type { Static, TObject } from '@sinclair/typebox';
import { InputError } from '../core/errors.ts';
import { tagged, type Resolved } from '../core/typebox.ts';
import * as builtin from './builtin.ts';
import type { CheckDefinition } from './check.ts';

/**
 * The check registry: the built-ins of builtin.ts, plus checks registered at run time (a plugin,
 * a suite file, a test's fixture check) with `registerCheck`. A registered check is thinkprobe's
 * code as far as the run is concerned: its schema joins the suite schema and a crash in it is an
 * internal error (exit 70), unlike a suite's own `CustomCheck`, whose crash is an `error` verdict.
 */

type Builtin = (typeof builtin)[keyof typeof builtin];
type SpecOf<D> = D extends CheckDefinition<infer S> ? Resolved<S> : never;
type InputOf<D> = D extends CheckDefinition<infer S> ? Static<S> : never;

/** A validated built-in check value, defaults applied. */
export type CheckSpec = SpecOf<Builtin>;
/** A built-in check value as a suite writes it. */
export type CheckSpecInput = InputOf<Builtin>;
export type CheckType = CheckSpec['type'];
export type CheckSpecOf<T extends CheckType> = Extract<CheckSpec, { type: T }>;
/** Any check definition, whatever its schema (its methods read the value its own schema validated). */
export type AnyCheckDefinition = CheckDefinition<TObject>;

const definitions = new Map<string, AnyCheckDefinition>();
for (const definition of Object.values(builtin) as AnyCheckDefinition[]) definitions.set(definition.type, definition);
/** Types added from a suite's `use:` file, with that file: the user's code, not thinkprobe's. */
const userFiles = new Map<string, string>();
/** Bumped on every change, so schemas built from the registry know when they are stale. */
let revision = 0;

/**
 * Adds a check: suites may then use `{ type: <its type>, ... }`. Returns a function that removes
 * it again (tests). A type already taken is refused: one type, one meaning.
 */
export function registerCheck<S extends TObject>(definition: CheckDefinition<S>): () => void {
  const literal = (definition.schema.properties as Record<string, { const?: unknown }>)['type']?.const;
  if (literal !== definition.type) {
    throw new InputError(`registerCheck('${definition.type}')`, `expected a schema whose type is the literal '${definition.type}' (checkSchema('${definition.type}', { ... }))`);
  }
  if (definitions.has(definition.type)) throw new InputError(`registerCheck('${definition.type}')`, 'a check of this type is already registered');
  const entry = definition as unknown as AnyCheckDefinition;
  definitions.set(definition.type, entry);
  revision++;
  return () => {
    if (definitions.get(definition.type) === entry) {
      definitions.delete(definition.type);
      userFiles.delete(definition.type);
      revision++;
    }
  };
}

/**
 * Adds a check a suite names by file (`{ use: ./my-check.ts }`): like `registerCheck`, but the
 * check is the user's code (a crash in it is an `error` verdict, not an internal error), and
 * loading the same file again (another suite, a second run in one process) replaces it.
 */
export function registerUserCheck(definition: AnyCheckDefinition, file: string): void {
  const owner = userFiles.get(definition.type);
  if (owner === file) {
    definitions.set(definition.type, definition);
    revision++;
    return;
  }
  if (definitions.has(definition.type)) {
    throw new InputError(file, `defines check type '${definition.type}', which is already ${owner ? `defined by ${owner}` : 'a built-in or registered check'}; give it another type`);
  }
  registerCheck(definition);
  userFiles.set(definition.type, file);
}

/** Whether a check type came from a suite's `use:` file (the user's code). */
export function isUserCheck(type: string): boolean {
  return userFiles.has(type);
}

export function checkDefinitions(): AnyCheckDefinition[] {
  return [...definitions.values()];
}

export function checkDefinition(type: string): AnyCheckDefinition | undefined {
  return definitions.get(type);
}


export function registryRevision(): number {
  return revision;
}

/** Every registered check's schema as one union picked by `type` (an unknown type is one "expected one of" error). */
export function checksSchema() {
  const variants = Object.fromEntries(checkDefinitions().map((definition) => [definition.type, definition.schema]));
  return tagged('type', variants, { expected: 'a check' });
}
