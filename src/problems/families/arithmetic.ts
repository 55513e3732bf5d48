import { frac, plain, type Fraction, type Op } from './fraction.ts';
import { evaluate, finishSteps, type RawStep } from './steps.ts';
import type { Operand, Solution } from './types.ts';
import type { Rng } from './rng.ts';

/** `arithmetic-chain`: "What is the value of 17 * 3 + 25 - 8?" */

const OPS_BY_DIFFICULTY = [2, 3, 5, 7, 9];
const MAX_BY_DIFFICULTY = [12, 20, 40, 70, 99];

const VERB: Record<Op, [string, string]> = {
  '+': ['add', 'to'],
  '-': ['subtract', 'from'],
  '*': ['multiply', 'by'],
  '/': ['divide', 'by'],
};

function operandWords(operand: Operand): string {
  return operand.kind === 'const' ? plain(operand.value) : 'the result so far';
}

export function describe(op: Op, left: Operand, right: Operand): string {
  const [verb, prep] = VERB[op];
  // "add 25 to the result so far", "subtract 8 from ...": the object comes first for + and -.
  if (op === '+' || op === '-') return `${verb} ${operandWords(right)} ${prep} ${operandWords(left)}`;
  return `${verb} ${operandWords(left)} ${prep} ${operandWords(right)}`;
}

const PRECEDENCE: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

export function generateArithmetic(rng: Rng, difficulty: number): string {
  const ops = OPS_BY_DIFFICULTY[difficulty - 1] ?? 3;
  const max = MAX_BY_DIFFICULTY[difficulty - 1] ?? 20;
  let value = rng.int(2, max);
  let text = String(value);
  let lastPrecedence = 3;
  for (let i = 0; i < ops; i++) {
    let op: Op = rng.pick(['+', '-', '*', '*', '/'] as const);
    let operand = rng.int(2, max);
    if (op === '/') {
      const divisors = [];
      for (let k = 2; k <= Math.min(12, Math.abs(value)); k++) if (value % k === 0) divisors.push(k);
      if (divisors.length === 0) op = '+';
      else operand = rng.pick(divisors);
    }
    if (op === '*' && Math.abs(value) > 500) op = '-';
    if (op === '*') operand = rng.int(2, Math.min(12, max));
    const needParens = PRECEDENCE[op] > lastPrecedence || (PRECEDENCE[op] === 2 && lastPrecedence === 1);
    text = `${needParens ? `(${text})` : text} ${op} ${operand}`;
    lastPrecedence = PRECEDENCE[op];
    value = op === '+' ? value + operand : op === '-' ? value - operand : op === '*' ? value * operand : value / operand;
  }
  return `What is the value of ${text}?`;
}

/** Parses an integer arithmetic expression into steps in evaluation order. */
export function parseArithmetic(expression: string): RawStep[] | undefined {
  const tokens = expression.match(/\d+|[-+*/()]/g);
  if (!tokens || tokens.join('') !== expression.replace(/\s+/g, '')) return undefined;
  const steps: RawStep[] = [];
  let i = 0;
  const push = (op: Op, left: Operand, right: Operand): Operand => {
    steps.push({ description: describe(op, left, right), op, left, right });
    return { kind: 'ref', step: steps.length - 1 };
  };
  const primary = (): Operand | undefined => {
    const t = tokens[i];
    if (t === '(') {
      i++;
      const inner = sum();
      if (tokens[i] !== ')') return undefined;
      i++;
      return inner;
    }
    if (t !== undefined && /^\d+$/.test(t)) {
      i++;
      return { kind: 'const', value: frac(Number(t)) };
    }
    return undefined;
  };
  const product = (): Operand | undefined => {
    let left = primary();
    while (left && (tokens[i] === '*' || tokens[i] === '/')) {
      const op = tokens[i++] as Op;
      const right = primary();
      if (!right) return undefined;
      left = push(op, left, right);
    }
    return left;
  };
  const sum = (): Operand | undefined => {
    let left = product();
    while (left && (tokens[i] === '+' || tokens[i] === '-')) {
      const op = tokens[i++] as Op;
      const right = product();
      if (!right) return undefined;
      left = push(op, left, right);
    }
    return left;
  };
  const result = sum();
  if (!result || i !== tokens.length || steps.length === 0) return undefined;
  const values = evaluate(steps);
  if (values.some((v) => v === undefined)) return undefined;
  return steps;
}

const LEAD = /(?:What is the value of|Compute|Calculate|Evaluate) /;
const EXPRESSION_CHARS = /^[-+*/()\d ]+$/;

/** The expression after the lead phrase, to the end of its line; found without backtracking regexes. */
export function expressionOf(question: string): string | undefined {
  const lead = LEAD.exec(question);
  if (!lead) return undefined;
  const start = lead.index + lead[0].length;
  const lineEnd = question.indexOf('\n', start);
  let expression = question.slice(start, lineEnd < 0 ? undefined : lineEnd).trim();
  if (expression.endsWith('?') || expression.endsWith('.')) expression = expression.slice(0, -1).trimEnd();
  return expression !== '' && EXPRESSION_CHARS.test(expression) ? expression : undefined;
}

export function solveArithmetic(question: string): Solution | undefined {
  const expression = expressionOf(question);
  if (!expression) return undefined;
  const steps = parseArithmetic(expression);
  if (!steps) return undefined;
  return { family: 'arithmetic-chain', ...finishSteps(steps) };
}

export type { Fraction };
