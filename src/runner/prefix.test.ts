import { describe, expect, it } from 'vitest';
import type { StoredSegment } from '../core/model.ts';
import { prefixAtThinkingToken, thinkingTokenEnds, thinkingTokens } from './prefix.ts';

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
