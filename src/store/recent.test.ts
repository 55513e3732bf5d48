import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Completion } from '../backends/backend.ts';
import { RecentCompletions } from './recent.ts';

type Op = { kind: 'set'; key: string; size: number; forget: boolean } | { kind: 'get'; key: string };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, size: fc.integer({ min: 0, max: 40 }), forget: fc.boolean() }),
  fc.record({ kind: fc.constant('get' as const), key }),
);

/** The reference: a list, most recently used last, trimmed from the front to the byte bound. */
function reference(maxBytes: number) {
  let list: { key: string; value: Completion }[] = [];
  const bytes = () => list.reduce((n, e) => n + e.value.text.length, 0);
  return {
    get(k: string): Completion | undefined {
      const found = list.find((e) => e.key === k);
      if (found) list = [...list.filter((e) => e !== found), found];
      return found?.value;
    },
    set(k: string, value: Completion | undefined): void {
      list = list.filter((e) => e.key !== k);
      if (value === undefined || value.text.length > maxBytes) return;
      list.push({ key: k, value });
      while (bytes() > maxBytes) list.shift();
    },
  };
}

describe('recent completions', () => {
  it('hold what the reference LRU holds: the last written value per key (none once forgotten), least recently used dropped first past the byte bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 60 }), (maxBytes, ops) => {
        const recent = new RecentCompletions(maxBytes);
        const model = reference(maxBytes);
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'set') {
            const text = `${n++}`.padEnd(o.size, '.').slice(0, Math.max(o.size, 1));
            const value = o.forget ? undefined : ({ text } as Completion);
            recent.set(o.key, value, text.length);
            model.set(o.key, value);
          } else {
            expect(recent.get(o.key)).toBe(model.get(o.key));
          }
        }
        for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect(recent.get(k)).toBe(model.get(k));
      }),
    );
  });

  it('holds nothing after clear()', () => {
    const recent = new RecentCompletions(10);
    recent.set('a', { text: 'abc' } as Completion, 3);
    recent.clear();
    expect(recent.get('a')).toBeUndefined();
  });
});
