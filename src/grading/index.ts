/**
 * Grading: the final answer of a model's output, and whether it equals the reference.
 *
 * - `extractAnswer(text, { thinkClose, choices })`: last balanced `\boxed{}`/`\fbox{}` after the
 *   thinking closed, else an answer phrase; multiple choice reduced to a letter.
 * - `equivalentSync(gold, pred)`: exact fast path; `undefined` means "needs the symbolic engine".
 * - `isEquivalent(gold, pred)`: fast path, then the symbolic engine in a worker, time-bounded.
 * - `createGrader({ timeoutMs, workers })`: your own worker pool; `grade`, `gradeDetailed`, `close`.
 * - `gradeProblem(problem, output, { thinkClose, grader })`: the runner's grading of one output.
 * - `gradeResponse(gold, output, { thinkClose, choices, grader, wholeAnswer })`: the same path for
 *   `thinkprobe grade` (extraction, then equivalence; with `wholeAnswer` a bare answer is its own answer).
 */
export { extractAnswer, choiceLetter, type ExtractedAnswer, type ExtractOptions, type ExtractionMethod } from './extract.ts';
export { equivalentSync, type EquivalenceVerdict } from './equivalence.ts';
export {
  createGrader,
  isEquivalent,
  sharedGrader,
  DEFAULT_TIMEOUT_MS,
  type Grader,
  type GraderOptions,
  type GradeResult,
  type GradeMethod,
} from './grader.ts';
export {
  gradeProblem,
  gradeResponse,
  type GradeProblemOptions,
  type ProblemGrade,
  type GradeResponseOptions,
  type ResponseGrade,
} from './grade-problem.ts';
export { normalizeAnswer, MAX_ANSWER_LENGTH, type NormalizedAnswer } from './normalize.ts';
