/**
 * Exact rational numbers on BigInt, and a reader for the numeric literals answers are written in.
 * Decimals are read exactly (0.5 is 1/2, 0.67 is 67/100), so comparing two numeric answers needs
 * no tolerance at all: this is what makes `0.67` vs `\frac23` come out "not equal".
 */

export interface Rational {
  /** Numerator; carries the sign. */
  n: bigint;
  /** Denominator, always > 0; the pair is always reduced. */
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function rational(n: bigint, d: bigint = 1n): Rational | undefined {
  if (d === 0n) return undefined;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export function add(a: Rational, b: Rational): Rational {
  return rational(a.n * b.d + b.n * a.d, a.d * b.d)!;
}

export function mul(a: Rational, b: Rational): Rational {
  return rational(a.n * b.n, a.d * b.d)!;
}

export function neg(a: Rational): Rational {
  return { n: -a.n, d: a.d };
}

export function div(a: Rational, b: Rational): Rational | undefined {
  return rational(a.n * b.d, a.d * b.n);
}

export function eqRational(a: Rational, b: Rational): boolean {
  return a.n === b.n && a.d === b.d;
}

export function toNumber(a: Rational): number {
  return Number(a.n) / Number(a.d);
}

/** Exponents beyond this are not read exactly (10^100000 would be a denial of service). */
const MAX_EXPONENT = 400;

const DECIMAL = /^(\d*)(?:\.(\d*))?$/;

/** `12`, `012`, `3.50`, `.35625`, `1.` -> exact value; anything else -> undefined. */
export function parseUnsignedDecimal(s: string): Rational | undefined {
  const m = DECIMAL.exec(s);
  if (!m) return undefined;
  const whole = m[1] ?? '';
  const frac = m[2] ?? '';
  if (whole === '' && frac === '') return undefined;
  if (frac.length > MAX_EXPONENT || whole.length > 4 * MAX_EXPONENT) return undefined;
  const n = BigInt((whole || '0') + frac);
  return rational(n, 10n ** BigInt(frac.length));
}

/** Mantissa with an exponent of ten: `1e3`, `1.5E-2`, `1.5\times10^{3}`, `2\cdot 10^3`, `10^{3}`. */
const SCI_E = /^(\d*\.?\d*)[eE]([+-]?\d+)$/;
const SCI_TIMES = /^(?:(\d*\.?\d*)(?:\\times|\\cdot|\*|×|·))?10\^(?:\{([+-]?\d+)\}|([+-]?\d))$/;

function pow10(e: number): Rational | undefined {
  if (Math.abs(e) > MAX_EXPONENT) return undefined;
  return e >= 0 ? { n: 10n ** BigInt(e), d: 1n } : rational(1n, 10n ** BigInt(-e));
}

export function parseUnsignedScientific(s: string): Rational | undefined {
  let mantissa: string | undefined;
  let exponent: string | undefined;
  const e = SCI_E.exec(s);
  if (e) {
    mantissa = e[1];
    exponent = e[2];
  } else {
    const t = SCI_TIMES.exec(s);
    if (!t) return undefined;
    mantissa = t[1] ?? '1';
    exponent = t[2] ?? t[3];
  }
  const m = parseUnsignedDecimal(mantissa ?? '');
  const p = pow10(Number(exponent));
  return m && p ? mul(m, p) : undefined;
}

/** `\frac{3}{4}` (already brace-normalized) or `3/4` with integer or decimal parts. */
const FRAC = /^\\frac\{([^{}]+)\}\{([^{}]+)\}$/;
const SLASH = /^([\d.]+)\/([\d.]+)$/;
/** A mixed number: `2\frac{1}{2}` (whole part, then a proper fraction). */
const MIXED = /^(\d+)\\frac\{(\d+)\}\{(\d+)\}$/;

/**
 * Reads a signed real number written exactly: integer, decimal, scientific notation, a fraction of
 * those, or a mixed number. Input must already be normalized (no spaces, `\frac{a}{b}` with braces).
 */
export function parseExactNumber(s: string): Rational | undefined {
  let sign = 1n;
  let body = s;
  while (body.startsWith('+') || body.startsWith('-')) {
    if (body.startsWith('-')) sign = -sign;
    body = body.slice(1);
  }
  if (body.startsWith('(') && body.endsWith(')') && !body.slice(1, -1).includes('(')) {
    // -(3) or (-3): allow one level of grouping around a number.
    const inner = parseExactNumber(body.slice(1, -1));
    return inner && { n: sign * inner.n, d: inner.d };
  }
  const value = parseUnsignedMagnitude(body);
  return value && { n: sign * value.n, d: value.d };
}

/** `0.3\overline{6}`, `0.\overline{142857}`, `0.\dot{6}`: a repeating block after an optional fixed part. */
const REPEATING = /^(\d*)\.(\d*)(?:\\overline\{(\d+)\}|\\dot\{?(\d)\}?)$/;

/** The exact value of a repeating decimal: `0.3\overline{6}` is 11/30. */
export function parseRepeatingDecimal(s: string): Rational | undefined {
  const m = REPEATING.exec(s);
  if (!m) return undefined;
  const [whole, fixed, block] = [m[1] || '0', m[2]!, m[3] ?? m[4]!];
  if (fixed.length + block.length > MAX_EXPONENT || whole.length > 4 * MAX_EXPONENT) return undefined;
  const head = rational(BigInt(whole + fixed), 10n ** BigInt(fixed.length))!;
  const tail = rational(BigInt(block), (10n ** BigInt(block.length) - 1n) * 10n ** BigInt(fixed.length))!;
  return add(head, tail);
}

function parseUnsignedMagnitude(body: string): Rational | undefined {
  const plain = parseUnsignedDecimal(body) ?? parseUnsignedScientific(body) ?? parseRepeatingDecimal(body);
  if (plain) return plain;
  const mixed = MIXED.exec(body);
  if (mixed) {
    const whole = BigInt(mixed[1]!);
    const num = BigInt(mixed[2]!);
    const den = BigInt(mixed[3]!);
    if (den === 0n || num >= den) return undefined;
    return rational(whole * den + num, den);
  }
  const f = FRAC.exec(body) ?? SLASH.exec(body);
  if (f) {
    const num = parseExactNumber(f[1]!);
    const den = parseExactNumber(f[2]!);
    return num && den ? div(num, den) : undefined;
  }
  return undefined;
}

/** A complex number a + b i with exact rational parts. */
export interface ComplexRational {
  re: Rational;
  im: Rational;
}

const ZERO: Rational = { n: 0n, d: 1n };

/**
 * Reads `a+bi`, `bi+a`, `-2 + 7i`, `i`, `-i`, `3i`, `\frac{1}{2}i` exactly. Each term is a number,
 * optionally followed by `i` (the imaginary unit); at most one real and one imaginary term.
 */
export function parseExactComplex(s: string): ComplexRational | undefined {
  if (!/^[-+\d.i\\a-z{}/]+$/.test(s) || !s.includes('i')) return undefined;
  const terms: string[] = [];
  let current = '';
  let depth = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if (c === '{') depth++;
    if (c === '}') depth--;
    if ((c === '+' || c === '-') && depth === 0 && current !== '' && !/[eE]$/.test(current)) {
      terms.push(current);
      current = '';
    }
    current += c;
  }
  terms.push(current);
  let re: Rational | undefined;
  let im: Rational | undefined;
  for (const term of terms) {
    if (term.endsWith('i')) {
      let coefficient = term.slice(0, -1);
      if (coefficient.endsWith('\\cdot')) coefficient = coefficient.slice(0, -5);
      if (coefficient === '' || coefficient === '+') coefficient = '1';
      if (coefficient === '-') coefficient = '-1';
      const value = parseExactNumber(coefficient);
      if (!value || im) return undefined;
      im = value;
    } else {
      const value = parseExactNumber(term);
      if (!value || re) return undefined;
      re = value;
    }
  }
  if (!im) return undefined;
  return { re: re ?? ZERO, im };
}
