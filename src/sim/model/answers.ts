import { readFileSync } from 'node:fs';
import { InputError } from '../../core/errors.ts';

/** A problem the simulator knows the answer of (from `--answers`), in any of the shared datasets' formats. */
export interface AnswerKeyEntry {
  question: string;
  answer: string;
  /** 1..5 when known (MATH level; GSM8K counts as 2, AIME as 5). */
  difficulty?: number;
  /** The dataset the item comes from, when known: cards may give GSM8K and AIME items levels of their own. */
  dataset?: 'gsm8k' | 'math' | 'aime';
  /** Where the problem came from (a suite's dataset name, e.g. "aime24"): tells the dataset when `dataset` is not set. */
  source?: string;
}

/** The dataset an entry comes from: its own `dataset`, else read from its source name. */
export function datasetOf(entry: AnswerKeyEntry): AnswerKeyEntry['dataset'] {
  if (entry.dataset) return entry.dataset;
  const source = entry.source?.toLowerCase() ?? '';
  if (source.includes('gsm8k')) return 'gsm8k';
  if (source.includes('aime')) return 'aime';
  if (source.includes('math')) return 'math';
  return undefined;
}

/** Question text as the simulator compares it: case and whitespace do not matter. */
export function normalizeQuestion(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

function entryFrom(value: unknown, where: string): AnswerKeyEntry {
  const expected = 'expected a JSON object with "question" or "problem" (string) and "answer" (string or number)';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(where, expected);
  const row = value as Record<string, unknown>;
  const question = typeof row.question === 'string' ? row.question : typeof row.problem === 'string' ? row.problem : undefined;
  const rawAnswer = row.answer;
  if (question === undefined || question.trim() === '') throw new InputError(where, expected);
  if (typeof rawAnswer !== 'string' && typeof rawAnswer !== 'number') throw new InputError(where, expected);
  let answer = String(rawAnswer);
  let difficulty: number | undefined;
  let dataset: AnswerKeyEntry['dataset'];
  const hashes = answer.lastIndexOf('####');
  if (typeof rawAnswer === 'string' && hashes >= 0) {
    // GSM8K: a worked solution whose last line is "#### final".
    answer = answer.slice(hashes + 4).trim().replace(/,/g, '');
    difficulty = 2;
    dataset = 'gsm8k';
  } else if (typeof row.level === 'number' && row.level >= 1 && row.level <= 5) {
    difficulty = Math.round(row.level);
    dataset = 'math';
  } else if (typeof row.level === 'string' && /^Level [1-5]$/.test(row.level)) {
    difficulty = Number(row.level.slice(6));
    dataset = 'math';
  } else if (/^\d{1,3}$/.test(answer.trim()) && typeof row.problem === 'string' && row.subject === undefined) {
    difficulty = 5; // AIME-style: integer answers 0..999, no level.
    dataset = 'aime';
  }
  answer = answer.trim();
  if (answer === '') throw new InputError(where, 'expected a non-empty "answer"');
  const entry: AnswerKeyEntry = difficulty === undefined ? { question, answer } : { question, answer, difficulty };
  if (dataset) entry.dataset = dataset;
  return entry;
}

/** Reads a JSONL answer key (GSM8K, MATH-500 or AIME format). A bad line is an InputError `file:line: expected ...`. */
export function loadAnswerKey(file: string): AnswerKeyEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, `expected a readable JSONL file (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`);
  }
  const entries: AnswerKeyEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(where, 'expected one JSON object per line');
    }
    entries.push(entryFrom(value, where));
  });
  if (entries.length === 0) throw new InputError(file, 'expected at least one JSON line with a question and an answer');
  return entries;
}

/** Looks questions up by normalized text: exact first, else the longest known question contained in the text. */
export class AnswerIndex {
  private readonly exact = new Map<string, AnswerKeyEntry>();
  private readonly all: { normalized: string; entry: AnswerKeyEntry }[] = [];
  constructor(entries: readonly AnswerKeyEntry[]) {
    for (const entry of entries) {
      const normalized = normalizeQuestion(entry.question);
      if (!this.exact.has(normalized)) this.exact.set(normalized, entry);
      this.all.push({ normalized, entry });
    }
  }
  get size(): number {
    return this.all.length;
  }
  find(text: string): AnswerKeyEntry | undefined {
    const normalized = normalizeQuestion(text);
    const hit = this.exact.get(normalized);
    if (hit) return hit;
    let best: { normalized: string; entry: AnswerKeyEntry } | undefined;
    for (const candidate of this.all) {
      if (candidate.normalized.length >= 12 && normalized.includes(candidate.normalized)) {
        if (!best || candidate.normalized.length > best.normalized.length) best = candidate;
      }
    }
    return best?.entry;
  }
}
