/**
 * Exact identity testing: are two expressions the same function of their variables?
 *
 * Each side (a compute-engine MathJSON tree) is evaluated with exact Gaussian-rational arithmetic
 * at random points: every variable gets a random rational, every `e^{i x}` (through sin, cos,
 * tan, ...) a random rational point on the unit circle, every `e^{x}` a random positive
 * rational, and π a random rational. Variables, their complex exponentials, their real
 * exponentials and π are algebraically independent, so a polynomial or rational identity among
 * them that fails anywhere fails at a random point but for a vanishing chance (Schwartz–Zippel),
 * and a difference found there is exact: a refutation is certain, an agreement at every point is
 * a proof up to that vanishing chance. No floating point and no tolerance anywhere. Expressions
 * this cannot evaluate exactly (roots of variables, logarithms of variables, `\sin 1`) are left
 * undecided. Logarithms of positive rationals are sums of logarithms of primes, each a random value.
 */
import { add, div, mul, neg, parseExactNumber, rational, type Rational } from './rational.ts';

export type MathJson = number | string | { num: string } | MathJson[] | { [key: string]: unknown };

interface Gauss {
  re: Rational;
  im: Rational;
}

class Unsupported extends Error {}
class Singular extends Error {}

const ZERO: Rational = { n: 0n, d: 1n };
const ONE: Rational = { n: 1n, d: 1n };
const real = (re: Rational): Gauss => ({ re, im: ZERO });
const isZero = (z: Gauss): boolean => z.re.n === 0n && z.im.n === 0n;
const gAdd = (a: Gauss, b: Gauss): Gauss => ({ re: add(a.re, b.re), im: add(a.im, b.im) });
const gNeg = (a: Gauss): Gauss => ({ re: neg(a.re), im: neg(a.im) });
const gMul = (a: Gauss, b: Gauss): Gauss => ({
  re: add(mul(a.re, b.re), neg(mul(a.im, b.im))),
  im: add(mul(a.re, b.im), mul(a.im, b.re)),
});
function gInv(a: Gauss): Gauss {
  const norm = add(mul(a.re, a.re), mul(a.im, a.im));
  if (norm.n === 0n) throw new Singular();
  return { re: div(a.re, norm)!, im: div(neg(a.im), norm)! };
}
const gDiv = (a: Gauss, b: Gauss): Gauss => gMul(a, gInv(b));

/** Exponents beyond this are not expanded (numbers would grow past any real answer's need). */
const MAX_POWER = 64;

function gPow(base: Gauss, exponent: bigint): Gauss {
  if (exponent < 0n) return gPow(gInv(base), -exponent);
  if (exponent > BigInt(MAX_POWER)) throw new Unsupported();
  let result = real(ONE);
  for (let k = 0n; k < exponent; k++) result = gMul(result, base);
  return result;
}

/** Trig and exponential arguments are scaled by this so `x/2`, `x/3`, `x/4` stay integer powers. */
const SCALE = 12n;

interface Point {
  vars: Map<string, Gauss>;
  /** e^{i v / SCALE} per variable. */
  circle: Map<string, Gauss>;
  /** e^{v / SCALE} per variable. */
  exp: Map<string, Gauss>;
  pi: Gauss;
  /** ln q for each prime q met so far, drawn on first use (one value per prime per point). */
  logs: Map<bigint, Gauss>;
  draw: () => Rational;
}

/** A linear form: Σ coef·var + piCoef·π + constant. */
interface Linear {
  coef: Map<string, Rational>;
  pi: Rational;
  constant: Rational;
}

const CONSTANTS = new Set(['Pi', 'ExponentialE', 'ImaginaryUnit']);
const VARIABLE = /^[A-Za-z][A-Za-z0-9_]*$/;
const NOT_VARIABLES = new Set([
  'Infinity', 'PositiveInfinity', 'NegativeInfinity', 'ComplexInfinity', 'NaN', 'Nothing', 'True', 'False',
  'GoldenRatio', 'CatalanConstant', 'EulerGamma', 'Undefined', 'Half',
]);

function isVariable(name: string): boolean {
  return VARIABLE.test(name) && !CONSTANTS.has(name) && !NOT_VARIABLES.has(name);
}

function literal(json: MathJson): Rational | undefined {
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new Unsupported();
    return Number.isInteger(json) ? rational(BigInt(json)) : parseExactNumber(String(json));
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && typeof json['num'] === 'string') {
    return parseExactNumber(String(json['num']).replace(/\.\.\.$/, '')) ?? (() => { throw new Unsupported(); })();
  }
  if (Array.isArray(json) && json[0] === 'Rational' && json.length === 3) {
    const [n, d] = [literal(json[1]!), literal(json[2]!)];
    if (!n || !d || d.n === 0n) throw new Unsupported();
    return div(n, d);
  }
  return undefined;
}

function linear(json: MathJson): Linear {
  const value = literal(json);
  if (value) return { coef: new Map(), pi: ZERO, constant: value };
  if (json === 'Pi') return { coef: new Map(), pi: ONE, constant: ZERO };
  if (typeof json === 'string' && isVariable(json)) return { coef: new Map([[json, ONE]]), pi: ZERO, constant: ZERO };
  if (!Array.isArray(json)) throw new Unsupported();
  const [head, ...args] = json;
  if (head === 'Add' || head === 'Subtract') {
    const parts = args.map(linear);
    if (head === 'Subtract' && parts.length === 2) parts[1] = scaleLinear(parts[1]!, neg(ONE));
    return parts.reduce(sumLinear);
  }
  if (head === 'Negate' && args.length === 1) return scaleLinear(linear(args[0]!), neg(ONE));
  if (head === 'Multiply' || head === 'Divide') {
    const parts = args.map(linear);
    if (head === 'Divide') {
      if (parts.length !== 2 || !isConstant(parts[1]!) || parts[1]!.constant.n === 0n) throw new Unsupported();
      return scaleLinear(parts[0]!, div(ONE, parts[1]!.constant)!);
    }
    const constants = parts.filter(isConstant);
    const others = parts.filter((p) => !isConstant(p));
    if (others.length > 1) throw new Unsupported();
    const factor = constants.reduce((acc, p) => mul(acc, p.constant), ONE);
    return others.length === 0 ? { coef: new Map(), pi: ZERO, constant: factor } : scaleLinear(others[0]!, factor);
  }
  throw new Unsupported();
}

function isConstant(l: Linear): boolean {
  return l.coef.size === 0 && l.pi.n === 0n;
}

function scaleLinear(l: Linear, k: Rational): Linear {
  return { coef: new Map([...l.coef].map(([v, c]) => [v, mul(c, k)])), pi: mul(l.pi, k), constant: mul(l.constant, k) };
}

function sumLinear(a: Linear, b: Linear): Linear {
  const coef = new Map(a.coef);
  for (const [v, c] of b.coef) coef.set(v, add(coef.get(v) ?? ZERO, c));
  return { coef, pi: add(a.pi, b.pi), constant: add(a.constant, b.constant) };
}

/** `base^{(Σ coef·v)·SCALE}` over the per-variable `table`; non-integer powers are out of reach. */
function powerOf(table: Map<string, Gauss>, l: Linear): Gauss {
  let result = real(ONE);
  for (const [v, c] of l.coef) {
    if (c.n === 0n) continue;
    const scaled = mul(c, rational(SCALE)!);
    if (scaled.d !== 1n) throw new Unsupported();
    result = gMul(result, gPow(table.get(v)!, scaled.n));
  }
  return result;
}

/** e^{i·arg}, exact: the variable part from the point, π/2 multiples exactly, nothing else. */
function expI(arg: MathJson, point: Point): Gauss {
  const l = linear(arg);
  if (l.constant.n !== 0n) throw new Unsupported();
  const halfTurns = mul(l.pi, rational(2n)!);
  if (halfTurns.d !== 1n) throw new Unsupported();
  const quarter = [real(ONE), { re: ZERO, im: ONE }, real(neg(ONE)), { re: ZERO, im: neg(ONE) }][Number(((halfTurns.n % 4n) + 4n) % 4n)]!;
  return gMul(quarter, powerOf(point.circle, l));
}

const I: Gauss = { re: ZERO, im: ONE };
const HALF: Gauss = real({ n: 1n, d: 2n });

function trig(head: string, arg: MathJson, point: Point): Gauss {
  const z = expI(arg, point);
  const zi = gInv(z);
  const sin = gDiv(gAdd(z, gNeg(zi)), gMul(real(rational(2n)!), I));
  const cos = gMul(gAdd(z, zi), HALF);
  switch (head) {
    case 'Sin': return sin;
    case 'Cos': return cos;
    case 'Tan': return gDiv(sin, cos);
    case 'Cot': return gDiv(cos, sin);
    case 'Sec': return gInv(cos);
    case 'Csc': return gInv(sin);
    default: throw new Unsupported();
  }
}

function exponential(arg: MathJson, point: Point): Gauss {
  const l = linear(arg);
  if (l.constant.n !== 0n || l.pi.n !== 0n) throw new Unsupported();
  return powerOf(point.exp, l);
}

/** Trial division bound: logarithms of numbers with a larger prime factor are left undecided. */
const MAX_PRIME = 1_000_000n;

/** The prime factorisation of a positive integer below MAX_PRIME², exponents by prime. */
function factor(n: bigint): Map<bigint, bigint> {
  const found = new Map<bigint, bigint>();
  if (n > MAX_PRIME * MAX_PRIME) throw new Unsupported();
  for (let q = 2n; q * q <= n; q += q === 2n ? 1n : 2n) {
    while (n % q === 0n) {
      found.set(q, (found.get(q) ?? 0n) + 1n);
      n /= q;
    }
  }
  if (n > 1n) found.set(n, (found.get(n) ?? 0n) + 1n);
  return found;
}

/**
 * ln of a positive rational: Σ e_q·ln q over its prime factors, each ln q an independent random
 * value. The logarithms of primes are linearly independent over the rationals, and an identity
 * that holds with them as free symbols holds for their true values: agreement is still a proof.
 */
function naturalLog(json: MathJson, point: Point): Gauss {
  const r = literal(json);
  if (!r || r.n <= 0n) throw new Unsupported();
  let sum = real(ZERO);
  for (const [part, sign] of [[r.n, 1n], [r.d, -1n]] as const) {
    for (const [q, e] of factor(part)) {
      if (!point.logs.has(q)) point.logs.set(q, real(point.draw()));
      sum = gAdd(sum, gMul(real(rational(sign * e)!), point.logs.get(q)!));
    }
  }
  return sum;
}

/** `\log_b a` = ln a / ln b (base 10 when unwritten); base 1 is no logarithm. */
function logarithm(args: MathJson[], point: Point): Gauss {
  const base = naturalLog(args[1] ?? 10, point);
  if (isZero(base)) throw new Unsupported();
  return gDiv(naturalLog(args[0]!, point), base);
}

function evaluate(json: MathJson, point: Point): Gauss {
  const value = literal(json);
  if (value) return real(value);
  if (typeof json === 'string') {
    if (json === 'Pi') return point.pi;
    if (json === 'ImaginaryUnit') return I;
    if (isVariable(json)) return point.vars.get(json) ?? (() => { throw new Unsupported(); })();
    throw new Unsupported();
  }
  if (!Array.isArray(json) || typeof json[0] !== 'string') throw new Unsupported();
  const [head, ...args] = json as [string, ...MathJson[]];
  const at = (k: number): Gauss => evaluate(args[k]!, point);
  switch (head) {
    case 'Add': return args.map((_, k) => at(k)).reduce(gAdd);
    case 'Subtract': return args.length === 2 ? gAdd(at(0), gNeg(at(1))) : gNeg(at(0));
    case 'Negate': return gNeg(at(0));
    case 'Multiply': return args.map((_, k) => at(k)).reduce(gMul);
    case 'Divide': return gDiv(at(0), at(1));
    case 'Square': return gMul(at(0), at(0));
    case 'Exp': return exponential(args[0]!, point);
    case 'Power': {
      if (args[0] === 'ExponentialE') return exponential(args[1]!, point);
      const exponent = literal(args[1]!);
      if (!exponent || exponent.d !== 1n) throw new Unsupported();
      return gPow(at(0), exponent.n);
    }
    case 'Sin': case 'Cos': case 'Tan': case 'Cot': case 'Sec': case 'Csc':
      return trig(head, args[0]!, point);
    case 'Ln': return naturalLog(args[0]!, point);
    case 'Log': return logarithm(args, point);
    default:
      throw new Unsupported();
  }
}

function variables(json: MathJson, into: Set<string>): Set<string> {
  if (typeof json === 'string' && isVariable(json)) into.add(json);
  if (Array.isArray(json)) json.slice(1).forEach((j) => variables(j, into));
  return into;
}

/** A deterministic stream, restarted per test, so the same pair always gets the same verdict. */
function stream(seed: number): () => bigint {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return BigInt(((t ^ (t >>> 14)) >>> 0) % 1_000_003) + 2n;
  };
}

function randomPoint(names: Set<string>, next: () => bigint): Point {
  const ratio = (): Rational => rational(next(), (next() % 997n) + 1n)!;
  const onCircle = (): Gauss => {
    const t = ratio();
    const t2 = mul(t, t);
    const denom = add(ONE, t2);
    return { re: div(add(ONE, neg(t2)), denom)!, im: div(mul(rational(2n)!, t), denom)! };
  };
  const point: Point = { vars: new Map(), circle: new Map(), exp: new Map(), pi: real(ratio()), logs: new Map(), draw: ratio };
  for (const name of names) {
    point.vars.set(name, real(ratio()));
    point.circle.set(name, onCircle());
    point.exp.set(name, real(ratio()));
  }
  return point;
}

const POINTS = 4;
const ATTEMPTS = 12;

/** Values of `a` and `b` at up to POINTS random points where both are defined; undefined if unsupported. */
function samples(a: MathJson, b: MathJson): [Gauss, Gauss][] | undefined {
  const names = variables(b, variables(a, new Set()));
  const next = stream(0x7468696e);
  const found: [Gauss, Gauss][] = [];
  try {
    for (let k = 0; k < ATTEMPTS && found.length < POINTS; k++) {
      const point = randomPoint(names, next);
      try {
        found.push([evaluate(a, point), evaluate(b, point)]);
      } catch (error) {
        if (!(error instanceof Singular)) throw error;
      }
    }
  } catch {
    return undefined;
  }
  return found.length === POINTS ? found : undefined;
}

/** true: `a` and `b` are the same function; false: exactly different somewhere; undefined: out of reach. */
export function identical(a: MathJson, b: MathJson): boolean | undefined {
  const values = samples(a, b);
  if (!values) return undefined;
  return values.every(([x, y]) => isZero(gAdd(x, gNeg(y))));
}

/** true when `a = c·b` for one nonzero constant c (two equations' `lhs - rhs`, up to a common factor). */
export function proportional(a: MathJson, b: MathJson): boolean | undefined {
  const values = samples(a, b);
  if (!values) return undefined;
  const base = values.find(([, y]) => !isZero(y));
  if (!base) return values.every(([x]) => isZero(x));
  const c = gDiv(base[0], base[1]);
  if (isZero(c)) return false;
  return values.every(([x, y]) => isZero(gAdd(x, gNeg(gMul(c, y)))));
}
