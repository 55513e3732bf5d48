import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyFilter } from './key-filter.ts';

const hexKey = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('key filter', () => {
  it('never misses a key it was given or was added, and turns away keys with another 52-bit prefix', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hexKey, { minLength: 2, maxLength: 30, selector: (k) => k.slice(0, 13) }), (keys) => {
        const [absent, ...rest] = keys;
        const half = Math.floor(rest.length / 2);
        const filter = new KeyFilter(rest.slice(0, half));
        for (const key of rest.slice(half)) filter.add(key);
        for (const key of rest) expect(filter.mayHave(key)).toBe(true);
        expect(filter.mayHave(absent!)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('keys that are not hex are always looked up once any is known', () => {
    const filter = new KeyFilter(['not-a-hash']);
    expect(filter.mayHave('something else')).toBe(true);
    expect(new KeyFilter([]).mayHave('not-a-hash')).toBe(false);
  });
});
