import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Completion } from '../backends/backend.ts';
import { RecentCompletions } from './recent.ts';

type Op = { kind: 'set'; key: string; size: number } | { kind: 'get'; key: string };

const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, size: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('get' as const), key }),
);

/** The reference: a list, most recently used last, trimmed from the front to the byte bound. */
function reference(maxBytes: number) {
  let list: { key: string; value: string }[] = [];
  const bytes = () => list.reduce((n, e) => n + e.value.length, 0);
  return {
    get(k: string): string | undefined {
      const found = list.find((e) => e.key === k);
      if (found) list = [...list.filter((e) => e !== found), found];
      return found?.value;
    },
    set(k: string, value: string): void {
      list = list.filter((e) => e.key !== k);
      if (value.length > maxBytes) return;
      list.push({ key: k, value });
      while (bytes() > maxBytes) list.shift();
    },
  };
}

describe('recent completions', () => {
  it('hold what the reference LRU holds: the last written value per key, least recently used dropped first past the byte bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(op, { maxLength: 60 }), (maxBytes, ops) => {
        const recent = new RecentCompletions(maxBytes);
        const model = reference(maxBytes);
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'set') {
            const value = `${n++}`.padEnd(o.size, '.').slice(0, Math.max(o.size, 1));
            recent.set(o.key, value);
            model.set(o.key, value);
          } else {
            expect(recent.get(o.key)).toBe(model.get(o.key));
          }
        }
        for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) expect(recent.get(k)).toBe(model.get(k));
      }),
    );
  });

  it('counts a decoded completion by the stored size it is given', () => {
    const recent = new RecentCompletions(10);
    const decoded = { text: 'a' } as Completion;
    recent.set('a', decoded, 6);
    recent.set('b', 'bcdef');
    expect(recent.get('a')).toBeUndefined();
    recent.set('a', decoded, 5);
    expect(recent.get('a')).toBe(decoded);
    expect(recent.get('b')).toBe('bcdef');
    expect(() => recent.set('c', decoded)).toThrow();
  });

  it('holds nothing after clear()', () => {
    const recent = new RecentCompletions(10);
    recent.set('a', Buffer.from('abc'));
    recent.clear();
    expect(recent.get('a')).toBeUndefined();
  });
});
