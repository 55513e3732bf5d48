import type { Fraction, Op } from './fraction.ts';

/** An operand of a solution step: a constant from the question, or the value of an earlier step. */
export type Operand = { kind: 'const'; value: Fraction } | { kind: 'ref'; step: number };

export interface SolutionStep {
  /** What the step does, in words, e.g. "subtract 7 from both sides". */
  description: string;
  /** The computation with the correct values, e.g. "25 - 7". */
  expression: string;
  /** Its correct value as plain text, e.g. "18" or "19/3". */
  value: string;
  /** Structured form, so a slip in one step can be carried through the rest. */
  op: Op;
  left: Operand;
  right: Operand;
  exact: Fraction;
}

/** A worked solution: steps in order; the last step's value is the answer. */
export interface Solution {
  family: FamilyName;
  steps: SolutionStep[];
  /** Final answer in the form a grader compares (LaTeX for fractions). */
  answer: string;
}

export type FamilyName = 'arithmetic-chain' | 'linear-equation' | 'word-problem';
