import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasPrefix } from './prefix.ts';

describe('hasPrefix', () => {
  // Long runs of few characters: texts that share long prefixes and differ anywhere, as prompts do.
  const text = fc.array(fc.record({ c: fc.constantFrom('a', 'b', 'é'), n: fc.integer({ min: 0, max: 700 }) }), { maxLength: 6 }).map((runs) => runs.map((r) => r.c.repeat(r.n)).join(''));

  it('is startsWith', () => {
    fc.assert(
      fc.property(text, text, text, (common, a, b) => {
        expect(hasPrefix(common + a, common + b)).toBe((common + a).startsWith(common + b));
        expect(hasPrefix(common + b, common + a)).toBe((common + b).startsWith(common + a));
      }),
    );
  });
});
