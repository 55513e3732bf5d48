import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../core/errors.ts';
import type { Problem } from './problem.ts';
import type { DatasetFormat } from './schema.ts';

/**
 * Dataset files -> Problems. Formats:
 * - `gsm8k`: JSONL `{ question, answer }`, the gold answer is what follows the last `####` of
 *   the worked solution, kept as written (`1,000` stays `1,000`: grading handles separators);
 * - `math` (MATH-500): `{ problem, answer, level, subject, unique_id }`; level -> difficulty,
 *   unique_id -> id, subject -> meta;
 * - `aime`: `{ id?, problem | question, answer }`; answers are kept as strings (`025` stays `025`);
 * - `jsonl` / `json` / `csv`: generic rows, fields mapped by `fields` or found by their usual names
 *   (question | problem, answer | gold, id | unique_id, difficulty | level).
 * Rows without an id get `<name>/<row>` (1-based row number), stable as long as the file is.
 */

export interface FieldMap {
  question?: string;
  answer?: string;
  id?: string;
  difficulty?: string;
}

export interface DatasetOptions {
  /** Path as shown in messages (the suite's spelling); `path` is what is read. */
  display?: string;
  format?: DatasetFormat;
  fields?: FieldMap;
  /** Name used as `source` and in generated ids (default: the file's base name without extension). */
  name?: string;
}

interface RawRow {
  /** 1-based line in the file where the row is (JSONL/CSV) or starts (JSON: best effort). */
  line: number;
  /** 1-based row number among the data rows. */
  row: number;
  value: unknown;
}

/** The format a file is read as when the source does not say: named datasets by file name, else by extension. */
export function guessFormat(file: string): DatasetFormat | undefined {
  const name = basename(file).toLowerCase();
  const ext = extname(name);
  if (ext === '.jsonl' || ext === '.ndjson') {
    if (name.startsWith('gsm8k')) return 'gsm8k';
    if (name.startsWith('math')) return 'math';
    if (name.startsWith('aime')) return 'aime';
    return 'jsonl';
  }
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  return undefined;
}

function jsonlRows(text: string, where: string): RawRow[] {
  const rows: RawRow[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    try {
      rows.push({ line: index + 1, row: rows.length + 1, value: JSON.parse(line) as unknown });
    } catch (error) {
      throw new InputError(`${where}:${index + 1}`, `not valid JSON (${(error as Error).message})`);
    }
  });
  return rows;
}

function jsonRows(text: string, where: string): RawRow[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(where, `not valid JSON (${(error as Error).message})`);
  }
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? (['problems', 'data', 'rows', 'examples'].map((k) => (value as Record<string, unknown>)[k]).find(Array.isArray) as unknown[] | undefined)
      : undefined;
  if (!list) throw new InputError(where, 'expected a JSON array of rows (or an object with a "problems" or "data" array)');
  // Line of each row: the line where each top-level element starts, found by a light scan.
  const starts = elementLines(text, list.length);
  return list.map((row, i) => ({ line: starts[i] ?? 1, row: i + 1, value: row }));
}

/** Lines where the elements of the first array in a JSON text start (depth-aware, string-aware). */
function elementLines(text: string, count: number): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let arrayDepth = -1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length && lines.length < count; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (expectElement && !/\s/.test(ch) && ch !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') {
      depth++;
      if (ch === '[' && arrayDepth === -1 && depth <= 2) {
        arrayDepth = depth;
        expectElement = true;
      }
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === arrayDepth) expectElement = true;
  }
  return lines;
}

function csvRows(text: string, where: string): RawRow[] {
  try {
    const records = parseCsv(text, { columns: true, info: true, raw: true, skip_empty_lines: true, bom: true, trim: false }) as {
      record: Record<string, string>;
      info: { lines: number };
      raw: string;
    }[];
    // info.lines is where a record ends; a quoted field may span lines, so count back to its start.
    const startLine = (r: { info: { lines: number }; raw: string }): number =>
      r.info.lines - (r.raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);
    return records.map((r, i) => ({ line: startLine(r), row: i + 1, value: r.record }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new InputError(`${where}${line === undefined ? '' : `:${line}`}`, `not valid CSV (${(error as Error).message.split(':')[0]})`);
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string' && value.trim() === '') return value === '' ? 'an empty string' : 'only whitespace';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 30 ? `${text.slice(0, 27)}...` : text}`;
}

/** The first of `names` present in the row. */
function pick(row: Record<string, unknown>, names: string[]): { name: string; value: unknown } {
  for (const name of names) if (row[name] !== undefined && row[name] !== null) return { name, value: row[name] };
  return { name: names[0]!, value: undefined };
}

function text(row: Record<string, unknown>, names: string[], at: string, what: string): string {
  const { name, value } = pick(row, names);
  const label = names.length > 1 ? `'${names[0]}' (or ${names.slice(1).map((n) => `'${n}'`).join(', ')})` : `'${name}'`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new InputError(at, `field ${value === undefined ? label : `'${name}'`}: expected ${what}, got ${describeValue(value)}`);
}

function gsm8kAnswer(solution: string, at: string): string {
  const index = solution.lastIndexOf('####');
  if (index < 0) throw new InputError(at, "field 'answer': expected a GSM8K solution ending in '#### <answer>'");
  const answer = solution.slice(index + 4).trim();
  if (answer === '') throw new InputError(at, "field 'answer': expected an answer after '####'");
  return answer;
}

function difficultyOf(row: Record<string, unknown>, names: string[], at: string, explicit: boolean): number | undefined {
  const { name, value } = pick(row, names);
  if (value === undefined || value === '') {
    if (explicit) throw new InputError(at, `field '${name}': expected a difficulty level 1..5, got nothing`);
    return undefined;
  }
  // MATH writes levels as numbers (MATH-500) or as "Level 3" (the original release).
  const level = typeof value === 'number' ? value : Number(String(value).replace(/^\s*level\s*/i, ''));
  if (Number.isInteger(level) && level >= 1 && level <= 5) return level;
  throw new InputError(at, `field '${name}': expected a difficulty level 1..5, got ${describeValue(value)}`);
}

function toProblem(raw: RawRow, format: DatasetFormat, fields: FieldMap, name: string, where: string): Problem {
  const at = `${where}:${raw.line}`;
  if (typeof raw.value !== 'object' || raw.value === null || Array.isArray(raw.value)) {
    throw new InputError(at, `expected an object with the problem's fields, got ${describeValue(raw.value)}`);
  }
  const row = raw.value as Record<string, unknown>;
  const questionNames = fields.question ? [fields.question] : format === 'gsm8k' ? ['question'] : ['question', 'problem', 'prompt'];
  const answerNames = fields.answer ? [fields.answer] : format === 'gsm8k' ? ['answer'] : ['answer', 'gold'];
  const idNames = fields.id ? [fields.id] : ['id', 'unique_id'];
  const question = text(row, questionNames, at, 'a non-empty string');
  let answer = text(row, answerNames, at, 'a string or number');
  if (format === 'gsm8k' && !fields.answer) answer = gsm8kAnswer(answer, at);
  const idValue = pick(row, idNames);
  const id = idValue.value === undefined ? `${name}/${raw.row}` : text(row, idNames, at, 'a string or number');
  const problem: Problem = { id, question, answer, source: name };
  const difficulty = difficultyOf(row, fields.difficulty ? [fields.difficulty] : ['level', 'difficulty'], at, fields.difficulty !== undefined);
  if (difficulty !== undefined) problem.difficulty = difficulty;
  const meta: Record<string, string | number | boolean> = {};
  for (const key of ['subject', 'url', 'type', 'category']) {
    const value = row[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') meta[key] = value;
  }
  if (Object.keys(meta).length > 0) problem.meta = meta;
  return problem;
}

/** Parses a dataset's text into problems (pure: no file access). Ids must be unique. */
export function parseDataset(content: string, where: string, options: DatasetOptions & { format: DatasetFormat; name: string }): Problem[] {
  const { format, name } = options;
  // Windows tools often start UTF-8 files with a byte order mark, which JSON.parse rejects (csv-parse strips its own).
  const text = content.startsWith('\uFEFF') && format !== 'csv' ? content.slice(1) : content;
  const rows = format === 'json' ? jsonRows(text, where) : format === 'csv' ? csvRows(text, where) : jsonlRows(text, where);
  const problems: Problem[] = [];
  const lineOfId = new Map<string, number>();
  for (const raw of rows) {
    const problem = toProblem(raw, format, options.fields ?? {}, name, where);
    const previous = lineOfId.get(problem.id);
    if (previous !== undefined) {
      throw new InputError(`${where}:${raw.line}`, `field 'id': '${problem.id}' is also used on line ${previous}; ids must be unique`);
    }
    lineOfId.set(problem.id, raw.line);
    problems.push(problem);
  }
  return problems;
}

/** Reads and parses a dataset file. */
export async function readDataset(path: string, options: DatasetOptions = {}): Promise<Problem[]> {
  const where = options.display ?? path;
  const format = options.format ?? guessFormat(path);
  if (!format) throw new InputError(where, "cannot tell the dataset's format from its extension; set format: jsonl, json, csv, gsm8k, math or aime");
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(where, code === 'ENOENT' ? 'dataset file not found' : `cannot be read (${code ?? (error as Error).message})`);
  }
  const name = options.name ?? basename(path).replace(/\.[^.]*$/, '');
  return parseDataset(content, where, { ...options, format, name });
}
