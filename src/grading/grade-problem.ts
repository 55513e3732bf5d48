/** Grading one model output against a problem's reference answer. */
import type { Problem } from '../problems/problem.ts';
import { choiceLetter, extractAnswer, type ExtractionMethod } from './extract.ts';
import { isEquivalent, type Grader } from './grader.ts';

export interface GradeProblemOptions {
  /** The thinking delimiter (e.g. `</think>`); output without it has no answer. */
  thinkClose?: string;
  /** Grader to use (its workers and time bound); default: the shared one behind `isEquivalent`. */
  grader?: Grader;
}

export interface ProblemGrade {
  /** The answer found in the output, if any (a letter for multiple choice). */
  extracted?: string;
  correct: boolean;
  /** How the answer was found: boxed, fbox, phrase or choice. */
  method?: ExtractionMethod;
}

/** The gold letter of a multiple-choice problem: the answer is a letter or one of the choices. */
function goldLetter(problem: Problem): string | undefined {
  return choiceLetter(problem.answer, problem.choices ?? []);
}

export async function gradeProblem(problem: Problem, output: string, options: GradeProblemOptions = {}): Promise<ProblemGrade> {
  const choices = problem.choices && problem.choices.length > 0 ? problem.choices : undefined;
  const extracted = extractAnswer(output, { thinkClose: options.thinkClose, choices });
  if (!extracted) return { correct: false };
  let correct: boolean;
  if (choices) {
    correct = extracted.text === goldLetter(problem);
  } else {
    correct = options.grader
      ? await options.grader.grade(problem.answer, extracted.text)
      : await isEquivalent(problem.answer, extracted.text);
  }
  return { extracted: extracted.text, correct, method: extracted.method };
}
