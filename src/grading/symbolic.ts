/**
 * The symbolic comparator: `@cortex-js/compute-engine` behind our normalization. It can take
 * unbounded time on hostile input, so it is meant to run inside the grading worker (./grader.ts),
 * never on the main thread of a run.
 */
import { ComputeEngine } from '@cortex-js/compute-engine';
import { compareAnswers, exactScalar, type Comparator, type EquivalenceVerdict } from './equivalence.ts';
import { identical, proportional, type MathJson } from './identity.ts';

type Engine = InstanceType<typeof ComputeEngine>;
type Expr = NonNullable<ReturnType<Engine['parse']>>;

/** Digits the engine works with (for refuting, and for telling `a` from `-a`; never to confirm). */
const PRECISION = 40;

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

/** Decimal literals as exact fractions, so the engine never rounds them (`0.5x` is `\frac{5}{10}x`). */
export function decimalsAsFractions(latex: string): string {
  return latex.replace(/(\d*)\.(\d+)/g, (_m, whole: string, frac: string) => `\\frac{${whole || '0'}${frac}}{1${'0'.repeat(frac.length)}}`);
}

function parse(latex: string): Expr | undefined {
  const expr = ce().parse(decimalsAsFractions(latex));
  return expr && expr.isValid ? expr : undefined;
}

function freeVariables(expr: Expr): readonly string[] {
  const names = (expr as unknown as { freeVariables?: readonly string[] }).freeVariables;
  return names ?? [];
}

function json(expr: Expr): MathJson {
  return expr.json as MathJson;
}

/** An exact number literal the engine computed (not a 40-digit approximation). */
function exactLiteral(expr: Expr): boolean {
  const literal = expr as unknown as { isNumberLiteral?: boolean; isExact?: boolean };
  return literal.isNumberLiteral === true && literal.isExact === true;
}

/** Is `a - b` zero by exact means? true / false, or undefined when nothing exact decides. */
function exactlyZero(a: Expr, b: Expr): EquivalenceVerdict {
  // The exact identity test first: it is fast and decides most expressions with variables.
  const identity = identical(json(a), json(b));
  if (identity !== undefined) return identity;
  const difference = ce().box(['Subtract', a, b]);
  const evaluated = difference.evaluate();
  if (exactLiteral(evaluated)) return evaluated.isSame(0);
  return difference.simplify().isSame(0) ? true : undefined;
}

/** A numeric check may refute, never confirm: constants whose difference is clearly not zero. */
function clearlyDifferent(a: Expr, b: Expr): boolean {
  const diff = ce().box(['Subtract', a, b]).N();
  const distance = Math.hypot(Number(diff.re), Number(diff.im ?? 0));
  if (!Number.isFinite(distance)) return false;
  const scale = Math.max(1, Math.hypot(Number(a.N().re), Number(a.N().im ?? 0)));
  return distance > 1e-12 * scale;
}

/** Sign of a constant at 40 digits, when it is far from zero (only to tell `a` from `-a`). */
function clearSign(expr: Expr): 1 | -1 | 0 {
  const value = expr.N();
  const re = Number(value.re);
  const im = Number(value.im ?? 0);
  if (!Number.isFinite(re) || (Number.isFinite(im) && im !== 0) || Math.abs(re) < 1e-6) return 0;
  return re > 0 ? 1 : -1;
}

/**
 * Two constants: exact difference, exact identity, the engine's simplification, or equal squares
 * with the same clear sign (`\sqrt2+\sqrt3` = `\sqrt{5+2\sqrt6}`: the squares agree exactly, so
 * the values are equal or opposite, and 40 digits tell those apart). Undecided: not equal.
 */
function constantsEqual(a: Expr, b: Expr): boolean {
  if (clearlyDifferent(a, b)) return false;
  const direct = exactlyZero(a, b);
  if (direct !== undefined) return direct;
  const square = (x: Expr): Expr => ce().box(['Power', x, 2]).simplify();
  if (exactlyZero(square(a), square(b)) !== true) return false;
  const [sa, sb] = [clearSign(a), clearSign(b)];
  return sa !== 0 && sa === sb;
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

function symbolicScalar(gold: string, pred: string): EquivalenceVerdict {
  const exact = exactScalar(gold, pred);
  if (exact !== undefined) return exact;
  const a = parse(gold);
  const b = parse(pred);
  if (!a || !b) return false;
  if (isUndefinedValue(a) || isUndefinedValue(b)) return false;
  if (a.isSame(b)) return true;
  const free = new Set([...freeVariables(a), ...freeVariables(b)]);
  if (free.size === 0) return constantsEqual(a, b);
  // Different variables are different answers (`3R^2` vs `3r^2`) unless an exact identity
  // shows otherwise (`\sin^2 x+\cos^2 x` = `1`). No tolerance with free variables: an exact proof, or not equal.
  return exactlyZero(a, b) === true;
}

/** Two equations are the same when `lhs - rhs` agree up to a nonzero constant factor (`3x-6=0` = `x=2`'s `x-2=0`). */
function symbolicEquation(gold: { lhs: string; rhs: string }, pred: { lhs: string; rhs: string }): EquivalenceVerdict {
  const g = parse(`(${gold.lhs})-(${gold.rhs})`);
  const p = parse(`(${pred.lhs})-(${pred.rhs})`);
  if (!g || !p) return false;
  const fg = [...freeVariables(g)].sort().join();
  const fp = [...freeVariables(p)].sort().join();
  if (fg !== fp) return false;
  const verdict = proportional(json(g), json(p));
  if (verdict !== undefined) return verdict;
  if (exactlyZero(g, p) === true) return true;
  return exactlyZero(g, ce().box(['Negate', p])) === true;
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
