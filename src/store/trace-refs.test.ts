import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { TokenSources } from './token-sources.ts';
import { decodeTraceRefs, encodeTraceRefs, isTraceRefs } from './trace-refs.ts';

// Logprobs a model writes: sums of thousands of them stay finite (an overflowing sum is a case below).
const logprob = fc.double({ min: -1e6, max: 0, noNaN: true });
const text = fc.string({ unit: 'binary', maxLength: 6 });
const token = fc.record({ text, logprob, top: fc.array(fc.record({ text, logprob }), { maxLength: 3 }) });
const completion = fc.array(token, { minLength: 1, maxLength: 12 });

/** Completions registered under K0, K1, ... and a reader of them by key, as the store would hold them. */
function stored(completions: CompletionToken[][]): { sources: TokenSources; tokensOf: (key: string) => CompletionToken[] | undefined } {
  const sources = new TokenSources();
  completions.forEach((c, i) => sources.register(`K${i}`, c));
  // What the store reads back: equal values, other objects (as a decode makes them).
  const copies = completions.map((c) => structuredClone(c));
  return { sources, tokensOf: (key) => copies[Number(key.slice(1))] };
}

describe('trace references', () => {
  it('a trace built from prefixes of stored completions reads back equal, whatever its segments', () => {
    fc.assert(
      fc.property(fc.array(completion, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { maxLength: 6 }), (completions, picks) => {
        const { sources, tokensOf } = stored(completions);
        const trace: Record<string, unknown>[] = [{ kind: 'prompt', text: 'Q?' }];
        for (const [which, count, inject] of picks) {
          const c = completions[which % completions.length]!;
          const tokens = c.slice(0, 1 + (count % c.length));
          trace.push({ kind: 'generated', text: tokens.map((t) => t.text).join(''), tokens });
          if (inject) trace.push({ kind: 'injected', text: 'Wait', label: 'extend', tokens: 1 });
        }
        const encoded = encodeTraceRefs(trace, sources);
        expect(encoded).toBeInstanceOf(Buffer);
        expect(isTraceRefs(encoded!)).toBe(true);
        expect(decodeTraceRefs(encoded!, 'test', tokensOf)).toEqual(trace);
      }),
      { numRuns: 150 },
    );
  });

  it('leaves to the columns what it cannot refer to: a token of no stored completion, a non-finite logprob, a non-trace', () => {
    const c: CompletionToken[] = [{ text: 'a', logprob: -1, top: [] }, { text: 'b', logprob: -Infinity, top: [] }];
    const { sources } = stored([c]);
    expect(encodeTraceRefs([{ kind: 'generated', text: 'a', tokens: [{ text: 'a', logprob: -1, top: [] }] }], sources)).toBeUndefined();
    expect(encodeTraceRefs([{ kind: 'generated', text: 'ab', tokens: c }], sources)).toBeUndefined();
    // Finite logprobs whose sum overflows: the check sum could not be written.
    const huge: CompletionToken[] = [{ text: 'a', logprob: -1.8e308, top: [] }, { text: 'b', logprob: -1.8e308, top: [] }];
    expect(encodeTraceRefs([{ kind: 'generated', text: 'ab', tokens: huge }], stored([huge]).sources)).toBeUndefined();
    expect(encodeTraceRefs('trace', sources)).toBeUndefined();
    expect(encodeTraceRefs([{ kind: 'injected', text: 'x', label: 'y', tokens: 'two' }], sources)).toBeUndefined();
  });

  it('a completion that is gone or no longer reads what was written is one clear InputError, never a wrong trace', () => {
    const c: CompletionToken[] = [{ text: 'a', logprob: -1, top: [] }, { text: 'b', logprob: -2, top: [] }];
    const { sources } = stored([c]);
    const encoded = encodeTraceRefs([{ kind: 'generated', text: 'ab', tokens: c }], sources)!;
    expect(() => decodeTraceRefs(encoded, 'store.sqlite: results of r, row k', () => undefined)).toThrow(InputError);
    expect(() => decodeTraceRefs(encoded, 'store.sqlite: results of r, row k', () => undefined)).toThrow(/row k.*completion K0/);
    expect(() => decodeTraceRefs(encoded, 'w', () => [c[0]!])).toThrow(/completion K0/);
    const changed = [c[0]!, { text: 'b', logprob: -2.5, top: [] }];
    expect(() => decodeTraceRefs(encoded, 'w', () => changed)).toThrow(/changed/);
    const retexted = [c[0]!, { text: 'B!', logprob: -2, top: [] }];
    expect(() => decodeTraceRefs(encoded, 'w', () => retexted)).toThrow(/changed/);
    expect(() => decodeTraceRefs(encoded.subarray(0, encoded.length - 3), 'w', () => c)).toThrow(/expected a stored trace/);
  });
});
