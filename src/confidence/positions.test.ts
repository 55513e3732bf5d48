import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../core/errors.ts';
import {
  atFractions,
  atReflections,
  everyNTokens,
  everyToken,
  findReflections,
  prefixAt,
  probePositions,
  REFLECTION_WORDS,
} from './positions.ts';

const ascendingUnique = (xs: number[]): boolean => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

/** Cuts a text into tokens at arbitrary points, the way a tokenizer might. */
const tokenized = (text: string, cuts: number[]): string[] => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const tokens: string[] = [];
  let last = 0;
  for (const p of points) {
    tokens.push(text.slice(last, p));
    last = p;
  }
  tokens.push(text.slice(last));
  return tokens;
};

describe('probe positions', () => {
  it('every N tokens: multiples of n within the trace, ascending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 700 }), fc.boolean(), fc.boolean(), (total, n, includeStart, includeEnd) => {
        const ks = everyNTokens(total, n, { includeStart, includeEnd });
        expect(ascendingUnique(ks)).toBe(true);
        expect(ks.every((k) => k >= 0 && k <= total && (k % n === 0 || (includeEnd && k === total)))).toBe(true);
        const multiples = ks.filter((k) => k > 0 && k % n === 0);
        expect(multiples.length).toBe(Math.floor(total / n));
        expect(ks.includes(0)).toBe(includeStart || (includeEnd && total === 0));
        if (includeEnd) expect(ks[ks.length - 1]).toBe(total);
      }),
      { numRuns: 300 },
    );
  });

  it('fractions: each fraction lands on the nearest token, ends included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10000 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (total, fractions) => {
        const ks = atFractions(total, fractions);
        expect(ascendingUnique(ks)).toBe(true);
        for (const f of fractions) expect(ks).toContain(Math.round(f * total));
        for (const k of ks) expect(Math.abs(k / Math.max(total, 1) - nearest(fractions, k / Math.max(total, 1)))).toBeLessThanOrEqual(0.5 / Math.max(total, 1) + 1e-12);
      }),
      { numRuns: 300 },
    );
    expect(atFractions(1000, [0, 0.25, 0.5, 1])).toEqual([0, 250, 500, 1000]);
  });

  it('every token for short traces, a bounded count for long ones', () => {
    expect(everyToken(5)).toEqual([0, 1, 2, 3, 4, 5]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100000 }), fc.integer({ min: 2, max: 600 }), (total, maxProbes) => {
        const ks = everyToken(total, maxProbes);
        expect(ks.length).toBeLessThanOrEqual(maxProbes + 1);
        expect(ks[0]).toBe(0);
        expect(ks[ks.length - 1]).toBe(total);
        if (total < maxProbes) expect(ks.length).toBe(total + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('merged schedules are ascending and unique', () => {
    const tokens = ['Let', ' me', ' add', '.', ' Wait', ',', ' no', '.', '\n\nHmm', '.'];
    expect(
      probePositions(
        [
          { kind: 'every', tokens: 4 },
          { kind: 'fractions', at: [0, 0.5] },
          { kind: 'reflections' },
        ],
        tokens,
      ),
    ).toEqual([0, 4, 5, 8]);
  });

  it('bad parameters are one clear InputError', () => {
    expect(() => everyNTokens(10, 0)).toThrow(InputError);
    expect(() => everyNTokens(10, 1.5)).toThrow(/probes: every: a whole number of tokens >= 1 \(got 1.5\)/);
    expect(() => atFractions(10, [0.5, 1.2])).toThrow(/probes: fractions\/1: a number between 0 and 1/);
    expect(() => everyNTokens(-1, 3)).toThrow(InputError);
    expect(() => prefixAt('p', ['a'], 2)).toThrow(InputError);
  });

  it('prefixAt joins the prompt and the first k tokens', () => {
    expect(prefixAt('<p>', ['a', 'b', 'c'], 0)).toBe('<p>');
    expect(prefixAt('<p>', ['a', 'b', 'c'], 2)).toBe('<p>ab');
  });
});

function nearest(values: number[], x: number): number {
  return values.reduce((best, v) => (Math.abs(v - x) < Math.abs(best - x) ? v : best), Number.POSITIVE_INFINITY);
}

describe('reflection words', () => {
  it('finds words split across tokens and maps them to the token holding their first letter', () => {
    const tokens = ['So 3+4=7', '.\n\nWa', 'it', ', that is', ' wrong. Alter', 'natively', ' hmm', '. Hm', 'mm, ok'];
    const hits = findReflections(tokens);
    expect(hits.map((h) => [h.word, h.tokenIndex])).toEqual([
      ['Wait', 1],
      ['Alternatively', 4],
      ['Hmm', 7],
    ]);
    expect(atReflections(tokens)).toEqual([1, 4, 7]);
  });

  it('gives the same hits when asked again (compiled phrases are shared between calls)', () => {
    const text = ['Wait, no. Wait', ' again. Hmm', 'm.'];
    const first = findReflections(text);
    expect(findReflections(['Hmm'])).toEqual([{ word: 'Hmm', tokenIndex: 0, charOffset: 0 }]);
    expect(findReflections(text)).toEqual(first);
    expect(first.map((h) => h.charOffset)).toEqual([0, 10, 22]);
  });

  it('whole words only, longest phrase wins an overlap, case folding on request', () => {
    expect(findReflections(['Waiting for the bus. Awaited. Wait!'])).toEqual([{ word: 'Wait', tokenIndex: 0, charOffset: 30 }]);
    const text = ['But', ' wait', ', hold', '\non, maybe'];
    expect(findReflections(text).map((h) => h.word)).toEqual(['But wait']);
    expect(findReflections(text, { caseSensitive: false }).map((h) => [h.word, h.tokenIndex])).toEqual([
      ['But wait', 0],
      ['Hold on', 2],
    ]);
    expect(findReflections([' ', '', 'Wait'])).toEqual([{ word: 'Wait', tokenIndex: 2, charOffset: 1 }]);
  });

  it('compiled patterns are kept per case mode and phrase: the order of calls changes nothing', () => {
    const tokens = ['But wait', ', hold on. WAIT. Wait, hmmm. Hmm'];
    const insensitive = () => findReflections(tokens, { caseSensitive: false }).map((h) => [h.word, h.charOffset]);
    const sensitive = () => findReflections(tokens).map((h) => [h.word, h.charOffset]);
    const custom = () => findReflections(tokens, { words: ['hold  on', 'wait'] }).map((h) => [h.word, h.charOffset]);
    const first = [insensitive(), sensitive(), custom()];
    expect(first[0]).toEqual([['But wait', 0], ['Hold on', 10], ['Wait', 19], ['Wait', 25], ['Hmm', 31], ['Hmm', 37]]);
    expect(first[1]).toEqual([['But wait', 0], ['Wait', 25], ['Hmm', 37]]);
    expect(first[2]).toEqual([['wait', 4], ['hold  on', 10]]);
    // Reversed order, and each mode twice in a row (a shared pattern's search position must not leak).
    expect([custom(), custom()]).toEqual([first[2], first[2]]);
    expect([sensitive(), sensitive()]).toEqual([first[1], first[1]]);
    expect([insensitive(), insensitive()]).toEqual([first[0], first[0]]);
  });

  it('property: the shared patterns and the first-word shortcut find what fresh patterns over the whole text find', () => {
    // The matcher as it was before patterns were shared: one fresh regex per phrase and call, scanned from 0.
    const reference = (tokens: string[], words: readonly string[], caseSensitive: boolean) => {
      const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const text = tokens.join('');
      const spans: { start: number; end: number; word: string }[] = [];
      for (const word of words) {
        let body = word.trim().split(/\s+/).map(escape).join('\\s+');
        const last = word.trim().slice(-2);
        if (last.length === 2 && last[0] === last[1] && /\p{L}/u.test(last)) body += `${escape(last[0]!)}*`;
        const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, caseSensitive ? 'gu' : 'giu');
        for (const m of text.matchAll(pattern)) spans.push({ start: m.index, end: m.index + m[0].length, word });
      }
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      let covered = -1;
      return spans.filter((span) => span.start >= covered && ((covered = span.end), true)).map((span) => [span.word, span.start]);
    };
    const piece = fc.constantFrom('Wait', 'wait', 'WAIT', 'Hmm', 'm', 'But', ' ', '\n', 'x', '1', ',', 'é', '𝐀', 'a', 'Let me', ' check', 'hold', 'On');
    const wordList = fc.constantFrom<readonly string[]>(REFLECTION_WORDS, ['wait', 'a a', 'aa'], ['𝐀a', 'Hmm', ' check '], ['é', 'Wait']);
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 4 }).map((p) => p.join('')), { maxLength: 12 }), wordList, fc.boolean(), (tokens, words, caseSensitive) => {
        // Twice: the shared patterns' state must not carry over from one call to the next.
        for (let i = 0; i < 2; i++) {
          const hits = findReflections(tokens, { words, caseSensitive });
          expect(hits.map((h) => [h.word, h.charOffset])).toEqual(reference(tokens, words, caseSensitive));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('property: a word planted anywhere is found at the token where it starts, however the text is cut', () => {
    const filler = fc.stringMatching(/^[a-z0-9 .,=+\n]{0,40}$/);
    fc.assert(
      fc.property(filler, filler, fc.constantFrom('Wait', 'Alternatively', 'Hmm', 'Let me double-check', 'Hold on'), fc.array(fc.nat(), { maxLength: 15 }), (before, after, word, cuts) => {
        // Separate the word from its neighbours so the planted one is a whole word.
        const text = `${before} ${word}, ${after}`;
        const tokens = tokenized(text, cuts);
        const hits = findReflections(tokens);
        const planted = before.length + 1;
        const hit = hits.find((h) => h.charOffset === planted);
        expect(hit?.word).toBe(word);
        let offset = 0;
        let expected = -1;
        tokens.forEach((t, i) => {
          if (offset <= planted && planted < offset + t.length) expected = i;
          offset += t.length;
        });
        expect(hit?.tokenIndex).toBe(expected);
        expect(tokens.slice(0, hit!.tokenIndex).join('').length).toBeLessThanOrEqual(planted);
        // Filler is lowercase, so nothing else is found.
        expect(hits.length).toBe(1);
      }),
      { numRuns: 300 },
    );
  });
});
