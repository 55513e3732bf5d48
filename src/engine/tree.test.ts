import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CompletionToken } from '../backends/backend.ts';
import { answerAfterSuffix } from '../confidence/answer.ts';
import { DEER_TRIAL_SUFFIX, DYNASOR_PROBE_SUFFIX, RAML_SUFFIX } from '../confidence/suffixes.ts';
import { tokensOverlapping } from '../confidence/self-confidence.ts';
import { readBoxed, readProbe } from './tree.ts';

const toks = (...t: string[]) => t.map((text) => ({ text }));

describe('readBoxed', () => {
  it('reads a brace-balanced answer after a suffix that opens the box', () => {
    expect(readBoxed('\\boxed{', toks('\\frac', '{1}', '{2', '}}', ' more'))).toEqual({ answer: '\\frac{1}{2}', used: 4, answerFrom: 0 });
  });
  it('opens the box itself after a bare \\boxed (DEER)', () => {
    // The answer starts at `42`: the lone `{` is not part of it (as in src/confidence's self-confidence).
    expect(readBoxed('\\boxed', toks(' ', '{', '42', '}', '.'))).toEqual({ answer: '42', used: 4, answerFrom: 2 });
  });
  it('gives no answer when the box never closes or never opens', () => {
    expect(readBoxed('\\boxed{', toks('4', '2')).answer).toBeUndefined();
    expect(readBoxed('\\boxed', toks('x', '{1}'))).toEqual({ answer: undefined, used: 1, answerFrom: 0 });
  });
});

const lp = (...t: [string, number][]): CompletionToken[] => t.map(([text, p]) => ({ text, logprob: Math.log(p), top: [] }));
const mean = (ts: CompletionToken[]) => ts.reduce((s, t) => s + Math.exp(t.logprob), 0) / ts.length;

describe('readProbe: the confidence stage\'s answer and tokens', () => {
  it('leaves the lone braces out of the answer tokens (DEER\'s confidence)', () => {
    const read = readProbe(DEER_TRIAL_SUFFIX, lp([' ', 0.9], ['{', 0.99], ['42', 0.5], ['}', 0.99], ['.', 0.9]));
    expect(read.answer).toBe('42');
    expect(read.used).toBe(4);
    expect(read.answerTokens.map((t) => t.text)).toEqual(['42']);
    expect(mean(read.answerTokens)).toBeCloseTo(0.5, 12);
  });
  it('counts a token that holds a brace and answer text (`{12`)', () => {
    const read = readProbe(DEER_TRIAL_SUFFIX, lp(['{12', 0.4], ['}', 0.99]));
    expect(read.answer).toBe('12');
    expect(read.answerTokens.map((t) => t.text)).toEqual(['{12']);
  });
  it('treats escaped braces as content', () => {
    const read = readProbe(RAML_SUFFIX, lp(['\\{', 0.5], ['1,2', 0.5], ['\\}', 0.5], ['}', 0.9], [' and', 0.5]));
    expect(read.answer).toBe('\\{1,2\\}');
    expect(read.used).toBe(4);
    expect(read.settled).toBe(true);
    expect(readBoxed('\\boxed{', toks('\\}', '}')).answer).toBe('\\}');
    // An escaped closing brace does not close the box.
    expect(readProbe(RAML_SUFFIX, lp(['\\}', 0.5])).settled).toBe(false);
  });
  it('agrees with answerAfterSuffix and tokensOverlapping on any tokenization', () => {
    const pieces = fc.constantFrom(' ', '{', '}', '4', '2', '\\frac', '{1}', '\\{', '\\}', 'x', '.', '\n', '12}', '{3');
    fc.assert(
      fc.property(fc.constantFrom(RAML_SUFFIX, DEER_TRIAL_SUFFIX, DYNASOR_PROBE_SUFFIX), fc.array(pieces, { maxLength: 12 }), (suffix, texts) => {
        const tokens = lp(...texts.map((t): [string, number] => [t, 0.5]));
        const read = readProbe(suffix, tokens, true);
        const span = answerAfterSuffix(suffix, texts.join(''));
        expect(read.answer).toBe(span.answer === null ? undefined : span.answer.trim());
        if (span.answer !== null) expect(read.answerTokens).toEqual(tokensOverlapping(tokens, span.start, span.end));
      }),
      { numRuns: 300 },
    );
  });
});
