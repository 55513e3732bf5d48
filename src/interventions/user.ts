import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import { nonJsonProblem, ValidationError, validator, type LineLocator, type ValidationProblem } from '../core/validate.ts';
import type { Intervention, InterventionOutput, Params } from '../plan/intervention.ts';
import type { InterventionContext } from '../plan/tree-api.ts';
import type { UserInterventionSpec } from '../suite/schema/interventions.ts';

/**
 * A user's own intervention: the shape of src/plan's Intervention, with the parameters passed in.
 * `schema` (TypeBox or plain JSON Schema) checks the parameters a suite gives it; `describe` makes
 * its label (default: the type and its parameters). In a TypeScript suite it may be listed as it
 * is; a YAML or JSON suite names a module that exports it: `{ use: ./my-intervention.ts, params: {...} }`.
 */
export interface UserIntervention<P extends Params = Params> {
  readonly type: string;
  readonly schema?: object;
  /** Its parameters when listed as a value (a `use:` entry gives them in the suite instead). */
  readonly params?: P;
  readonly label?: string;
  /** Text appended to the user turn: a prompt variant, so its own trunk. */
  readonly userSuffix?: string;
  describe?(params: P): string;
  run(ctx: InterventionContext, params: P): Promise<InterventionOutput>;
}

/** Typed identity helper for an intervention file: `export default defineIntervention({ type, schema, describe, run })`. */
export function defineIntervention<P extends Params = Params>(intervention: UserIntervention<P>): UserIntervention<P> {
  return intervention;
}

/** The loaded intervention on a `user` spec: symbol-keyed, so it rides along with the spec (spread, rest) but never into JSON. */
export const BOUND = Symbol('thinkprobe.intervention');
/** What a `use:` entry's module exported, set by loadInterventionModules. */
export const LOADED = Symbol('thinkprobe.loaded');

type Entry = Record<string | symbol, unknown>;

function isRecord(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isUserIntervention(value: unknown): value is UserIntervention {
  return isRecord(value) && typeof value['type'] === 'string' && typeof value['run'] === 'function';
}

function defaultLabel(type: string, params: Params): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? type : `${type}(${parts.join(',')})`;
}

/** The engine's Intervention for a user intervention and its parameters. */
export function bind(value: UserIntervention, params: Params): Intervention {
  const label = value.describe ? value.describe(params) : defaultLabel(value.type, params);
  return {
    type: value.type,
    params: { type: value.type, ...params },
    describe: () => label,
    ...(value.userSuffix === undefined ? {} : { userSuffix: value.userSuffix }),
    run: (ctx) => value.run(ctx, params),
  };
}

/** The intervention a `user` spec carries (see BOUND); one that was never loaded is a clear error. */
export function boundIntervention(spec: Entry, where: string): Intervention {
  const bound = spec[BOUND];
  if (isRecord(bound) && typeof bound['run'] === 'function') return bound as unknown as Intervention;
  throw new InputError(
    `${where}/type`,
    "'user' is an intervention loaded from a module (use: ./file.ts) or listed as a value in a TypeScript suite; this one was not loaded",
  );
}

const schemaValidators = new WeakMap<object, (value: unknown, file: string) => unknown>();

/** Checks (and defaults) a user intervention's parameters with its schema: problems at `pointer`. */
function checkParams(value: UserIntervention, params: unknown, pointer: string): { params?: Params; problems: ValidationProblem[] } {
  if (!isRecord(params)) return { problems: [{ pointer, expected: `expected an object of parameters, got ${JSON.stringify(params)}` }] };
  const nonJson = nonJsonProblem(params, pointer);
  if (nonJson) return { problems: [nonJson] };
  if (value.schema === undefined) return { params: params as Params, problems: [] };
  let validate = schemaValidators.get(value.schema);
  try {
    if (!validate) {
      validate = validator<unknown>(value.schema);
      schemaValidators.set(value.schema, validate);
    }
    return { params: validate(params, '') as Params, problems: [] };
  } catch (error) {
    if (error instanceof ValidationError) return { problems: error.problems.map((p) => ({ ...p, pointer: `${pointer}${p.pointer}` })) };
    return { problems: [{ pointer, expected: `the intervention's schema could not be used (${(error as Error).message.split('\n')[0]})` }] };
  }
}

/** A user intervention with its parameters as a spec: JSON for the run's identity, the bound intervention beside it. */
function userSpec(value: UserIntervention, params: Params, use: string | undefined, label: unknown): { spec: UserInterventionSpec; problems: ValidationProblem[] } {
  const spec: UserInterventionSpec = { type: 'user', name: value.type, ...(use === undefined ? {} : { use }), params, ...(typeof label === 'string' ? { label } : {}) };
  const intervention = bind(value, params);
  (spec as unknown as Entry)[BOUND] = intervention;
  const text = intervention.describe();
  const problems = typeof text === 'string' && text !== '' && !/[\n\r\t]/.test(text) ? [] : [{ pointer: '', expected: `describe() must return a one-line label, got ${JSON.stringify(text)}` }];
  return { spec, problems };
}

export interface SetAside {
  /** The suite value with user interventions replaced by JSON placeholders (`{ use, params, label }`) that keep every index. */
  value: unknown;
  problems: ValidationProblem[];
  /** Puts the user interventions (as `user` specs carrying their code) back into the validated suite. */
  restore(suite: { interventions: unknown[] }): void;
}

/** One entry: a built-in value becomes its spec; a user value or loaded `use:` entry becomes a `user` spec. */
function setAsideEntry(entry: unknown, pointer: string, isBuiltIn: (type: string) => boolean): { placeholder: unknown; spec?: UserInterventionSpec; problems: ValidationProblem[] } {
  if (isUserIntervention(entry)) {
    const own = isRecord(entry.params) ? entry.params : {};
    // A built-in made in code (`budget({ tokens: 512 })`): its params are its spec.
    if (isBuiltIn(entry.type) && own['type'] === entry.type) return { placeholder: { ...own, ...(entry.label === undefined ? {} : { label: entry.label }) }, problems: [] };
    const { type: _type, ...rest } = own;
    return fromValue(entry, rest, `${pointer}/params`, undefined, entry.label);
  }
  if (isRecord(entry) && typeof entry['use'] === 'string') {
    const loaded = entry[LOADED];
    if (!isUserIntervention(loaded)) return { placeholder: entry, problems: [{ pointer: `${pointer}/use`, expected: 'expected a module loaded with the suite (loadSuite resolves use: paths)' }] };
    if (isBuiltIn(loaded.type)) return { placeholder: entry, problems: [{ pointer: `${pointer}/use`, expected: `expected an intervention type of its own, got the built-in '${loaded.type}' (list it as { type: ${loaded.type} } instead)` }] };
    const out = fromValue(loaded, entry['params'] ?? {}, `${pointer}/params`, entry['use'], entry['label']);
    // The entry's own fields stay for the schema to check (an unknown one is reported at its pointer).
    return out.spec ? { ...out, placeholder: { ...entry, params: (out.placeholder as { params: unknown }).params } } : out;
  }
  return { placeholder: entry, problems: [] };
}

function fromValue(value: UserIntervention, params: unknown, pointer: string, use: string | undefined, label: unknown) {
  const checked = checkParams(value, params, pointer);
  if (!checked.params) return { placeholder: {}, problems: checked.problems };
  const { spec, problems } = userSpec(value, checked.params, use, label);
  const placeholder = { use: use ?? value.type, params: checked.params, ...(label === undefined ? {} : { label }) };
  return { placeholder, spec, problems: problems.map((p) => ({ ...p, pointer: pointer.replace(/\/params$/, '') })) };
}

/**
 * Takes user interventions out of a suite value before it is validated as data (they hold code),
 * leaving placeholders in place so every pointer keeps its index, and checks their parameters
 * with their own schemas.
 */
export function setAsideUserInterventions(value: unknown, isBuiltIn: (type: string) => boolean): SetAside {
  const list = isRecord(value) && Array.isArray(value['interventions']) ? (value['interventions'] as unknown[]) : undefined;
  if (!list) return { value, problems: [], restore: () => undefined };
  const specs = new Map<number, UserInterventionSpec>();
  const problems: ValidationProblem[] = [];
  const placeholders = list.map((entry, i) => {
    const out = setAsideEntry(entry, `/interventions/${i}`, isBuiltIn);
    problems.push(...out.problems);
    if (out.spec) specs.set(i, out.spec);
    return out.placeholder;
  });
  if (specs.size === 0 && problems.length === 0 && placeholders.every((p, i) => p === list[i])) return { value, problems, restore: () => undefined };
  return {
    value: { ...(value as object), interventions: placeholders },
    problems,
    restore(suite) {
      for (const [i, spec] of specs) suite.interventions[i] = spec;
    },
  };
}

export interface LoadOptions {
  /** The suite file as given (for errors). */
  file: string;
  /** Directory `use:` paths are relative to. */
  root: string;
  locate?: LineLocator;
  /** Imports a .ts/.js module from any folder (the suite loader's). */
  importModule(path: string): Promise<Record<string, unknown>>;
}

/** The intervention a module exports: its default export, else an export named `intervention`. */
function exportedIntervention(module: Record<string, unknown>): UserIntervention | undefined {
  for (const candidate of [module['default'], module['intervention']]) if (isUserIntervention(candidate)) return candidate;
  return undefined;
}

async function loadOne(entry: Entry, pointer: string, options: LoadOptions): Promise<{ entry: Entry; problem?: ValidationProblem }> {
  const use = entry['use'] as string;
  const path = resolve(options.root, use);
  if (!existsSync(path)) return { entry, problem: { pointer, expected: `expected a module file relative to the suite, but ${JSON.stringify(use)} does not exist` } };
  let module: Record<string, unknown>;
  try {
    module = await options.importModule(path);
  } catch (error) {
    const first = (error as { errors?: { text: string }[] }).errors?.[0]?.text ?? (error as Error).message;
    return { entry, problem: { pointer, expected: `could not be loaded: ${String(first).split('\n')[0]}` } };
  }
  const exported = exportedIntervention(module);
  if (!exported) {
    return { entry, problem: { pointer, expected: 'expected the module to export an intervention (default export or `intervention`): an object with type and run(ctx, params)' } };
  }
  return { entry: { ...entry, [LOADED]: exported } };
}

/** Resolves every `{ use: ./file.ts }` entry of a suite value by importing its module; a failure names the entry's `use` field. */
export async function loadInterventionModules(value: unknown, options: LoadOptions): Promise<unknown> {
  const list = isRecord(value) && Array.isArray(value['interventions']) ? (value['interventions'] as unknown[]) : undefined;
  if (!list?.some((e) => isRecord(e) && typeof e['use'] === 'string' && !isUserIntervention(e))) return value;
  const problems: ValidationProblem[] = [];
  const entries: unknown[] = [];
  for (const [i, entry] of list.entries()) {
    if (!isRecord(entry) || typeof entry['use'] !== 'string' || isUserIntervention(entry)) {
      entries.push(entry);
      continue;
    }
    const loaded = await loadOne(entry, `/interventions/${i}/use`, options);
    if (loaded.problem) problems.push(loaded.problem);
    entries.push(loaded.entry);
  }
  if (problems.length > 0) throw new ValidationError(options.file, problems, options.locate);
  return { ...(value as object), interventions: entries };
}
