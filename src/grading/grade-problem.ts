/** Grading one model output against a reference answer: extraction first, then equivalence. */
import type { Problem } from '../problems/problem.ts';
import { choiceLetter, extractAnswer, type ExtractionMethod } from './extract.ts';
import { isEquivalent, type Grader, type GradeMethod } from './grader.ts';
import { MAX_ANSWER_LENGTH } from './normalize.ts';

export interface GradeProblemOptions {
  /** The thinking delimiter (e.g. `</think>`); output without it has no answer. */
  thinkClose?: string | undefined;
  /** Grader to use (its workers and time bound); default: the shared one behind `isEquivalent`. */
  grader?: Grader | undefined;
}

export interface ProblemGrade {
  /** The answer found in the output, if any (a letter for multiple choice). */
  extracted?: string;
  correct: boolean;
  /** How the answer was found: boxed, fbox, phrase or choice. */
  method?: ExtractionMethod;
}

export interface GradeResponseOptions extends GradeProblemOptions {
  /** Multiple-choice options: the answer is reduced to a letter and compared with the gold's. */
  choices?: readonly string[] | undefined;
  /**
   * When no box or answer phrase is found, the whole answer section is the answer (for
   * `thinkprobe grade`, where PRED may be a bare answer or a whole response).
   */
  wholeAnswer?: boolean | undefined;
}

export interface ResponseGrade {
  extracted?: string;
  correct: boolean;
  /** How the answer was found; `whole` when the answer section itself was taken. */
  method?: ExtractionMethod | 'whole';
  /** How equivalence was decided (exact, symbolic, timeout, worker-error); absent for letters. */
  grading?: GradeMethod;
}

/** The answer section: after the thinking closed (undefined when it never did), else everything. */
function answerSection(output: string, thinkClose: string | undefined): string | undefined {
  if (thinkClose === undefined || thinkClose === '') return output;
  const at = output.indexOf(thinkClose);
  return at < 0 ? undefined : output.slice(at + thinkClose.length);
}

/** The one grading path of `thinkprobe run` and `thinkprobe grade`. */
export async function gradeResponse(gold: string, output: string, options: GradeResponseOptions = {}): Promise<ResponseGrade> {
  const choices = options.choices && options.choices.length > 0 ? [...options.choices] : undefined;
  let found: { text: string; method: ExtractionMethod | 'whole' } | undefined = extractAnswer(output, { thinkClose: options.thinkClose, choices });
  if (!found && options.wholeAnswer && !choices) {
    const section = answerSection(output, options.thinkClose)?.trim();
    if (section && section.length <= MAX_ANSWER_LENGTH) found = { text: section, method: 'whole' };
  }
  if (!found) return { correct: false };
  if (choices) return { extracted: found.text, correct: found.text === choiceLetter(gold, choices), method: found.method };
  const result = options.grader
    ? await options.grader.gradeDetailed(gold, found.text)
    : { equivalent: await isEquivalent(gold, found.text), method: undefined };
  return { extracted: found.text, correct: result.equivalent, method: found.method, ...(result.method ? { grading: result.method } : {}) };
}

export async function gradeProblem(problem: Problem, output: string, options: GradeProblemOptions = {}): Promise<ProblemGrade> {
  const grade = await gradeResponse(problem.answer, output, { ...options, choices: problem.choices });
  if (grade.extracted === undefined) return { correct: false };
  return { extracted: grade.extracted, correct: grade.correct, method: grade.method as ExtractionMethod };
}
