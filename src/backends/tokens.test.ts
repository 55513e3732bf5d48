import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reconcileTokens, TokenMismatch, type WireLogprob } from './tokens.ts';

const bytes = (s: string) => [...Buffer.from(s, 'utf8')];
const entry = (token: string, logprob = -0.5, b: number[] | undefined = bytes(token)): WireLogprob => ({
  token,
  logprob,
  ...(b ? { bytes: b } : {}),
  top_logprobs: [{ token, logprob }, { token: ' Wait', logprob: logprob - 1 }],
});

describe('reconcileTokens', () => {
  it('passes through entries that spell the text, with their alternatives', () => {
    const tokens = reconcileTokens('Hello world', [entry('Hello', -0.1), entry(' world', -0.2)]);
    expect(tokens).toEqual([
      { text: 'Hello', logprob: -0.1, top: [{ text: 'Hello', logprob: -0.1 }, { text: ' Wait', logprob: -1.1 }] },
      { text: ' world', logprob: -0.2, top: [{ text: ' world', logprob: -0.2 }, { text: ' Wait', logprob: -1.2 }] },
    ]);
    expect(reconcileTokens('', [])).toEqual([]);
  });

  it('rebuilds a character split across byte tokens from the raw bytes', () => {
    const euro = bytes('€'); // 3 bytes
    const entries = [entry('cost ', -0.1), entry('\ufffd', -0.2, euro.slice(0, 2)), entry('\ufffd', -0.3, euro.slice(2)), entry('5', -0.4)];
    const tokens = reconcileTokens('cost €5', entries);
    expect(tokens.map((t) => t.text)).toEqual(['cost ', '', '€', '5']);
    expect(tokens.map((t) => t.logprob)).toEqual([-0.1, -0.2, -0.3, -0.4]);
  });

  it('trims the last token when a stop string began inside it (Ollama keeps its entry whole)', () => {
    const tokens = reconcileTokens('so 42', [entry('so'), entry(' 42</')]);
    expect(tokens.map((t) => t.text)).toEqual(['so', ' 42']);
    expect(tokens).toHaveLength(2);
  });

  it('refuses entries that do not spell the text, and text without entries, in one line', () => {
    expect(() => reconcileTokens('abc', [entry('abd')])).toThrow(TokenMismatch);
    expect(() => reconcileTokens('abc', [entry('abd')])).toThrow(/first difference at character 2: "d" vs "c"/);
    expect(() => reconcileTokens('abc', [])).toThrow(/no logprobs entries \(logprobs need Ollama >= 0\.12\.11\)/);
  });

  it('refuses malformed entries from an untrusted server', () => {
    expect(() => reconcileTokens('a', [{ token: 'a', logprob: 'high' } as unknown as WireLogprob])).toThrow(/logprobs entry 0 is not/);
    expect(() => reconcileTokens('a', [{ token: 1, logprob: -1 } as unknown as WireLogprob])).toThrow(TokenMismatch);
    expect(() => reconcileTokens('a', [{ token: 'a', logprob: -1, top_logprobs: [{ token: 'a' }] } as unknown as WireLogprob])).toThrow(/logprobs entry 0/);
    expect(reconcileTokens('a', [{ token: 'a', logprob: -1, top_logprobs: null }])).toEqual([{ text: 'a', logprob: -1, top: [] }]);
  });

  it('for any split of any text, the tokens spell the text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        // Split every piece's bytes at an arbitrary point, as byte-fallback tokens would.
        const entries: WireLogprob[] = pieces.flatMap((p) => {
          const b = bytes(p);
          const cut = Math.floor(b.length / 2);
          return cut === 0 ? [entry(p)] : [entry('\ufffd', -1, b.slice(0, cut)), entry('\ufffd', -1, b.slice(cut))];
        });
        const tokens = reconcileTokens(text, entries);
        expect(tokens.map((t) => t.text).join('')).toBe(text);
        expect(tokens).toHaveLength(entries.length);
      }),
      { numRuns: 200 },
    );
  });
});
