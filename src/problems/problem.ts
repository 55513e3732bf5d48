/** A problem as every stage sees it: the question put to the model and its reference answer. */
export interface Problem {
  /** Stable id, unique within a suite (dataset id, or `family/seed/difficulty` for generated ones). */
  id: string;
  /** The question text exactly as it goes into the prompt. */
  question: string;
  /** Reference final answer as a string (LaTeX allowed), e.g. `42`, `\frac{2}{3}`, `025`. */
  answer: string;
  /** Where the problem came from: a generated family name or a dataset name. */
  source?: string;
  /** 1 (easy) .. 5 (hard); datasets map their own levels onto this scale. */
  difficulty?: number;
  /** Multiple-choice options, when the problem is multiple choice (letters A, B, ...). */
  choices?: string[];
  /** Anything else the dataset carried (subject, url, ...), kept for reports. */
  meta?: Record<string, string | number | boolean>;
}
