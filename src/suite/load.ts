import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import { InputError } from '../core/errors.ts';
import { ValidationError, type LineLocator } from '../core/validate.ts';
import { validateSuite, type Suite } from './suite.ts';
import { importSuiteModule } from './import-ts.ts';
import { typeScriptLocator } from './ts-locate.ts';
import { resolveUsedChecks } from './use-checks.ts';
import { loadInterventionModules } from '../interventions/index.ts';

/** A suite loaded from a file: the validated value and where relative paths resolve from. */
export interface LoadedSuite {
  suite: Suite;
  /** The suite file as given. */
  file: string;
  /** Directory of the suite file: datasets and the golden folder are relative to it. */
  root: string;
}

type Format = 'ts' | 'json' | 'yaml';

export function suiteFormat(file: string): Format | undefined {
  const ext = extname(file).toLowerCase();
  if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) return 'ts';
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  return undefined;
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Line numbers from the YAML parser's node ranges (JSON is YAML, so this serves both). */
function yamlLocator(doc: Document, counter: LineCounter): LineLocator {
  return (pointer) => {
    const parts = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
    // A missing or unknown field points at its nearest existing ancestor (or the key itself).
    for (let n = parts.length; n >= 0; n--) {
      const path = parts.slice(0, n).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path, true);
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Alias expansions allowed in a YAML suite: plenty for shared settings, too few for a "billion laughs" file. */
const MAX_ALIASES = 100;

function parseText(content: string, format: 'json' | 'yaml', file: string): { value: unknown; locate: LineLocator } {
  // A UTF-8 byte order mark (Windows editors) is not part of the suite; JSON.parse would reject it.
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = (error as Error).message;
      const position = /position (\d+)/.exec(message)?.[1];
      const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
      throw new InputError(`${file}${line === undefined ? '' : `:${line}`}`, `not valid JSON (${message.replace(/\s*\(line \d+ column \d+\)/, '')})`);
    }
    return { value, locate: doc.errors.length === 0 ? yamlLocator(doc, counter) : () => undefined };
  }
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    const message = (first.message.split('\n')[0] ?? first.code).replace(/ at line \d+, column \d+:?$/, '');
    throw new InputError(`${file}${line === undefined ? '' : `:${line}`}`, `not valid YAML (${message})`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    // The yaml library throws a ReferenceError when expanding the aliases would exceed the count.
    if (!/alias/i.test((error as Error).message)) throw error;
    throw new InputError(file, `not valid YAML (too many aliases: at most ${MAX_ALIASES} are expanded, to keep a hostile file from exhausting memory)`);
  }
  keepAnswersAsWritten(doc, value);
  return { value, locate: yamlLocator(doc, counter) };
}

/**
 * YAML reads `answer: 025` as the number 25 and `answer: 1.50` as 1.5; a reference answer must be
 * kept as written (AIME's leading zeros), so problem ids, answers and id filters written as plain
 * numbers take their source text.
 */
function keepAnswersAsWritten(doc: Document, value: unknown): void {
  const problems = doc.get('problems', true);
  const values = (value as { problems?: unknown } | null)?.problems;
  if (!isSeq(problems) || !Array.isArray(values)) return;
  problems.items.forEach((item, i) => {
    const target = values[i] as Record<string, unknown> | undefined;
    if (!isMap(item) || typeof target !== 'object' || target === null) return;
    for (const key of ['answer', 'id']) {
      const node = item.get(key, true);
      if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string') target[key] = node.source;
    }
    const ids = item.get('ids', true);
    const idValues = target['ids'];
    if (isSeq(ids) && Array.isArray(idValues)) {
      ids.items.forEach((node, j) => {
        if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string') idValues[j] = node.source;
      });
    }
  });
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number } | null;
}

/** `:<line>` of the suite file where a suite threw while loading (from the source-mapped stack), or ''. */
function thrownAtLine(error: unknown, path: string): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const match of stack.matchAll(/(?:file:\/\/)?([^\s()]+):(\d+):\d+/g)) {
    // A cache-busting query (`?t=…`) may follow the path in an import's URL.
    const at = (match[1] ?? '').replace(/\?[^:]*$/, '');
    // The suite runs as a bundle in a temporary folder: its source map names the suite by a path relative to that folder.
    if (at === path || decodeURIComponent(at) === path || basename(at) === basename(path)) return `:${match[2]}`;
  }
  return '';
}

/** Imports a TypeScript or JavaScript suite; a compile or load failure is one line naming the file. */
async function importTs(file: string, path: string): Promise<{ default?: unknown }> {
  if (!existsSync(path)) throw new InputError(file, 'no such file');
  try {
    return await importSuiteModule(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // esbuild reports syntax errors and unresolvable imports with their file and line.
    const first = (error as { errors?: EsbuildMessage[] }).errors?.[0];
    if (first) {
      const where = first.location ? `${resolve(first.location.file) === path ? file : first.location.file}:${first.location.line}` : file;
      throw new InputError(where, `could not be loaded: ${first.text}`);
    }
    throw new InputError(`${file}${thrownAtLine(error, path)}`, `could not be loaded: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Validates a TypeScript suite's value; only when it is invalid is its source parsed, to give each problem its line and column. */
async function validateTs(value: unknown, file: string, path: string): Promise<Suite> {
  try {
    return validateSuite(value, file);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const locate = await typeScriptLocator(path);
    throw locate ? new ValidationError(error.file, error.problems, locate) : error;
  }
}

/** Loads a `.suite.ts` (default export), `.json`, `.yaml` or `.yml` suite and validates it. */
export async function loadSuite(file: string): Promise<LoadedSuite> {
  const format = suiteFormat(file);
  if (!format) throw new InputError(file, 'expected a suite file ending in .suite.ts, .ts, .json, .yaml or .yml');
  const path = resolve(file);
  const root = dirname(path);
  if (format === 'ts') {
    const module = await importTs(file, path);
    if (module.default === undefined) throw new InputError(file, 'expected a default export: export default defineSuite({ ... })');
    return { suite: await validateTs(await loadInterventionModules(module.default, { file, root, importModule: importSuiteModule }), file, path), file, root };
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(file, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`);
  }
  const { value, locate } = parseText(text, format, file);
  const load = async (display: string, modulePath: string) => (await importTs(display, modulePath)) as Record<string, unknown>;
  const withChecks = await resolveUsedChecks(value, { file, root, locate, load });
  const withInterventions = await loadInterventionModules(withChecks, { file, root, locate, importModule: importSuiteModule });
  return { suite: validateSuite(withInterventions, file, locate), file, root };
}
