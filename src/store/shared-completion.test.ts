import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Completion } from '../backends/backend.ts';
import { decodeCompletion, encodeCompletion } from './completion-codec.ts';
import { deepFreeze, decodeFrozen } from './shared-completion.ts';

/** Every object and array reachable from `value`. */
function reachable(value: unknown, out: object[] = []): object[] {
  if (typeof value !== 'object' || value === null) return out;
  out.push(value);
  for (const item of Object.values(value)) reachable(item, out);
  return out;
}

const text = fc.string({ unit: 'binary', maxLength: 5 });
const logprob = fc.oneof(fc.double({ max: 0 }), fc.constant(-0), fc.constant(-Infinity));
const choice = fc.record({ text, logprob });
const token = fc.record({ text, logprob, top: fc.array(choice, { maxLength: 3 }) });
/** A backend's completion, or one with fields the columns do not know (stored as JSON then). */
const completion: fc.Arbitrary<Completion> = fc
  .record(
    {
      tokens: fc.array(token, { maxLength: 8 }),
      doneReason: fc.constantFrom('stop' as const, 'length' as const),
      promptTokens: fc.nat(),
      decodedTokens: fc.nat(),
      wallMs: fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      extra: fc.jsonValue({ maxDepth: 2 }),
      tokenExtra: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
    },
    { requiredKeys: ['tokens', 'doneReason', 'promptTokens', 'decodedTokens', 'wallMs'] },
  )
  .map(({ tokenExtra, ...c }) => {
    const tokens = tokenExtra !== undefined && c.tokens.length > 0 ? [{ ...c.tokens[0]!, extra: tokenExtra }, ...c.tokens.slice(1)] : c.tokens;
    return { text: tokens.map((t) => t.text).join(''), ...c, tokens } as Completion;
  });

describe('shared completions', () => {
  it('decodeFrozen gives what decodeCompletion gives, frozen throughout, from columns or JSON', () => {
    fc.assert(
      fc.property(completion, (c) => {
        const stored = encodeCompletion(c);
        const frozen = decodeFrozen(stored, 'test');
        expect(frozen).toStrictEqual(decodeCompletion(stored, 'test'));
        for (const o of reachable(frozen)) expect(Object.isFrozen(o)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('deepFreeze freezes every object and array reachable', () => {
    const c = deepFreeze({ text: 'a', tokens: [{ text: 'a', logprob: -1, top: [{ text: 'a', logprob: -1 }] }], extra: { list: [{ x: 1 }] } });
    for (const o of reachable(c)) expect(Object.isFrozen(o)).toBe(true);
    expect(reachable(c)).toHaveLength(8);
  });
});
