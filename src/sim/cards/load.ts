import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { InputError } from '../../core/errors.ts';
import type { ModelCard } from './card.ts';

export type { ModelCard, ByDifficulty } from './card.ts';

/** Cards shipped with thinkprobe, by name. */
export const builtinCards = ['sim-qwq', 'sim-qwq-regressed', 'sim-overthinker', 'sim-fast', 'sim-qwq-minus5'] as const;
export const defaultCardName = 'sim-qwq';

const schema = JSON.parse(readFileSync(new URL('./card.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: false, strict: true });
const validate = ajv.compile<ModelCard>(schema);

function describeError(error: ErrorObject): { pointer: string; expected: string } {
  const pointer = error.instancePath || '/';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { pointer: `${error.instancePath}/${String(params.missingProperty)}`, expected: 'expected this field (it is missing)' };
    case 'additionalProperties':
      return { pointer: `${error.instancePath}/${String(params.additionalProperty)}`, expected: 'unknown field, expected none here' };
    case 'enum':
      return { pointer, expected: `expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'minItems':
      return { pointer, expected: `expected at least ${String(params.limit)} items` };
    case 'maxItems':
      return { pointer, expected: `expected at most ${String(params.limit)} items` };
    case 'type':
      return { pointer, expected: `expected ${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}` };
    case 'pattern':
      return { pointer, expected: `expected a string matching ${String(params.pattern)}` };
    case 'const':
      return { pointer, expected: `expected ${JSON.stringify(params.allowedValue)}` };
    default: {
      const message = error.message ?? 'match the schema';
      const expected = message.startsWith('must be ')
        ? message.slice('must be '.length)
        : message.startsWith('must NOT ')
          ? `not ${message.slice('must NOT '.length)}`
          : message.replace(/^must /, 'to ');
      return { pointer, expected: `expected ${expected}` };
    }
  }
}

/** Validates parsed JSON as a card; `where` names the source in errors. */
export function parseCard(data: unknown, where: string): ModelCard {
  if (validate(data)) return data;
  const first = validate.errors?.[0];
  if (!first) throw new InputError(where, 'expected a valid model card');
  const { pointer, expected } = describeError(first);
  throw new InputError(`${where}: ${pointer}`, expected);
}

/** A built-in card name (`sim-qwq`, `sim-qwq-regressed`, `sim-overthinker`) or a path to a card JSON file. */
export function loadCard(nameOrFile: string = defaultCardName): ModelCard {
  // Model names as Ollama spells them ("sim-qwq:latest") name the built-in card too.
  if (nameOrFile.endsWith(':latest') && (builtinCards as readonly string[]).includes(nameOrFile.slice(0, -7))) nameOrFile = nameOrFile.slice(0, -7);
  const builtin = (builtinCards as readonly string[]).includes(nameOrFile);
  const file = builtin ? new URL(`./${nameOrFile}.json`, import.meta.url) : nameOrFile;
  const where = builtin ? `card ${nameOrFile}` : nameOrFile;
  if (!builtin && !existsSync(nameOrFile)) {
    throw new InputError(where, `expected a built-in card (${builtinCards.join(', ')}) or an existing card JSON file`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(where, `expected a readable card JSON file (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`);
  }
  let data: unknown;
  try {
    // A UTF-8 byte order mark (Windows editors) is not part of the JSON.
    data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw new InputError(where, `expected valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return parseCard(data, where);
}
