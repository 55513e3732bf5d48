/**
 * For random exact values a != b (integers, fractions, decimals, surds, multiples of π): no
 * rendering of a is graded equal to any rendering of b, and every rendering of a is graded
 * equal to a. Renderings: fraction, slash fraction, decimal, LaTeX frac, mixed number, with a unit,
 * boxed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equivalentSymbolic } from './symbolic.ts';

/** p/q · (1 | √r | π), reduced, q > 0. */
interface Exact {
  p: bigint;
  q: bigint;
  kind: 'rational' | 'surd' | 'pi';
  r: bigint;
}

const SQUAREFREE = [2n, 3n, 5n, 6n, 7n, 10n, 11n];

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const exact = fc
  .record({
    p: fc.bigInt({ min: -500n, max: 500n }),
    q: fc.constantFrom(1n, 2n, 3n, 4n, 5n, 7n, 8n, 10n, 12n, 20n, 25n),
    kind: fc.constantFrom<Exact['kind']>('rational', 'rational', 'surd', 'pi'),
    r: fc.constantFrom(...SQUAREFREE),
  })
  .filter((v) => v.p !== 0n || v.kind === 'rational')
  .map(({ p, q, kind, r }): Exact => {
    const g = gcd(p, q) || 1n;
    return { p: p / g, q: q / g, kind, r: kind === 'surd' ? r : 1n };
  });

function same(a: Exact, b: Exact): boolean {
  if (a.p === 0n && b.p === 0n) return true;
  return a.p === b.p && a.q === b.q && a.kind === b.kind && a.r === b.r;
}

/** The denominator is 2^i 5^j: the value has a finite decimal. */
function decimal(p: bigint, q: bigint): string | undefined {
  let k = 0;
  let scale = 1n;
  while ((scale * 1n) % q !== 0n && k < 6) {
    scale *= 10n;
    k++;
  }
  if (scale % q !== 0n) return undefined;
  const n = (p * scale) / q;
  const sign = n < 0n ? '-' : '';
  const digits = (n < 0n ? -n : n).toString().padStart(k + 1, '0');
  return k === 0 ? sign + digits : `${sign}${digits.slice(0, -k)}.${digits.slice(-k)}`;
}

function rationalWritings(p: bigint, q: bigint): string[] {
  const sign = p < 0n ? '-' : '';
  const abs = p < 0n ? -p : p;
  const out = [q === 1n ? `${p}` : `\\frac{${p}}{${q}}`, `${sign}\\dfrac{${abs * 2n}}{${q * 2n}}`, `${p}/${q}`];
  const dec = decimal(p, q);
  if (dec !== undefined) out.push(dec);
  if (q > 1n && abs > q) out.push(`${sign}${abs / q} ${abs % q}/${q}`, `${sign}${abs / q}\\frac{${abs % q}}{${q}}`);
  return out;
}

function writings(v: Exact): string[] {
  const sign = v.p < 0n ? '-' : '';
  const abs = v.p < 0n ? -v.p : v.p;
  let core: string[];
  if (v.kind === 'rational') core = rationalWritings(v.p, v.q);
  else {
    const symbol = v.kind === 'pi' ? '\\pi' : `\\sqrt{${v.r}}`;
    const coefficient = abs === 1n ? '' : `${abs}`;
    core = [
      v.q === 1n ? `${sign}${coefficient}${symbol}` : `${sign}\\frac{${coefficient}${symbol}}{${v.q}}`,
      `${sign}\\frac{${abs}}{${v.q}}${symbol}`,
      `${sign}\\dfrac{${abs * 3n}${symbol}}{${v.q * 3n}}`,
    ];
    if (v.kind === 'surd') core.push(`${sign}\\frac{\\sqrt{${abs * abs * v.r}}}{${v.q}}`);
  }
  return [...core, `\\boxed{${core[0]}}`, `${core[0]} \\text{ cm}`, `$${core[1]}$`];
}

describe('renderings of exact values', () => {
  it('every rendering of a value is graded equal to it', () => {
    fc.assert(
      fc.property(exact, (a) => {
        const [canonical, ...rest] = writings(a);
        for (const w of rest) expect(equivalentSymbolic(canonical!, w), `${canonical} vs ${w}`).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('no rendering of a is graded equal to any rendering of b != a', () => {
    fc.assert(
      // Every rendering of a against one rendering of b, chosen at random (all pairs would be slow).
      fc.property(exact, exact, fc.nat(), (a, b, pick) => {
        fc.pre(!same(a, b));
        const others = writings(b);
        const y = others[pick % others.length]!;
        for (const x of writings(a)) {
          expect(equivalentSymbolic(x, y), `${x} vs ${y}`).toBe(false);
          expect(equivalentSymbolic(y, x), `${y} vs ${x}`).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('no rendering is equal to a near miss one unit away in the last place', () => {
    fc.assert(
      fc.property(exact, fc.constantFrom(1n, -1n), (a, delta) => {
        const b: Exact = { ...a, p: a.p * 1000n + delta, q: a.q * 1000n };
        for (const x of writings(a)) expect(equivalentSymbolic(x, writings(b)[0]!), `${x}`).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
});
