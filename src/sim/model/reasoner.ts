import { apply, equal, frac, latex, plain, type Fraction } from '../../problems/families/fraction.ts';
import { evaluate, expressionWith, operandValue } from '../../problems/families/steps.ts';
import type { Solution } from '../../problems/families/types.ts';
import { expressionOf } from '../../problems/families/arithmetic.ts';
import { hashInts, uniform, Purpose } from './hash.ts';
import { PSEUDO_ACTIONS } from './phrases.ts';
import { byLevel } from '../cards/card.ts';

/**
 * What the simulator knows about one problem: its steps, how they can go wrong, what answer a
 * trace with given intermediate values points to. Trace values are Fractions: real step values
 * for generated problems; for problems known only by their answer (datasets) value 0 means "on
 * track" and value k means "drifted to distractor k".
 */
export interface Reasoner {
  readonly key: number;
  /** The right answer, as a grader compares it. */
  readonly correct: string;
  readonly difficulty: number;
  readonly steps: number;
  readonly intro: string;
  /** Wrong answers the model may drift to (never the right one). */
  readonly distractors: readonly string[];
  /** Text of step i after its connector, ending right before the value: ", I subtract 7 from both sides: 25 - 7 =". */
  stepLead(i: number, values: readonly Fraction[]): string;
  /** Text that re-computes step i, ending right before the value: " 25 - 7 =". */
  recheckLead(i: number, values: readonly Fraction[]): string;
  /** The value step i should have, given the trace's earlier values. */
  correctValue(i: number, values: readonly Fraction[]): Fraction;
  /** Plausible wrong values for step i, most tempting first, never equal to the correct one. */
  slips(i: number, values: readonly Fraction[]): Fraction[];
  /** How a value is written after "=": " 18." */
  valueText(i: number, value: Fraction): string;
  /** The answer (grader form) the trace points to once its remaining steps are done right. */
  implied(values: readonly Fraction[]): string;
  /** The answer as written inside the reasoning, e.g. "19/3". */
  spoken(values: readonly Fraction[]): string;
  correction(i: number, before: Fraction, after: Fraction): string;
  /** Sentences that restate the value just found (elaboration that carries the trace's own numbers). */
  notes(i: number, values: readonly Fraction[]): string[];
  /** What step i does, in words (for a worked solution written without the steps' values). */
  outline(i: number): string;
}

const INTRO: Record<Solution['family'], string> = {
  'arithmetic-chain': 'Okay, so I need to evaluate this arithmetic expression. Let me work through it step by step, keeping the order of operations in mind.\n\n',
  'linear-equation': 'Okay, so I need to solve this linear equation for x. Let me isolate x step by step.\n\n',
  'word-problem': 'Okay, let me read the problem carefully and keep track of the count step by step.\n\n',
};

function distinct(values: Fraction[], avoid: Fraction): Fraction[] {
  const out: Fraction[] = [];
  for (const v of values) if (!equal(v, avoid) && !out.some((o) => equal(o, v))) out.push(v);
  return out;
}

/** The problem in the model's own words, from the question text (families only). */
function restate(solution: Solution, question: string): string {
  if (solution.family === 'arithmetic-chain') {
    const expression = expressionOf(question);
    if (expression) return `Okay, so I need to evaluate ${expression}. Let me work through it step by step, keeping the order of operations in mind.\n\n`;
  }
  if (solution.family === 'linear-equation') {
    const at = question.indexOf('Solve for x:');
    const line = at < 0 ? '' : (question.slice(at + 12).split('\n')[0] ?? '').trim().replace(/\.$/, '');
    if (line) return `Okay, so I need to solve ${line} for x. Let me isolate x step by step.\n\n`;
  }
  if (solution.family === 'word-problem') {
    const m = /(\p{Lu}\p{L}*) has (\d+) (\p{L}+)\./u.exec(question);
    if (m) return `Okay, let me read the problem carefully. ${m[1]} starts with ${m[2]} ${m[3]}, and then several things happen. I will keep track of the count step by step.\n\n`;
  }
  return INTRO[solution.family];
}

export function chainReasoner(solution: Solution, key: number, difficulty: number, question = ''): Reasoner {
  const steps = solution.steps;
  const correctValues = steps.map((s) => s.exact);
  const correctValue = (i: number, values: readonly Fraction[]): Fraction => {
    const step = steps[i];
    if (!step) return frac(0);
    const a = operandValue(step.left, values);
    const b = operandValue(step.right, values);
    return (a && b ? apply(step.op, a, b) : undefined) ?? correctValues[i] ?? frac(0);
  };
  const slips = (i: number, values: readonly Fraction[]): Fraction[] => {
    const step = steps[i];
    const v = correctValue(i, values);
    if (!step) return [];
    const a = operandValue(step.left, values) ?? frac(1);
    const b = operandValue(step.right, values) ?? frac(1);
    const one = frac(1);
    const ten = frac(10);
    const raw =
      step.op === '+'
        ? [apply('+', v, ten), apply('-', v, one), apply('+', v, one)]
        : step.op === '-'
          ? [apply('+', a, b), apply('+', v, one), apply('-', v, ten)]
          : step.op === '*'
            ? [apply('+', v, a), apply('-', v, a), apply('+', v, ten)]
            : [apply('+', v, one), apply('-', v, one), apply('*', a, b)];
    const list = distinct(raw.filter((x): x is Fraction => x !== undefined), v);
    // Problem-keyed order, so "the tempting slip" is a property of the problem.
    const shift = hashInts(key, i, Purpose.slipPick) % Math.max(1, list.length);
    return [...list.slice(shift), ...list.slice(0, shift)];
  };
  const implied = (values: readonly Fraction[]): Fraction | undefined => {
    const overrides = new Map<number, Fraction>();
    values.forEach((v, i) => overrides.set(i, v));
    const all = evaluate(steps, overrides);
    return all[all.length - 1];
  };
  const distractors: string[] = [];
  for (let i = 0; i < steps.length && distractors.length < 4; i++) {
    const prefix = correctValues.slice(0, i);
    const slip = slips(i, prefix)[0];
    if (!slip) continue;
    const answer = implied([...prefix, slip]);
    if (answer) {
      const text = latex(answer);
      if (text !== solution.answer && !distractors.includes(text)) distractors.push(text);
    }
  }
  return {
    key,
    correct: solution.answer,
    difficulty,
    steps: steps.length,
    intro: restate(solution, question),
    distractors,
    stepLead: (i, values) => `, I ${steps[i]?.description ?? 'continue'}: ${steps[i] ? expressionWith(steps[i], values) : '?'} =`,
    recheckLead: (i, values) => ` ${steps[i] ? expressionWith(steps[i], values) : '?'} =`,
    correctValue,
    slips,
    valueText: (_i, value) => ` ${plain(value)}.`,
    implied: (values) => {
      const v = implied(values);
      return v ? latex(v) : solution.answer;
    },
    spoken: (values) => {
      const v = implied(values);
      return v ? plain(v) : solution.answer;
    },
    outline: (i) => steps[i]?.description ?? 'continue',
    correction: (_i, before, after) => ` That is not what I had before. So it should be ${plain(after)}, not ${plain(before)}.`,
    notes: (i, values) => {
      const v = values[i];
      if (!v) return [];
      const t = plain(v);
      return [`So the running value is now ${t}.`, `Let me keep ${t} in mind for what follows.`, `So after step ${i + 1}, I have ${t}.`, `That gives ${t} for this part.`];
    },
  };
}

/** Wrong answers that look like the right one: nearby numbers, or a perturbed digit. */
export function makeDistractors(answer: string, key: number, count = 3): string[] {
  const out: string[] = [];
  const trimmed = answer.trim();
  if (/^[A-J]$/.test(trimmed)) {
    // Multiple choice: the other options.
    const letters = ['A', 'B', 'C', 'D'].filter((l) => l !== trimmed);
    const shift = hashInts(key, Purpose.distractor) % letters.length;
    return [...letters.slice(shift), ...letters.slice(0, shift)].slice(0, count);
  }
  const numeric = /^-?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
  if (numeric !== undefined && Number.isSafeInteger(numeric)) {
    const deltas = [1, -1, 2, 10, -10, numeric, 3];
    const shift = hashInts(key, Purpose.distractor) % deltas.length;
    for (let k = 0; k < deltas.length && out.length < count; k++) {
      const d = deltas[(k + shift) % deltas.length] ?? 1;
      const text = String(numeric + d);
      if (text !== trimmed && !out.includes(text)) out.push(text);
    }
    return out;
  }
  const digitRun = /\d+/.exec(trimmed);
  for (let k = 1; out.length < count && k < 10; k++) {
    let text: string;
    if (digitRun) {
      const n = Number(digitRun[0]) + (k % 2 === 1 ? (k + 1) / 2 : -k / 2);
      text = trimmed.slice(0, digitRun.index) + String(Math.abs(n)) + trimmed.slice(digitRun.index + digitRun[0].length);
    } else {
      text = k === 1 ? `-${trimmed}` : `${k}${trimmed}`;
    }
    if (text !== trimmed && !out.includes(text)) out.push(text);
  }
  return out;
}

/** Words a quoted piece of the problem must not carry into the trace (they would read as reflections or answer cues). */
const UNQUOTABLE = /wait|hmm|alternativ|hold on|check|verify|\bbut\b|boxed|answer|<|\|/i;

/** Short pieces of the problem a step can refer to: inline math, else numbers. */
export function problemFragments(question: string): string[] {
  const math = [...question.matchAll(/\$([^$\n]{1,40})\$/g)].map((m) => `$${m[1] ?? ''}$`);
  const numbers = [...question.matchAll(/(?<![\w.])\d+(?:\.\d+)?(?![\w.])/g)].map((m) => m[0]);
  const out: string[] = [];
  for (const f of [...math, ...numbers]) if (!UNQUOTABLE.test(f) && !out.includes(f)) out.push(f);
  return out.slice(0, 24);
}

/** The opening of a trace that restates the problem (its first sentence, when it is safe to quote). */
function restatedIntro(question: string): string | undefined {
  const first = /^[^.?!\n]{10,160}[.?!]/.exec(question.trim())?.[0];
  if (!first || UNQUOTABLE.test(first)) return undefined;
  return `Okay, let me read the problem again: ${first} There are several parts to work through, so I will take them one at a time.\n\n`;
}

export interface PseudoOptions {
  /** Steps by difficulty (default 3, 4, 6, 8, 10). */
  steps?: readonly number[];
  /** The problem's text: steps then refer to its pieces, and the intro restates it. */
  question?: string;
}

/** A problem known only by its answer (or not at all): abstract steps that stay on track or drift. */
export function pseudoReasoner(correct: string, key: number, difficulty: number, options: PseudoOptions = {}): Reasoner {
  const n = options.steps ? byLevel(options.steps, difficulty) : ([3, 4, 6, 8, 10][difficulty - 1] ?? 5);
  const distractors = makeDistractors(correct, key);
  const m = Math.max(1, distractors.length);
  const fragments = options.question === undefined ? [] : problemFragments(options.question);
  const intro = options.question === undefined ? undefined : restatedIntro(options.question);
  const plainAction = (i: number): string => PSEUDO_ACTIONS[(hashInts(key, i) + i) % PSEUDO_ACTIONS.length] ?? 'continue';
  const action = (i: number): string => {
    const f = fragments.length > 0 ? fragments[hashInts(key, i, 97) % fragments.length] : undefined;
    return f === undefined ? plainAction(i) : `${plainAction(i)}, starting from ${f}`;
  };
  const implied = (values: readonly Fraction[]): string => {
    for (let i = values.length - 1; i >= 0; i--) {
      const v = values[i];
      if (v && v.n !== 0) return distractors[(v.n - 1) % m] ?? correct;
    }
    return correct;
  };
  return {
    key,
    correct,
    difficulty,
    steps: n,
    intro: intro ?? 'Okay, let me think about this problem carefully. There are several parts to work through.\n\n',
    distractors,
    stepLead: (i) => `, I ${action(i)}. Working this out, I get`,
    recheckLead: () => ' Redoing this part, I get',
    correctValue: () => frac(0),
    slips: (i) => [frac(1 + (hashInts(key, i, Purpose.slipPick) % m))],
    valueText: (_i, value) => (value.n === 0 ? ' a result that fits everything so far.' : ' a result that does not fit as well.'),
    implied,
    spoken: implied,
    correction: () => ' That changes things, so I will go with this corrected version.',
    notes: (i) => [`That settles part ${i + 1} of the problem.`, `Let me keep this result in mind for what follows.`],
    outline: (i) => action(i),
  };
}

/** Problem-keyed uniform draw (the model's fixed "knowledge" of a problem, independent of the seed). */
export function problemDraw(key: number, purpose: number, i = 0, j = 0): number {
  return uniform(key, purpose, i, j);
}
