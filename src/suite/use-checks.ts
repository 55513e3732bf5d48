import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { LineLocator } from '../core/validate.ts';
import { registerUserCheck, type AnyCheckDefinition } from '../checks/registry.ts';

/**
 * A JSON or YAML suite names a check of its own by file: `{ use: ./my-check.ts, max: 150 }`. The
 * file exports `check` (or a default export) shaped as a built-in's (CONTRIBUTING.md, "Adding a
 * check"); it is registered as the user's check, and the entry becomes `{ type, max: 150 }`, so its
 * fields are validated by its own schema with the suite's line numbers, its references are
 * checked, and it runs as a built-in does, except that a crash in it is an `error` verdict.
 */

export interface UseContext {
  /** The suite file as given, and its folder (paths in `use` are relative to it). */
  file: string;
  root: string;
  locate: LineLocator;
  /** Imports a module file (the TypeScript suite loader): `display` names it in errors. */
  load: (display: string, path: string) => Promise<Record<string, unknown>>;
}

function where(context: UseContext, pointer: string): string {
  const at = context.locate(pointer);
  const position = at === undefined ? '' : typeof at === 'number' ? `:${at}` : `:${at.line}:${at.column}`;
  return `${context.file}${position}: ${pointer}`;
}

function asDefinition(module: Record<string, unknown>): AnyCheckDefinition | undefined {
  const candidate = (module['check'] ?? module['default']) as Partial<AnyCheckDefinition> | undefined;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  const { type, schema, label, reads, run } = candidate;
  const literal = (schema as { properties?: { type?: { const?: unknown } } } | undefined)?.properties?.type?.const;
  const shaped = typeof type === 'string' && type !== '' && literal === type && [label, reads, run].every((f) => typeof f === 'function');
  return shaped ? (candidate as AnyCheckDefinition) : undefined;
}

async function usedCheck(entry: Record<string, unknown>, pointer: string, context: UseContext): Promise<Record<string, unknown>> {
  const { use, ...fields } = entry;
  if (typeof use !== 'string' || use === '') throw new InputError(where(context, `${pointer}/use`), 'expected the path of a check module (.ts or .js), relative to the suite');
  const path = resolve(context.root, use);
  const display = join(dirname(context.file), use);
  if (!existsSync(path)) throw new InputError(where(context, `${pointer}/use`), `no such file: ${display}`);
  const definition = asDefinition(await context.load(display, path));
  if (!definition) {
    throw new InputError(where(context, `${pointer}/use`), `expected ${use} to export \`check\`: defineCheck({ type, schema: checkSchema(type, {...}), label, reads, run })`);
  }
  if (fields['type'] !== undefined && fields['type'] !== definition.type) {
    throw new InputError(where(context, `${pointer}/type`), `expected '${definition.type}' (the type ${use} defines) or nothing, got ${JSON.stringify(fields['type'])}`);
  }
  try {
    registerUserCheck(definition, display);
  } catch (error) {
    if (error instanceof InputError) throw new InputError(where(context, `${pointer}/use`), `${error.where} ${error.expected}`);
    throw error;
  }
  return { type: definition.type, ...fields };
}

/** The suite value with every `use:` check replaced by its registered type (the value itself when it has none). */
export async function resolveUsedChecks(value: unknown, context: UseContext): Promise<unknown> {
  const checks = (value as { checks?: unknown } | null)?.checks;
  if (!Array.isArray(checks) || !checks.some((c) => typeof c === 'object' && c !== null && 'use' in c)) return value;
  const resolved: unknown[] = [];
  for (const [i, entry] of checks.entries()) {
    const uses = typeof entry === 'object' && entry !== null && 'use' in entry;
    resolved.push(uses ? await usedCheck(entry as Record<string, unknown>, `/checks/${i}`, context) : entry);
  }
  return { ...(value as object), checks: resolved };
}
