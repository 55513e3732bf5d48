import { frac, plain, type Fraction } from './fraction.ts';
import { evaluate, finishSteps, type RawStep } from './steps.ts';
import type { Operand, Solution } from './types.ts';
import type { Rng } from './rng.ts';

/** `linear-equation`: "Solve for x: 3x + 7 = 25." */

function signed(k: number, first: boolean): string {
  if (first) return k < 0 ? `-${-k}` : String(k);
  return k < 0 ? ` - ${-k}` : ` + ${k}`;
}

function xTerm(k: number, first: boolean): string {
  const abs = Math.abs(k);
  const body = abs === 1 ? 'x' : `${abs}x`;
  if (first) return k < 0 ? `-${body}` : body;
  return k < 0 ? ` - ${body}` : ` + ${body}`;
}

export function generateLinear(rng: Rng, difficulty: number): string {
  const x = rng.int(-9, 15) || 4;
  const small = () => rng.int(2, 4 + difficulty * 2);
  let lhs: string;
  let rhs: string;
  switch (difficulty) {
    case 1: {
      const b = small() * (rng.next() < 0.3 ? -1 : 1);
      lhs = `x${signed(b, false)}`;
      rhs = String(x + b);
      break;
    }
    case 2: {
      const a = small();
      const b = small() * (rng.next() < 0.3 ? -1 : 1);
      lhs = `${xTerm(a, true)}${signed(b, false)}`;
      rhs = String(a * x + b);
      break;
    }
    case 3: {
      const c = small();
      const a = c + small();
      const b = small();
      const e = a * x + b - c * x;
      lhs = `${xTerm(a, true)}${signed(b, false)}`;
      rhs = `${xTerm(c, true)}${signed(e, false)}`;
      break;
    }
    case 4: {
      const a = small();
      const b = small() * (rng.next() < 0.3 ? -1 : 1);
      lhs = `${a}(x${signed(b, false)})`;
      rhs = String(a * (x + b));
      break;
    }
    default: {
      const a = small() + 2;
      const b = small();
      const e = small();
      const c = rng.int(1, a - 1);
      const f = a * (x + b) + e - c * x;
      lhs = `${a}(x${signed(b, false)})${signed(e, false)}`;
      rhs = `${xTerm(c, true)}${signed(f, false)}`;
    }
  }
  return `Solve for x: ${lhs} = ${rhs}.`;
}

interface Side {
  /** x coefficient (plain number, from the question). */
  coef: number;
  /** Constant part as an operand (a const, or a ref to the step that combined it). */
  constant?: Operand;
}

const TERM = /^([+-])?\s*(?:(\d+)\s*\(\s*x\s*([+-])\s*(\d+)\s*\)|(\d*)\s*x|(\d+))/;

function parseSide(text: string, steps: RawStep[]): Side | undefined {
  let rest = text.trim();
  let coef = 0;
  const constants: Operand[] = [];
  let first = true;
  while (rest.length > 0) {
    const m = TERM.exec(rest);
    if (!m || (!first && !m[1])) return undefined;
    const sign = m[1] === '-' ? -1 : 1;
    if (m[2] !== undefined) {
      const k = sign * Number(m[2]);
      const inner = (m[3] === '-' ? -1 : 1) * Number(m[4]);
      coef += k;
      steps.push({
        description: `expand ${plain(frac(k))}(x ${m[3]} ${m[4]}) to get the constant term`,
        op: '*',
        left: { kind: 'const', value: frac(k) },
        right: { kind: 'const', value: frac(inner) },
      });
      constants.push({ kind: 'ref', step: steps.length - 1 });
    } else if (m[5] !== undefined) {
      coef += sign * (m[5] === '' ? 1 : Number(m[5]));
    } else {
      constants.push({ kind: 'const', value: frac(sign * Number(m[6])) });
    }
    rest = rest.slice(m[0].length).trim();
    first = false;
  }
  let constant = constants[0];
  for (const next of constants.slice(1)) {
    if (!constant) break;
    steps.push({ description: 'combine the constant terms', op: '+', left: constant, right: next });
    constant = { kind: 'ref', step: steps.length - 1 };
  }
  return constant ? { coef, constant } : { coef };
}

function negativeConst(operand: Operand): Fraction | undefined {
  return operand.kind === 'const' && operand.value.n < 0 ? frac(-operand.value.n, operand.value.d) : undefined;
}

const EQUATION_CHARS = /^[-+()\dx =]+$/;

/** "Solve for x: <left> = <right>." on one line; found without backtracking regexes. */
function equationSides(question: string): [string, string] | undefined {
  const at = question.indexOf('Solve for x:');
  if (at < 0) return undefined;
  const lineEnd = question.indexOf('\n', at);
  let equation = question.slice(at + 'Solve for x:'.length, lineEnd < 0 ? undefined : lineEnd).trim();
  if (equation.endsWith('.')) equation = equation.slice(0, -1).trimEnd();
  if (!EQUATION_CHARS.test(equation)) return undefined;
  const sides = equation.split('=');
  if (sides.length !== 2 || !sides[0]?.trim() || !sides[1]?.trim()) return undefined;
  return [sides[0], sides[1]];
}

export function solveLinear(question: string): Solution | undefined {
  const sides = equationSides(question);
  if (!sides) return undefined;
  const steps: RawStep[] = [];
  const left = parseSide(sides[0], steps);
  const right = parseSide(sides[1], steps);
  if (!left || !right) return undefined;
  // Constants to the right: right - left.
  let constant: Operand = right.constant ?? { kind: 'const', value: frac(0) };
  if (left.constant) {
    const negative = negativeConst(left.constant);
    if (negative) {
      steps.push({ description: `add ${plain(negative)} to both sides`, op: '+', left: constant, right: { kind: 'const', value: negative } });
    } else {
      const what = left.constant.kind === 'const' ? plain(left.constant.value) : 'the constant term';
      steps.push({ description: `subtract ${what} from both sides`, op: '-', left: constant, right: left.constant });
    }
    constant = { kind: 'ref', step: steps.length - 1 };
  }
  // x terms to the left.
  let coef: Operand = { kind: 'const', value: frac(left.coef) };
  if (right.coef !== 0) {
    steps.push({
      description: `subtract ${plain(frac(right.coef))}x from both sides to collect the x terms`,
      op: '-',
      left: { kind: 'const', value: frac(left.coef) },
      right: { kind: 'const', value: frac(right.coef) },
    });
    coef = { kind: 'ref', step: steps.length - 1 };
  }
  const coefValue = left.coef - right.coef;
  if (coefValue === 0) return undefined;
  if (coefValue !== 1 || steps.length === 0) {
    steps.push({ description: 'divide both sides by the coefficient of x', op: '/', left: constant, right: coef });
  }
  if (evaluate(steps).some((v) => v === undefined)) return undefined;
  return { family: 'linear-equation', ...finishSteps(steps) };
}
