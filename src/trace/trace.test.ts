import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  answerText,
  appendGenerated,
  appendGeneratedText,
  appendInjected,
  continuationText,
  countTrace,
  cutAtOffset,
  cutAtThinkingToken,
  fullText,
  meanTokenProbability,
  positionedTokens,
  promptOpensThinking,
  splitTrace,
  thinkingText,
  traceOf,
  type Trace,
  type TraceToken,
} from './trace.ts';

const delims = { thinkOpen: '<think>', thinkClose: '</think>' };
const tok = (text: string, logprob = -0.1): TraceToken => ({ text, logprob, top: [] });
const PROMPT = '<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n<think>\n';

describe('trace model', () => {
  it('splits thinking and answer, counting only whole tokens before the close as thinking', () => {
    // The close sits inside the token "ok</think>": that token is neither thinking nor answer.
    const trace = appendGenerated(traceOf(PROMPT), [tok('a'), tok(' b'), tok('ok</think>'), tok('\n\n'), tok('42')]);
    const counts = countTrace(trace, delims, true);
    expect(counts).toMatchObject({ thinking: 2, answer: 2, generated: 5, injectedChars: 0 });
    expect(thinkingText(trace, delims, true)).toBe('a bok');
    expect(answerText(trace, delims, true)).toBe('\n\n42');
  });

  it('handles a model that writes the open delimiter itself', () => {
    const trace = appendGenerated(traceOf('<|im_start|>assistant\n'), [tok('<think>'), tok('\n'), tok('x'), tok(' y'), tok('</think>'), tok('A')]);
    expect(splitTrace(trace, delims, false)).toEqual({ thinkingStart: 8, thinkingEnd: 11, answerStart: 19 });
    expect(countTrace(trace, delims, false)).toMatchObject({ thinking: 2, answer: 1 });
  });

  it('finds the close in injected text and keeps provenance', () => {
    let trace = appendGenerated(traceOf(PROMPT), [tok('a'), tok(' b')]);
    trace = appendInjected(trace, '\n</think>\n\nFinal Answer:', 'budget', 7);
    trace = appendGenerated(trace, [tok(' 42')]);
    const counts = countTrace(trace, delims, true);
    expect(counts).toMatchObject({ thinking: 2, answer: 1, injected: 7, injectedChars: 24 });
    expect(trace.segments.map((s) => s.kind)).toEqual(['prompt', 'generated', 'injected', 'generated']);
    expect(fullText(trace)).toBe(`${PROMPT}a b\n</think>\n\nFinal Answer: 42`);
  });

  it('merges adjacent generated segments', () => {
    const trace = appendGenerated(appendGenerated(traceOf('P'), [tok('a')]), [tok('b')]);
    expect(trace.segments).toHaveLength(2);
    expect(continuationText(trace)).toBe('ab');
  });

  it('cuts at a character offset inside a token, keeping the partial text as non-token text', () => {
    const trace = appendGenerated(traceOf('P'), [tok('ab'), tok('cd</think>'), tok('x')]);
    const cut = cutAtOffset(trace, 4);
    expect(continuationText(cut)).toBe('abcd');
    expect(countTrace(cut, delims, true).generated).toBe(1);
  });

  it('cuts exactly at thinking token k (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(' a', ' bb', '\n\n', 'Wait', ',', ' 42'), { minLength: 1, maxLength: 60 }), fc.nat(80), (texts, k) => {
        const trace = appendGenerated(traceOf(PROMPT), [...texts.map((t) => tok(t)), tok('</think>'), tok('A')]);
        const cut = cutAtThinkingToken(trace, k, delims, true);
        if (k > texts.length) {
          expect(cut).toBeUndefined();
          return;
        }
        expect(cut).toBeDefined();
        expect(countTrace(cut!, delims, true).thinking).toBe(k);
        expect(continuationText(cut!)).toBe(texts.slice(0, k).join(''));
      }),
      { numRuns: 200 },
    );
  });

  it('knows whether a prompt opened the thinking', () => {
    expect(promptOpensThinking(PROMPT, delims)).toBe(true);
    expect(promptOpensThinking(`${PROMPT}x</think>\n`, delims)).toBe(false);
    expect(promptOpensThinking('<|im_start|>assistant\n', delims)).toBe(false);
  });

  it('mean token probability', () => {
    expect(meanTokenProbability([{ logprob: 0 }, { logprob: Math.log(0.5) }])).toBeCloseTo(0.75);
    expect(meanTokenProbability([])).toBeNaN();
  });
});

/** countTrace as first written, over positionedTokens: the allocation-free walk must agree. */
function referenceCounts(trace: Trace, opensInPrompt: boolean) {
  const split = splitTrace(trace, delims, opensInPrompt);
  const end = split.thinkingEnd ?? Number.POSITIVE_INFINITY;
  const answerStart = split.answerStart ?? Number.POSITIVE_INFINITY;
  const tokens = positionedTokens(trace);
  const thinking = tokens.filter((t) => t.start >= split.thinkingStart && t.end <= end).length;
  const answer = tokens.filter((t) => !(t.start >= split.thinkingStart && t.end <= end) && t.start >= answerStart).length;
  let injected: number | undefined = 0;
  let injectedChars = 0;
  for (const seg of trace.segments) {
    if (seg.kind !== 'injected') continue;
    injectedChars += seg.text.length;
    injected = injected === undefined || seg.tokens === undefined ? undefined : injected + seg.tokens;
  }
  return { thinking, answer, generated: tokens.length, injected, injectedChars };
}

describe('countTrace against the positionedTokens reference', () => {
  it('agrees on random traces (delimiters split across tokens and injections)', () => {
    const piece = fc.constantFrom('a', ' b', '<think>', '</think>', '</th', 'ink>', '\n', '', ' ');
    const segment = fc.oneof(
      fc.array(piece, { maxLength: 6 }).map((texts) => ({ kind: 'generated' as const, texts })),
      fc.record({ kind: fc.constant('injected' as const), text: piece, tokens: fc.option(fc.nat(5), { nil: undefined }) }),
    );
    fc.assert(
      fc.property(fc.constantFrom(PROMPT, 'plain prompt\n'), fc.array(segment, { maxLength: 6 }), fc.boolean(), (prompt, segments, opensInPrompt) => {
        let trace = traceOf(prompt);
        for (const seg of segments) {
          trace = seg.kind === 'generated' ? appendGenerated(trace, seg.texts.map((t) => tok(t))) : appendInjected(trace, seg.text, 'x', seg.tokens);
        }
        expect(countTrace(trace, delims, opensInPrompt)).toEqual(referenceCounts(trace, opensInPrompt));
      }),
      { numRuns: 300 },
    );
  });
});

describe('appendGeneratedText', () => {
  it('is appendGenerated given the joined text', () => {
    const texts = fc.array(fc.constantFrom('a', ' b', '</think>', ''), { maxLength: 5 });
    fc.assert(
      fc.property(texts, texts, fc.boolean(), (first, more, inject) => {
        let base = appendGenerated(traceOf(PROMPT), first.map((t) => tok(t)));
        if (inject) base = appendInjected(base, 'Wait', 'x');
        const tokens = more.map((t) => tok(t));
        expect(appendGeneratedText(base, tokens, more.join(''))).toEqual(appendGenerated(base, tokens));
      }),
    );
  });
});
