import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Completion, CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import { decodeCompletion, encodeCompletion, packColumns } from './completion-codec.ts';

/** The layout built piece by piece (as packColumns once did): what stores already hold. */
function referencePack(magic: string, header: unknown, tokens: readonly CompletionToken[]): Buffer {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const f64 = (x: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    return b;
  };
  const head = Buffer.from(JSON.stringify(header));
  const alts = tokens.flatMap((t) => t.top);
  return Buffer.concat([
    Buffer.from(magic),
    u32(head.length),
    head,
    u32(tokens.length),
    ...tokens.map((t) => u32(t.top.length)),
    u32(alts.length),
    ...tokens.map((t) => f64(t.logprob)),
    ...alts.map((a) => f64(a.logprob)),
    Buffer.from(JSON.stringify([...tokens.map((t) => t.text), ...alts.map((a) => a.text)])),
  ]);
}

const choice = fc.record({ text: fc.string({ unit: 'binary', maxLength: 6 }), logprob: fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }) });
const token = fc.record({ text: fc.string({ unit: 'binary', maxLength: 6 }), logprob: fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }), top: fc.array(choice, { maxLength: 5 }) });
const completion: fc.Arbitrary<Completion> = fc
  .record(
    {
      tokens: fc.array(token, { maxLength: 40 }),
      doneReason: fc.constantFrom('stop' as const, 'length' as const),
      promptTokens: fc.nat(),
      decodedTokens: fc.nat(),
      promptEvalMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      evalMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      wallMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    },
    { requiredKeys: ['tokens', 'doneReason', 'promptTokens', 'decodedTokens', 'wallMs'] },
  )
  .map((c) => ({ text: c.tokens.map((t) => t.text).join(''), ...c }));

describe('completion codec', () => {
  it('round-trips any completion exactly (logprobs bit for bit, unicode texts, optional fields)', () => {
    fc.assert(
      fc.property(completion, (c) => {
        const stored = encodeCompletion(c);
        expect(Buffer.isBuffer(stored)).toBe(true);
        expect(decodeCompletion(stored, 'test')).toEqual(c);
      }),
      { numRuns: 300 },
    );
  });

  it('writes byte for byte the layout stores already hold', () => {
    fc.assert(
      fc.property(completion, (c) => {
        const { tokens, ...header } = c;
        expect(encodeCompletion(c)).toEqual(referencePack('TPC1', header, tokens));
        expect(packColumns('TPT1', { segments: [{ kind: 'é “x” 🎉' }] }, tokens)).toEqual(referencePack('TPT1', { segments: [{ kind: 'é “x” 🎉' }] }, tokens));
      }),
      { numRuns: 300 },
    );
  });

  it('is smaller than JSON for a trace with alternatives', () => {
    const tokens = Array.from({ length: 500 }, (_, i) => ({ text: ` w${i}`, logprob: -i / 997, top: [{ text: ` w${i}`, logprob: -i / 997 }, { text: ' x', logprob: -3.3 - i / 1013 }] }));
    const c: Completion = { text: tokens.map((t) => t.text).join(''), tokens, doneReason: 'length', promptTokens: 9, decodedTokens: 500, wallMs: 3 };
    const stored = encodeCompletion(c);
    expect(stored.length).toBeLessThan(JSON.stringify(c).length / 2);
    expect(decodeCompletion(stored, 'test')).toEqual(c);
  });

  it('falls back to JSON text when a token carries a field it does not know, and still reads JSON text', () => {
    const c = { text: 'a', tokens: [{ text: 'a', logprob: -1, top: [], bytes: [97] }], doneReason: 'stop', promptTokens: 1, decodedTokens: 1, wallMs: 1 } as unknown as Completion;
    const stored = encodeCompletion(c);
    expect(typeof stored).toBe('string');
    expect(decodeCompletion(stored, 'test')).toEqual(c);
  });

  it('a damaged entry is one clear InputError naming where it is', () => {
    const stored = encodeCompletion({ text: 'ab', tokens: [{ text: 'ab', logprob: -1, top: [] }], doneReason: 'stop', promptTokens: 1, decodedTokens: 1, wallMs: 1 }) as Buffer;
    expect(() => decodeCompletion(stored.subarray(0, stored.length - 3), 'store.sqlite: completions[k]')).toThrow(InputError);
    expect(() => decodeCompletion(Buffer.from('nonsense'), 'store.sqlite: completions[k]')).toThrow(/store.sqlite: completions\[k\]/);
    expect(() => decodeCompletion('{"text":', 'w')).toThrow(InputError);
  });
});
