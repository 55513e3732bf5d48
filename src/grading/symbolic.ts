/**
 * The symbolic comparator: `@cortex-js/compute-engine` behind our normalization. It can take
 * unbounded time on hostile input, so it is meant to run inside the grading worker (./grader.ts),
 * never on the main thread of a run.
 */
import { ComputeEngine } from '@cortex-js/compute-engine';
import { compareAnswers, exactScalar, type Comparator, type Verdict } from './equivalence.ts';

type Engine = InstanceType<typeof ComputeEngine>;
type Expr = NonNullable<ReturnType<Engine['parse']>>;

/** Digits the engine works with; exact closed forms must agree far beyond any decimal answer. */
const PRECISION = 40;
/** Two exact closed forms (no decimal literal) are equal only if they agree to this relative error. */
const EXACT_TOLERANCE = 1e-25;
/** When a decimal literal is compared against an irrational closed form. */
const DECIMAL_TOLERANCE = 1e-9;
const DECIMAL_LITERAL = /\d\.\d|(?:^|[^\d])\.\d|\d[eE][+-]?\d/;

let engine: Engine | undefined;

/**
 * The engine proves identities with free variables by sampling random points. Its randomness is
 * a seeded stream, restarted for every comparison, so a verdict never depends on the order in
 * which answers were graded or on the run: the same pair always gets the same answer.
 */
const SAMPLING_SEED = 0x7468696e; // "thin"
let state = SAMPLING_SEED;
function seededUniform(): number {
  // mulberry32
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function ce(): Engine {
  if (!engine) {
    engine = new ComputeEngine();
    engine.precision = PRECISION;
    engine.effects = { entropy: { random: seededUniform } };
  }
  return engine;
}

function parse(latex: string): Expr | undefined {
  const expr = ce().parse(latex);
  return expr && expr.isValid ? expr : undefined;
}

function freeVariables(expr: Expr): readonly string[] {
  const names = (expr as unknown as { freeVariables?: readonly string[] }).freeVariables;
  return names ?? [];
}

function magnitude(expr: Expr): number {
  const value = expr.N();
  const re = Number(value.re);
  const im = Number(value.im ?? 0);
  return Math.hypot(re, Number.isNaN(im) ? 0 : im);
}

/** Constant expressions: equal when their difference is zero at high precision. */
function numericEqual(a: Expr, b: Expr, decimal: boolean): boolean {
  // When the difference evaluates to an exact number, it decides with no tolerance at all
  // (`10^{100}` vs `10^{100}+1` differ by exactly 1, however small relative to their size).
  const exact = ce().box(['Subtract', a, b]).evaluate();
  const literal = exact as unknown as { isNumberLiteral?: boolean; isExact?: boolean };
  if (literal.isNumberLiteral === true && literal.isExact === true) return exact.isSame(0);
  const diff = ce().box(['Subtract', a, b]).N();
  const re = Number(diff.re);
  const im = Number(diff.im ?? 0);
  if (!Number.isFinite(re) || !Number.isFinite(im)) return false;
  const distance = Math.hypot(re, im);
  if (distance === 0) return true;
  const scale = Math.max(magnitude(a), magnitude(b));
  if (!Number.isFinite(scale)) return false;
  return distance <= (decimal ? DECIMAL_TOLERANCE : EXACT_TOLERANCE) * scale;
}

/**
 * A value that is not a number: NaN (`0/0`) or complex infinity (`\frac{1}{0}`, `\tan\frac{\pi}{2}`).
 * The engine finds two of these "the same", but an undefined answer equals nothing.
 */
function isUndefinedValue(expr: Expr): boolean {
  const value = expr.N();
  if (value.isNaN === true) return true;
  const literal = value as unknown as { isNumberLiteral?: boolean };
  return literal.isNumberLiteral === true && !Number.isFinite(Number(value.im ?? 0));
}

function symbolicScalar(gold: string, pred: string): Verdict {
  const exact = exactScalar(gold, pred);
  if (exact !== undefined) return exact;
  const a = parse(gold);
  const b = parse(pred);
  if (!a || !b) return false;
  if (isUndefinedValue(a) || isUndefinedValue(b)) return false;
  if (a.isSame(b)) return true;
  const free = new Set([...freeVariables(a), ...freeVariables(b)]);
  if (free.size === 0) return numericEqual(a, b, DECIMAL_LITERAL.test(gold) || DECIMAL_LITERAL.test(pred));
  // Different variables can never be the same answer (`3R^2` vs `3r^2`).
  const fa = [...freeVariables(a)].sort().join();
  const fb = [...freeVariables(b)].sort().join();
  if (fa !== fb) return false;
  return a.isIdenticallyEqual(b) === true;
}

function symbolicEquation(gold: { lhs: string; rhs: string }, pred: { lhs: string; rhs: string }): Verdict {
  const g = parse(`(${gold.lhs})-(${gold.rhs})`);
  const p = parse(`(${pred.lhs})-(${pred.rhs})`);
  if (!g || !p) return false;
  if (g.isIdenticallyEqual(p) === true) return true;
  // The same equation with both sides swapped or negated: `2x+3-y=0` is `y=2x+3`.
  return g.isIdenticallyEqual(ce().box(['Negate', p])) === true;
}

export const symbolicComparator: Comparator = { scalar: symbolicScalar, equation: symbolicEquation };

/**
 * Full equivalence with the symbolic engine, in this thread. Decided: never undefined.
 * Use it only where a hang is acceptable (inside the grading worker).
 */
export function equivalentSymbolic(gold: string, pred: string): boolean {
  state = SAMPLING_SEED;
  try {
    return compareAnswers(gold, pred, symbolicComparator) === true;
  } catch {
    return false;
  }
}
