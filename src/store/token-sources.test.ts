import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TokenSources } from './token-sources.ts';

const tokens = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ text: `${prefix}${i}`, logprob: -i, top: [] }));

describe('token sources', () => {
  it('finds a trace segment as runs of registered completions: whole, cut, and one after another', () => {
    const sources = new TokenSources();
    const a = tokens('a', 5);
    const b = tokens('b', 3);
    sources.register('A', a);
    sources.register('B', b);
    expect(sources.runsOf(a)).toEqual([{ key: 'A', count: 5 }]);
    expect(sources.runsOf(a.slice(0, 2))).toEqual([{ key: 'A', count: 2 }]);
    expect(sources.runsOf([...a.slice(0, 3), ...b])).toEqual([
      { key: 'A', count: 3 },
      { key: 'B', count: 3 },
    ]);
    expect(sources.runsOf([...b, ...b])).toEqual([
      { key: 'B', count: 3 },
      { key: 'B', count: 3 },
    ]);
    expect(sources.runsOf([])).toEqual([]);
  });

  it('refuses what it cannot vouch for: a copied token, a run not starting at a first token, a rewritten key', () => {
    const sources = new TokenSources();
    const a = tokens('a', 4);
    sources.register('A', a);
    expect(sources.runsOf([{ ...a[0]! }, ...a.slice(1)])).toBeUndefined();
    expect(sources.runsOf(a.slice(1))).toBeUndefined();
    expect(sources.runsOf([...a, 'text'])).toBeUndefined();
    sources.rewrite('A');
    expect(sources.runsOf(a)).toBeUndefined();
  });

  it('a run never reaches past what was registered, even if the array grows later', () => {
    const sources = new TokenSources();
    const a = tokens('a', 2);
    sources.register('A', a);
    const extra = { text: 'x', logprob: 0, top: [] };
    a.push(extra);
    expect(sources.runsOf(a)).toBeUndefined();
  });

  it('any concatenation of registered prefixes reads back as exactly those tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 8 }), (sizes, picks) => {
        const sources = new TokenSources();
        const completions = sizes.map((n, i) => tokens(`c${i}-`, n));
        completions.forEach((c, i) => sources.register(`K${i}`, c));
        const trace = picks.flatMap(([which, count]) => {
          const c = completions[which % completions.length]!;
          return c.slice(0, 1 + (count % c.length));
        });
        const runs = sources.runsOf(trace);
        expect(runs).toBeDefined();
        const back = runs!.flatMap((r) => completions[Number(r.key.slice(1))]!.slice(0, r.count));
        expect(back).toEqual(trace);
        back.forEach((t, i) => expect(t).toBe(trace[i]));
      }),
      { numRuns: 200 },
    );
  });
});
