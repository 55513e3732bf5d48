import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equivalentSync } from './equivalence.ts';
import { equivalentSymbolic } from './symbolic.ts';

const RUNS = 200;

interface Case {
  gold: string;
  pred: string;
}
const corpus: Case[] = readFileSync(new URL('./cases.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Case);
const answers = [...new Set(corpus.flatMap((c) => [c.gold, c.pred]))].filter((a) => equivalentSymbolic(a, a));

/** Digits of |n| grouped by threes with `sep`: 1234567 -> 1<sep>234<sep>567. */
function grouped(n: bigint, sep: string): string {
  const digits = (n < 0n ? -n : n).toString();
  const head = digits.length % 3 || 3;
  const groups = [digits.slice(0, head)];
  for (let k = head; k < digits.length; k += 3) groups.push(digits.slice(k, k + 3));
  return (n < 0n ? '-' : '') + groups.join(sep);
}

/** A decimal string of n / 10^k, exactly. */
function decimal(n: bigint, k: number): string {
  const sign = n < 0n ? '-' : '';
  const digits = (n < 0n ? -n : n).toString().padStart(k + 1, '0');
  return k === 0 ? sign + digits : `${sign}${digits.slice(0, -k)}.${digits.slice(-k)}`;
}

/**
 * Many ways to write the number n / 10^k: integer (with separators, leading zeros, trailing
 * decimal zeros, currency, a unit), decimal, fraction (reduced or not), scientific notation,
 * mixed number, explicit plus sign.
 */
function writings(n: bigint, k: number): string[] {
  const out: string[] = [];
  const abs = n < 0n ? -n : n;
  const sign = n < 0n ? '-' : '';
  const scale = 10n ** BigInt(k);
  out.push(decimal(n, k), `${decimal(n, k)}${k === 0 ? '.' : ''}00`, `\\frac{${n}}{${scale}}`, `\\dfrac{${2n * n}}{${2n * scale}}`);
  out.push(`${sign}\\frac{${abs * 3n}}{${scale * 3n}}`, `${n}e-${k}`, `${n}\\times10^{-${k}}`);
  if (n >= 0n) out.push(`+${decimal(n, k)}`, `\\$${decimal(n, k)}`, `${decimal(n, k)}\\text{ cm}`);
  if (k === 0) {
    if (n >= 0n) out.push(`00${n}`);
    if (abs >= 1000n) out.push(grouped(n, ','), grouped(n, '{,}'), grouped(n, '\\,'), grouped(n, ',\\!'));
  } else if (abs > scale && abs % scale !== 0n) {
    // Mixed number: whole part and a proper fraction.
    out.push(`${sign}${abs / scale}\\frac{${abs % scale}}{${scale}}`);
  }
  return out;
}

const numbers = fc.record({ n: fc.bigInt({ min: -10_000_000n, max: 10_000_000n }), k: fc.integer({ min: 0, max: 4 }) });

describe('properties of equivalence', () => {
  it('is reflexive on every answer of the corpus', () => {
    fc.assert(
      fc.property(fc.constantFrom(...answers), (a) => equivalentSymbolic(a, a) && equivalentSync(a, a) !== false),
      { numRuns: RUNS },
    );
  });

  it('is symmetric on pairs drawn from the corpus', () => {
    fc.assert(
      fc.property(fc.constantFrom(...answers), fc.constantFrom(...answers), (a, b) => {
        expect(equivalentSync(a, b)).toBe(equivalentSync(b, a));
        expect(equivalentSymbolic(a, b)).toBe(equivalentSymbolic(b, a));
      }),
      { numRuns: RUNS },
    );
  });

  it('one number written many ways equals itself, on the fast path', () => {
    fc.assert(
      fc.property(numbers, ({ n, k }) => {
        const ways = writings(n, k);
        for (const a of ways) for (const b of ways) expect(equivalentSync(a, b), `${a} vs ${b}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('a perturbed number is not equal, however either is written', () => {
    fc.assert(
      fc.property(numbers, fc.constantFrom(1n, -1n, 10n, 9n), ({ n, k }, delta) => {
        const ways = writings(n, k);
        const other = writings(n + delta, k);
        for (const a of ways.slice(0, 6)) for (const b of other.slice(0, 6)) expect(equivalentSync(a, b), `${a} vs ${b}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('a perturbed irrational answer is not equal (symbolic path)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 500 }), fc.integer({ min: 1, max: 50 }), (radicand, coefficient) => {
        const exact = `${coefficient}\\sqrt{${radicand}}`;
        const square = `\\sqrt{${coefficient * coefficient * radicand}}`;
        const perturbed = `\\sqrt{${coefficient * coefficient * radicand + 1}}`;
        expect(equivalentSymbolic(exact, square)).toBe(true);
        expect(equivalentSymbolic(exact, perturbed)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on arbitrary text, and says equal only when the text is that number', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const fast = equivalentSync(s, '7.25');
        const full = equivalentSymbolic(s, '7.25');
        expect([true, false, undefined]).toContain(fast);
        expect(typeof full).toBe('boolean');
        if (full) expect(equivalentSymbolic(s.trim(), '\\frac{29}{4}')).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
