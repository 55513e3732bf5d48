import { apply, latex, plain, type Fraction, type Op } from './fraction.ts';
import type { Operand, SolutionStep } from './types.ts';

export interface RawStep {
  description: string;
  op: Op;
  left: Operand;
  right: Operand;
}

const SYMBOL: Record<Op, string> = { '+': '+', '-': '-', '*': '*', '/': '/' };

/** Value of an operand given the step values so far. */
export function operandValue(operand: Operand, values: readonly (Fraction | undefined)[]): Fraction | undefined {
  return operand.kind === 'const' ? operand.value : values[operand.step];
}

function operandText(value: Fraction): string {
  const text = plain(value);
  return value.n < 0 || value.d !== 1 ? `(${text})` : text;
}

/** The expression of a step written with the given (possibly slipped) earlier values. */
export function expressionWith(step: RawStep, values: readonly (Fraction | undefined)[]): string {
  const a = operandValue(step.left, values);
  const b = operandValue(step.right, values);
  return `${a ? operandText(a) : '?'} ${SYMBOL[step.op]} ${b ? operandText(b) : '?'}`;
}

/** Evaluates the steps in order, with `overrides` replacing the value of chosen steps. */
export function evaluate(steps: readonly RawStep[], overrides: ReadonlyMap<number, Fraction> = new Map()): (Fraction | undefined)[] {
  const values: (Fraction | undefined)[] = [];
  steps.forEach((step, i) => {
    const forced = overrides.get(i);
    if (forced) {
      values.push(forced);
      return;
    }
    const a = operandValue(step.left, values);
    const b = operandValue(step.right, values);
    values.push(a && b ? apply(step.op, a, b) : undefined);
  });
  return values;
}

/** Completes raw steps into solution steps with correct expressions and values. */
export function finishSteps(raw: readonly RawStep[]): { steps: SolutionStep[]; answer: string } {
  const values = evaluate(raw);
  const steps = raw.map((step, i): SolutionStep => {
    const value = values[i];
    if (!value) throw new RangeError(`step ${i} divides by zero`);
    return { ...step, expression: expressionWith(step, values), value: plain(value), exact: value };
  });
  const last = values[values.length - 1];
  if (!last) throw new RangeError('empty solution');
  return { steps, answer: latex(last) };
}
