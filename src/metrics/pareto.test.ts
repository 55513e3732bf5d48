import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { dominates, paretoFrontier, type ParetoPoint } from './pareto.ts';

describe('paretoFrontier', () => {
  it('keeps the cheapest point at each accuracy level, ordered by cost', () => {
    const points = [
      { id: 'baseline', cost: 4500, accuracy: 0.938 },
      { id: 'deer', cost: 3316, accuracy: 0.946 },
      { id: 'noThinking', cost: 300, accuracy: 0.6 },
      { id: 'cap1k', cost: 1000, accuracy: 0.55 },
      { id: 'extend', cost: 6000, accuracy: 0.95 },
    ];
    expect(paretoFrontier(points)).toEqual(['noThinking', 'deer', 'extend']);
  });

  it('ties: identical points both stay; equal cost keeps only the more accurate; equal accuracy only the cheaper', () => {
    expect(
      paretoFrontier([
        { id: 'b', cost: 1, accuracy: 0.5 },
        { id: 'a', cost: 1, accuracy: 0.5 },
        { id: 'c', cost: 1, accuracy: 0.4 },
        { id: 'd', cost: 2, accuracy: 0.5 },
      ]),
    ).toEqual(['a', 'b']);
    expect(paretoFrontier([])).toEqual([]);
  });

  it('rejects duplicate ids and non-finite values', () => {
    expect(() => paretoFrontier([{ id: 'x', cost: 1, accuracy: 0.5 }, { id: 'x', cost: 2, accuracy: 0.6 }])).toThrow(InputError);
    expect(() => paretoFrontier([{ id: 'x', cost: 1, accuracy: Number.NaN }])).toThrow('paretoFrontier: point "x" accuracy');
  });

  it('no frontier point is dominated; every other point is dominated by a frontier point (property)', () => {
    const pointsArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 10 })), { maxLength: 40 })
      .map((rows) => rows.map(([cost, acc], i): ParetoPoint => ({ id: `p${i}`, cost, accuracy: acc / 10 })));
    fc.assert(
      fc.property(pointsArb, (points) => {
        const frontier = new Set(paretoFrontier(points));
        for (const p of points) {
          if (frontier.has(p.id)) {
            expect(points.some((q) => dominates(q, p))).toBe(false);
          } else {
            expect(points.some((q) => frontier.has(q.id) && dominates(q, p))).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
