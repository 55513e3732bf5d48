import type { Problem } from '../problem.ts';
import { generateArithmetic, solveArithmetic } from './arithmetic.ts';
import { generateLinear, solveLinear } from './linear.ts';
import { generateWord, solveWord } from './word.ts';
import { hashInts, hashString } from './hash.ts';
import { Rng } from './rng.ts';
import type { FamilyName, Solution } from './types.ts';

export type { FamilyName, Solution, SolutionStep, Operand } from './types.ts';
export type { Fraction } from './fraction.ts';

/** Generated problem families, shared by the simulator (which solves them) and suites (which bundle them). */
export const families: readonly FamilyName[] = ['arithmetic-chain', 'linear-equation', 'word-problem'];

const GENERATORS: Record<FamilyName, (rng: Rng, difficulty: number) => string> = {
  'arithmetic-chain': generateArithmetic,
  'linear-equation': generateLinear,
  'word-problem': generateWord,
};

export function isFamily(name: string): name is FamilyName {
  return (families as readonly string[]).includes(name);
}

/**
 * A reproducible problem: same family, seed and difficulty (1..5) give the same question, and its
 * answer is exact (computed by solving the question text, so question and answer cannot disagree).
 */
export function generateProblem(family: FamilyName, seed: number, difficulty: number): Problem {
  if (!isFamily(family)) throw new RangeError(`unknown problem family "${String(family)}"`);
  const level = Math.min(5, Math.max(1, Math.round(difficulty)));
  for (let attempt = 0; attempt < 50; attempt++) {
    const rng = new Rng(hashInts(hashString(family), seed, level, attempt));
    const question = GENERATORS[family](rng, level);
    const solution = solveProblem(question);
    if (solution && solution.family === family) {
      return { id: `${family}/${seed}/${level}`, question, answer: solution.answer, source: family, difficulty: level };
    }
  }
  throw new Error(`could not generate a ${family} problem for seed ${seed}`);
}

const MAX_QUESTION = 4000;

/**
 * Parses a question produced by any family (also inside a longer prompt) and returns its worked
 * solution, or undefined when the text is not such a question.
 */
export function solveProblem(question: string): Solution | undefined {
  // Generated questions are short; the parsers' regexes are only ever run on short text.
  if (question.length > MAX_QUESTION) return undefined;
  return solveLinear(question) ?? solveWord(question) ?? solveArithmetic(question);
}
