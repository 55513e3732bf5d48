import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededShuffle, selectProblems } from './select.ts';
import type { Problem } from './problem.ts';

const problems: Problem[] = Array.from({ length: 20 }, (_, i) => ({
  id: `p${i}`,
  question: `q${i}`,
  answer: `${i}`,
  difficulty: (i % 5) + 1,
}));

describe('seeded shuffle', () => {
  it('is a deterministic permutation for every seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 50 }), fc.integer(), (items, seed) => {
        const a = seededShuffle(items, seed);
        expect(seededShuffle(items, seed)).toEqual(a);
        expect([...a].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('gives different orders for different seeds and leaves the input alone', () => {
    const ids = problems.map((p) => p.id);
    const a = seededShuffle(ids, 1);
    const b = seededShuffle(ids, 2);
    expect(a).not.toEqual(b);
    expect(a).not.toEqual(ids);
    expect(ids[0]).toBe('p0');
  });
});

describe('selectProblems', () => {
  it('applies ids, then levels, then shuffle, then limit', () => {
    expect(selectProblems(problems, { ids: ['p3', 'p1', 'p3'] }, 'd').map((p) => p.id)).toEqual(['p3', 'p1']);
    const selected = selectProblems(problems, { levels: [2, 4], shuffle: { seed: 9 }, limit: 5 }, 'd');
    expect(selected).toHaveLength(5);
    expect(selected.every((p) => p.difficulty === 2 || p.difficulty === 4)).toBe(true);
    expect(selected).toEqual(selectProblems(problems, { levels: [2, 4], shuffle: { seed: 9 }, limit: 5 }, 'd'));
    const all8 = selectProblems(problems, { levels: [2, 4], shuffle: { seed: 9 } }, 'd');
    expect(all8).toHaveLength(8);
    expect(selected).toEqual(all8.slice(0, 5));
  });
});
