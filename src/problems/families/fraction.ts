/** Exact small rationals for generated problems and the simulator's arithmetic. */
export interface Fraction {
  readonly n: number;
  readonly d: number;
}

function gcd(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

export function frac(n: number, d = 1): Fraction {
  if (d === 0) throw new RangeError('division by zero');
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
}

export const add = (a: Fraction, b: Fraction): Fraction => frac(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Fraction, b: Fraction): Fraction => frac(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Fraction, b: Fraction): Fraction => frac(a.n * b.n, a.d * b.d);
/** Division; a zero divisor yields undefined (a slip upstream can make one). */
export function div(a: Fraction, b: Fraction): Fraction | undefined {
  return b.n === 0 ? undefined : frac(a.n * b.d, a.d * b.n);
}

export const isInteger = (a: Fraction): boolean => a.d === 1;
export const equal = (a: Fraction, b: Fraction): boolean => a.n === b.n && a.d === b.d;

/** Plain text, as written inside reasoning: `51`, `-4`, `19/3`. */
export function plain(a: Fraction): string {
  return a.d === 1 ? String(a.n) : `${a.n}/${a.d}`;
}

/** LaTeX, as written inside \boxed{}: `51`, `-4`, `\frac{19}{3}`, `-\frac{19}{3}`. */
export function latex(a: Fraction): string {
  if (a.d === 1) return String(a.n);
  return `${a.n < 0 ? '-' : ''}\\frac{${Math.abs(a.n)}}{${a.d}}`;
}

export type Op = '+' | '-' | '*' | '/';

export function apply(op: Op, a: Fraction, b: Fraction): Fraction | undefined {
  switch (op) {
    case '+':
      return add(a, b);
    case '-':
      return sub(a, b);
    case '*':
      return mul(a, b);
    case '/':
      return div(a, b);
  }
}
