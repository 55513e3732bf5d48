import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../core/errors.ts';
import { decodeTrace, encodeTrace } from './trace-codec.ts';

const logprob = fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
const text = fc.string({ unit: 'binary', maxLength: 6 });
const choice = fc.record({ text, logprob });
const withTop = fc.array(fc.record({ text, logprob, top: fc.array(choice, { maxLength: 5 }) }), { maxLength: 30 });
const withoutTop = fc.array(fc.record({ text, logprob }), { minLength: 1, maxLength: 30 });
const segment = fc.oneof(
  fc.record({ kind: fc.constant('prompt'), text }),
  fc.record({ kind: fc.constant('injected'), text, label: text, tokens: fc.nat() }, { requiredKeys: ['kind', 'text', 'label'] }),
  fc.oneof(withTop, withoutTop).map((tokens) => ({ kind: 'generated', text: tokens.map((t) => t.text).join(''), tokens })),
);

describe('trace codec', () => {
  it('round-trips any trace the engine writes, with or without alternatives, as JSON would', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (trace) => {
        const stored = encodeTrace(trace);
        expect(stored).toBeInstanceOf(Buffer);
        const back = decodeTrace(stored!, 'test');
        expect(back).toEqual(JSON.parse(JSON.stringify(trace)));
        // A token without alternatives reads back without a `top` field, as it was written.
        expect(JSON.stringify(back)).toBe(JSON.stringify(trace));
      }),
      { numRuns: 150 },
    );
  });

  it('is much smaller than the JSON of a long trace with alternatives', () => {
    const tokens = Array.from({ length: 2000 }, (_, i) => ({ text: ` w${i}`, logprob: -i / 997, top: Array.from({ length: 5 }, (_, k) => ({ text: ` a${k}`, logprob: -k - i / 1013 })) }));
    const trace = [{ kind: 'prompt', text: 'Q?' }, { kind: 'generated', text: tokens.map((t) => t.text).join(''), tokens }];
    const stored = encodeTrace(trace)!;
    expect(stored.length).toBeLessThan(JSON.stringify(trace).length / 2);
    expect(decodeTrace(stored, 'test')).toEqual(trace);
  });

  it('leaves anything else to JSON: unknown token fields, mixed alternatives, non-arrays', () => {
    expect(encodeTrace('text')).toBeUndefined();
    expect(encodeTrace([null])).toBeUndefined();
    expect(encodeTrace([{ kind: 'generated', text: 'a', tokens: [{ text: 'a', logprob: -1, bytes: [97] }] }])).toBeUndefined();
    expect(encodeTrace([{ kind: 'generated', text: 'ab', tokens: [{ text: 'a', logprob: -1, top: [] }, { text: 'b', logprob: -1 }] }])).toBeUndefined();
    expect(encodeTrace([{ kind: 'generated', text: 'a', tokens: [{ text: 'a', logprob: -1, top: [{ text: 'a', logprob: -1, id: 3 }] }] }])).toBeUndefined();
    expect(encodeTrace([{ kind: 'generated', text: 'a', tokens: [{ text: 'a', logprob: '-1' }] }])).toBeUndefined();
    expect(encodeTrace([{ kind: 'injected', text: 'a', label: 'x', tokens: 'three' }])).toBeUndefined();
  });

  it('a damaged entry is one InputError naming where it is and what it expected', () => {
    const stored = encodeTrace([{ kind: 'generated', text: 'ab', tokens: [{ text: 'ab', logprob: -1, top: [] }] }])!;
    expect(() => decodeTrace(stored.subarray(0, stored.length - 2), 'store.sqlite: results of r, row k')).toThrow(InputError);
    expect(() => decodeTrace(stored.subarray(0, stored.length - 2), 'store.sqlite: results of r, row k')).toThrow(/row k.*expected a stored trace/);
    // A completion's columns are not a trace.
    expect(() => decodeTrace(Buffer.concat([Buffer.from('TPC1'), stored.subarray(4)]), 'w')).toThrow(InputError);
  });
});
