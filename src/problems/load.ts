import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';
import type { Problem } from './problem.ts';
import type { ProblemSource } from './schema.ts';
import { choiceLetter } from './choices.ts';
import { readDataset } from './datasets.ts';
import { selectProblems } from './select.ts';
import { families, generateProblem, isFamily } from './families/index.ts';

export interface LoadOptions {
  /** Directory that relative dataset paths resolve from (the suite file's directory). */
  root: string;
  /** Generates a family problem; default: the built-in families (src/problems/families). Tests may inject their own. */
  generate?: (family: string, seed: number, difficulty: number) => Problem;
}

/** Loads one problem source of a suite: a dataset (with its filters), a generated family, or an inline problem. */
export async function loadProblems(source: ProblemSource, options: LoadOptions): Promise<Problem[]> {
  if ('dataset' in source) {
    const path = isAbsolute(source.dataset) ? source.dataset : resolve(options.root, source.dataset);
    const problems = await readDataset(path, {
      display: source.dataset,
      ...(source.format ? { format: source.format } : {}),
      ...(source.fields ? { fields: source.fields } : {}),
      ...(source.name ? { name: source.name } : {}),
    });
    return selectProblems(problems, source, source.dataset);
  }
  if ('family' in source) {
    const generate =
      options.generate ??
      ((family: string, seed: number, difficulty: number): Problem => {
        if (!isFamily(family)) throw new InputError(`family '${family}'`, `expected one of ${families.join(', ')}`);
        return generateProblem(family, seed, difficulty);
      });
    const problems: Problem[] = [];
    for (let i = 0; i < source.count; i++) problems.push(generate(source.family, source.seed + i, source.difficulty));
    return problems;
  }
  const problem: Problem = { id: String(source.id), question: source.question, answer: String(source.answer), source: 'inline' };
  if (source.difficulty !== undefined) problem.difficulty = source.difficulty;
  if (source.choices) {
    // A multiple-choice answer is graded as a letter: one that names no choice could never be right.
    if (choiceLetter(problem.answer, source.choices) === undefined) {
      const last = String.fromCharCode(64 + Math.min(source.choices.length, 5));
      throw new InputError(
        `problem '${problem.id}': answer`,
        `expected a choice letter (A-${last}) or the text of one of its ${source.choices.length} choices, got ${JSON.stringify(problem.answer)}`,
      );
    }
    problem.choices = source.choices;
  }
  if (source.meta) problem.meta = source.meta;
  return [problem];
}

/** All of a suite's problems in order; ids must be unique across sources. */
export async function loadAllProblems(sources: readonly ProblemSource[], options: LoadOptions): Promise<Problem[]> {
  const all: Problem[] = [];
  const sourceOf = new Map<string, number>();
  for (const [index, source] of sources.entries()) {
    for (const problem of await loadProblems(source, options)) {
      const first = sourceOf.get(problem.id);
      if (first !== undefined) {
        throw new InputError(
          `problems/${index}`,
          `problem id '${problem.id}' is also in problems/${first}; ids must be unique in a suite (give the dataset a name to prefix its row ids)`,
        );
      }
      sourceOf.set(problem.id, index);
      all.push(problem);
    }
  }
  return all;
}
