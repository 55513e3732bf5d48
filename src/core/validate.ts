import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError } from './errors.ts';

/**
 * Validation against the suite schema with ajv, and the one-line-per-problem error format:
 * `file[:line]: /json/pointer: expected ...`.
 */

export interface ValidationProblem {
  /** JSON pointer into the document ('' = the whole document). */
  pointer: string;
  /** What was expected, in words, plus what was found when useful. */
  expected: string;
}

/** Maps a JSON pointer to a 1-based line (or line and column) in the source file, when the format allows it. */
export type LineLocator = (pointer: string) => number | { line: number; column: number } | undefined;

function atPosition(at: ReturnType<LineLocator>): string {
  if (at === undefined) return '';
  return typeof at === 'number' ? `:${at}` : `:${at.line}:${at.column}`;
}

/** A file with one or more problems; the message has one line per problem. */
export class ValidationError extends InputError {
  readonly lines: string[];
  constructor(
    readonly file: string,
    readonly problems: ValidationProblem[],
    locate?: LineLocator,
  ) {
    const lines = problems.map((p) => {
      return `${file}${atPosition(locate?.(p.pointer))}: ${p.pointer || '/'}: ${p.expected}`;
    });
    super(file, problems.map((p) => `${p.pointer || '/'}: ${p.expected}`).join('; '));
    this.lines = lines;
    this.message = lines.join('\n');
  }
}

export function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'expected', schemaType: 'string' });
  return ajv;
}

type Schema = Record<string, unknown>;

function quote(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return typeof value;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${quote(value)}`;
}

/** A schema in words: its `expected` annotation, else built from type and bounds. */
export function describe(schema: Schema | undefined): string {
  if (!schema) return 'a value';
  if (typeof schema['expected'] === 'string') return schema['expected'];
  if ('const' in schema) return quote(schema['const']);
  if (Array.isArray(schema['enum'])) return `one of ${(schema['enum'] as unknown[]).map((v) => String(v)).join(', ')}`;
  const anyOf = schema['anyOf'];
  if (Array.isArray(anyOf) && anyOf.every((s) => s && typeof s === 'object' && 'const' in s)) {
    return `one of ${anyOf.map((s) => String((s as Schema)['const'])).join(', ')}`;
  }
  const type = schema['type'];
  const types = Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
  const bounds: string[] = [];
  if (typeof schema['minimum'] === 'number') bounds.push(`>= ${schema['minimum']}`);
  if (typeof schema['exclusiveMinimum'] === 'number') bounds.push(`> ${schema['exclusiveMinimum']}`);
  if (typeof schema['maximum'] === 'number') bounds.push(`<= ${schema['maximum']}`);
  if (typeof schema['exclusiveMaximum'] === 'number') bounds.push(`< ${schema['exclusiveMaximum']}`);
  const names = types.map((t) =>
    t === 'integer' ? 'a whole number' : t === 'array' ? 'an array' : t === 'object' ? 'an object' : `a ${t}`,
  );
  if (types.includes('string') && typeof schema['minLength'] === 'number' && schema['minLength'] > 0) {
    names[types.indexOf('string')] = 'a non-empty string';
  }
  if (types.includes('array') && typeof schema['minItems'] === 'number' && schema['minItems'] > 0) {
    names[types.indexOf('array')] = `an array of at least ${schema['minItems']}`;
  }
  const base = names.length > 0 ? names.join(' or ') : 'a value';
  return bounds.length > 0 ? `${base} ${bounds.join(' and ')}` : base;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function problemFor(error: ErrorObject): ValidationProblem | undefined {
  const parent = error.parentSchema as Schema | undefined;
  const at = error.instancePath;
  const found = (): string => `, got ${kindOf(error.data)}`;
  switch (error.keyword) {
    case 'if':
      return undefined; // the failing branch reports its own errors
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const properties = parent?.['properties'] as Record<string, Schema> | undefined;
      return { pointer: `${at}/${escapePointer(missing)}`, expected: `missing; expected ${describe(properties?.[missing])}` };
    }
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parent?.['properties'] as Record<string, unknown> | undefined) ?? {});
      return {
        pointer: `${at}/${escapePointer(extra)}`,
        expected: `unknown field; expected one of ${known.join(', ')}`,
      };
    }
    case 'oneOf':
      return { pointer: at, expected: `expected ${describe(parent)}` };
    case 'anyOf':
      return { pointer: at, expected: `expected ${describe(parent)}${found()}` };
    case 'minItems': {
      const n = Array.isArray(error.data) ? error.data.length : 0;
      return { pointer: at, expected: `expected ${describe(parent)}, got ${n} item${n === 1 ? '' : 's'}` };
    }
    case 'type':
    case 'enum':
    case 'const':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'pattern':
    case 'minLength':
    case 'maxItems':
      return { pointer: at, expected: `expected ${describe(parent)}${found()}` };
    default:
      return { pointer: at, expected: `expected ${describe(parent)} (${error.message ?? error.keyword})` };
  }
}

/** Turns ajv's errors into one problem each, dropping duplicates and the noise of unions. */
export function toProblems(errors: ErrorObject[] | null | undefined): ValidationProblem[] {
  if (!errors) return [];
  // An anyOf/oneOf failure is reported once in words; its branches' errors would only confuse.
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath);
  const seen = new Set<string>();
  const problems: ValidationProblem[] = [];
  for (const error of errors) {
    if (unions.some((u) => error.schemaPath.startsWith(`${u}/`))) continue;
    const problem = problemFor(error);
    if (!problem) continue;
    const key = `${problem.pointer}\u0000${problem.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/** The first value JSON cannot hold (functions, class instances, NaN...), as a problem at its pointer. */
export function nonJsonProblem(value: unknown, pointer = ''): ValidationProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { pointer, expected: `expected a finite number, got ${value}` };
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) {
          const problem = nonJsonProblem(item, `${pointer}/${i}`);
          if (problem) return problem;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
        return { pointer, expected: `expected plain data (JSON), got ${name}` };
      }
      for (const [key, item] of Object.entries(value)) {
        if (item === undefined) continue; // an omitted optional field, as JSON would drop it
        const problem = nonJsonProblem(item, `${pointer}/${escapePointer(key)}`);
        if (problem) return problem;
      }
      return undefined;
    }
    default:
      return { pointer, expected: `expected plain data (JSON), got ${typeof value}` };
  }
}

/** One Ajv for every validator: an instance costs its meta-schemas, and compiled schemas are cached by it. */
let sharedAjv: Ajv | undefined;

/** Compiles once (on first use), validates many: returns the value with defaults applied (a copy), or throws. */
export function validator<T>(schema: object): (value: unknown, file: string, locate?: LineLocator) => T {
  let compiled: ValidateFunction | undefined;
  return (value, file, locate) => {
    compiled ??= (sharedAjv ??= makeAjv()).compile(schema);
    const nonJson = nonJsonProblem(value);
    if (nonJson) throw new ValidationError(file, [nonJson], locate);
    const copy: unknown = value === undefined ? undefined : structuredClone(value);
    if (compiled(copy)) return copy as T;
    throw new ValidationError(file, toProblems(compiled.errors), locate);
  };
}
