import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredSegment } from '../core/model.ts';
import { cutAtThinkingToken, fullText, positionedTokens, splitTrace, type Trace } from '../trace/trace.ts';
import { prefixAtThinkingToken, scanThinking, thinkingPrefixes, thinkingTokenEnds, thinkingTokens } from './prefix.ts';

const delims = { thinkOpen: '<think>', thinkClose: '</think>' };
const tok = (...texts: string[]) => texts.map((text) => ({ text, logprob: -0.1 }));

describe('cuts at thinking token k', () => {
  it('counts from the first thinking token when the prompt opened the thinking', () => {
    const trace: StoredSegment[] = [
      { kind: 'prompt', text: 'Q<think>\n' },
      { kind: 'generated', text: 'First 1. Wait, 2.</think>ok', tokens: tok('First', ' 1.', ' Wait', ',', ' 2.', '</think>', 'ok') },
    ];
    const layout = { delims, opensInPrompt: true };
    expect(prefixAtThinkingToken(trace, 0, layout)).toBe('Q<think>\n');
    expect(prefixAtThinkingToken(trace, 2, layout)).toBe('Q<think>\nFirst 1.');
    expect(prefixAtThinkingToken(trace, 9, layout)).toBeUndefined();
    expect(thinkingTokens(trace, layout)).toEqual(['First', ' 1.', ' Wait', ',', ' 2.']);
  });

  it('does not count the <think> the model wrote itself', () => {
    const trace: StoredSegment[] = [
      { kind: 'prompt', text: 'Q' },
      { kind: 'generated', text: '<think>\nFirst 1. Wait</think>ok', tokens: tok('<think>', '\n', 'First', ' 1.', ' Wait', '</think>', 'ok') },
    ];
    const layout = { delims, opensInPrompt: false };
    expect(prefixAtThinkingToken(trace, 2, layout)).toBe('Q<think>\nFirst 1.');
    expect(thinkingTokens(trace, layout)).toEqual(['First', ' 1.', ' Wait']);
    // Probe markers: after 2 thinking tokens the viewer marks the text after "<think>\nFirst 1.".
    const ends = thinkingTokenEnds(trace, layout);
    expect(ends).toHaveLength(4);
    expect('<think>\nFirst 1. Wait</think>ok'.slice(0, ends[2])).toBe('<think>\nFirst 1.');
  });

  it('keeps injected text in the prefix (extend: the "Wait" the model was shown)', () => {
    const trace: StoredSegment[] = [
      { kind: 'prompt', text: 'Q<think>\n' },
      { kind: 'generated', text: 'A.', tokens: tok('A.') },
      { kind: 'injected', text: ' Wait', label: 'extend(x1)' },
      { kind: 'generated', text: ' B.', tokens: tok(' B.') },
    ];
    expect(prefixAtThinkingToken(trace, 2, { delims, opensInPrompt: true })).toBe('Q<think>\nA. Wait B.');
  });
});

/** The reference the scan replaced: trace.ts's own split and cut, over a copy of the stored trace. */
function reference(trace: StoredSegment[], layout: { delims: typeof delims; opensInPrompt: boolean }) {
  const t: Trace = { segments: trace.map((s) => (s.kind === 'generated' ? { ...s, tokens: s.tokens.map((x) => ({ ...x, top: x.top ?? [] })) } : s)) };
  const split = splitTrace(t, layout.delims, layout.opensInPrompt);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  const inside = positionedTokens(t).filter((p) => p.start >= split.thinkingStart && p.end <= end);
  return {
    texts: inside.map((p) => p.token.text),
    ends: [split.thinkingStart, ...inside.map((p) => p.end)],
    prefix: (k: number) => {
      const cut = cutAtThinkingToken(t, k, layout.delims, layout.opensInPrompt);
      return cut ? fullText(cut) : undefined;
    },
  };
}

describe('the one-walk scan agrees with trace.ts', () => {
  it('property: thinking tokens, their ends and every prefix, whatever the segments and delimiters', () => {
    // Pieces that make delimiters appear inside tokens, across tokens and in injected text.
    const piece = fc.constantFrom('<think>', '</think>', '<th', 'ink>', '</', 'think>', '\n', ' ', 'a', 'Wait', '.', '');
    const text = fc.array(piece, { maxLength: 4 }).map((parts) => parts.join(''));
    const segment: fc.Arbitrary<StoredSegment> = fc.oneof(
      fc.array(text, { maxLength: 6 }).map((texts) => ({ kind: 'generated' as const, text: texts.join(''), tokens: tok(...texts) })),
      text.map((t) => ({ kind: 'injected' as const, text: t, label: 'x' })),
      text.map((t) => ({ kind: 'prompt' as const, text: `P${t}` })),
    );
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 6 }), fc.boolean(), (segments, opensInPrompt) => {
        const layout = { delims, opensInPrompt };
        const want = reference(segments, layout);
        expect(scanThinking(segments, layout)).toEqual({ texts: want.texts, ends: want.ends });
        const prefixAt = thinkingPrefixes(segments, layout);
        for (const k of [-1, 0.5, ...want.ends.keys(), want.ends.length, want.ends.length + 1]) {
          expect(prefixAt(k)).toBe(want.prefix(k));
          expect(prefixAtThinkingToken(segments, k, layout)).toBe(want.prefix(k));
        }
      }),
      { numRuns: 500 },
    );
  });
});
