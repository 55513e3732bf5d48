import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Completion } from '../backends/backend.ts';
import { decodeCompletion, encodeCompletion } from './completion-codec.ts';
import { deepFreeze, sameWhenDecoded } from './shared-completion.ts';

/** Same fields in the same order at every level, primitives equal by Object.is. */
function identical(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && identical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const text = fc.string({ unit: 'binary', maxLength: 5 });
const logprob = fc.oneof(fc.double({ max: 0 }), fc.constant(-0), fc.constant(-Infinity));
const odd = fc.constantFrom<unknown>(undefined, -0, NaN, Infinity, { a: 1 }, [1], null, 'x', true, 3.5);
const choice = fc.record({ text, logprob });
const token = fc.record({ text, logprob, top: fc.array(choice, { maxLength: 3 }) });
const plain: fc.Arbitrary<Completion> = fc
  .record(
    {
      tokens: fc.array(token, { maxLength: 8 }),
      doneReason: fc.constantFrom('stop' as const, 'length' as const),
      promptTokens: fc.nat(),
      decodedTokens: fc.nat(),
      promptEvalMs: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      wallMs: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    },
    { requiredKeys: ['tokens', 'doneReason', 'promptTokens', 'decodedTokens', 'wallMs'] },
  )
  // structuredClone: fast-check builds some records without a prototype, which a backend never does.
  .map((c) => structuredClone({ text: c.tokens.map((t) => t.text).join(''), ...c }));

function textLast(c: Completion): Completion {
  const { text, ...rest } = c;
  return { ...rest, text };
}

/** A backend's completion, or one changed the way a caller or a server might shape it. */
const shaped: fc.Arbitrary<Completion> = fc.tuple(plain, fc.nat(), fc.nat(), odd, fc.integer({ min: 0, max: 7 })).map(([c, i, j, value, how]) => {
  const out = structuredClone(c) as unknown as Record<string, unknown> & Completion;
  const t = out.tokens[i % Math.max(1, out.tokens.length)] as unknown as Record<string, unknown> | undefined;
  if (how === 1) out['extra'] = value;
  if (how === 2) return textLast(out);
  if (how === 3 && t) t['extra'] = value;
  if (how === 4 && t) (out.tokens as unknown[])[i % out.tokens.length] = { logprob: t['logprob'], text: t['text'], top: t['top'] };
  if (how === 5 && t) delete t['top'];
  if (how === 6 && t && (t['top'] as unknown[]).length > 0) (t['top'] as Record<string, unknown>[])[j % (t['top'] as unknown[]).length]!['extra'] = value;
  if (how === 7) out.wallMs = value as number;
  return out;
});

describe('shared completions', () => {
  it('a completion judged the same when decoded is what a decode gives back: fields, order and values', () => {
    fc.assert(
      fc.property(shaped, (c) => {
        if (!sameWhenDecoded(c)) return;
        expect(identical(decodeCompletion(encodeCompletion(c), 'test'), c)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("takes a backend's completion as it is", () => {
    fc.assert(
      fc.property(plain, (c) => {
        expect(sameWhenDecoded(c)).toBe(true);
      }),
    );
  });

  it('declines what the codec would normalise', () => {
    const c = { text: 'a', tokens: [{ text: 'a', logprob: -1, top: [{ text: 'a', logprob: -1 }] }], doneReason: 'stop', promptTokens: 1, decodedTokens: 1, wallMs: 1 } as Completion;
    expect(sameWhenDecoded(c)).toBe(true);
    for (const other of [{ ...c, evalMs: undefined }, { ...c, wallMs: -0 }, { ...c, wallMs: NaN }, { ...c, extra: {} }, textLast(c), { ...c, tokens: [{ logprob: -1, text: 'a', top: [] }] }]) {
      expect(sameWhenDecoded(other as unknown as Completion)).toBe(false);
    }
  });

  it('deepFreeze freezes every object and array reachable', () => {
    const c = deepFreeze({ text: 'a', tokens: [{ text: 'a', logprob: -1, top: [{ text: 'a', logprob: -1 }] }], extra: { list: [{ x: 1 }] } });
    for (const o of [c, c.tokens, c.tokens[0]!, c.tokens[0]!.top, c.tokens[0]!.top[0]!, c.extra, c.extra.list, c.extra.list[0]!]) expect(Object.isFrozen(o)).toBe(true);
  });
});
