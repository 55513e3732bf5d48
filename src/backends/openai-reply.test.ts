import { describe, expect, it } from 'vitest';
import { errorMessage, legacyEntries, readChoice, ReplyShapeError, ServerErrorEvent, tokenBytes } from './openai-reply.ts';

const logprobs = (over: Record<string, unknown> = {}) => ({
  tokens: ['Hel', 'lo'],
  token_logprobs: [-0.5, -0.25],
  top_logprobs: [{ Hel: -0.5, He: -1.5 }, { lo: -0.25 }],
  text_offset: [0, 3],
  ...over,
});

describe('legacy logprobs', () => {
  it('reads entries with alternatives sorted most likely first', () => {
    const entries = legacyEntries(logprobs({ top_logprobs: [{ He: -1.5, Hel: -0.5 }, { lo: -0.25 }] }), 2, 'x');
    expect(entries.map((e) => e.token)).toEqual(['Hel', 'lo']);
    expect(entries[0]!.top_logprobs!.map((t) => t.token)).toEqual(['Hel', 'He']);
  });

  it('refuses positive, non-finite or missing logprobs, mismatched arrays and empty alternative maps', () => {
    expect(() => legacyEntries(logprobs({ token_logprobs: [0.5, -1] }), 1, 'x')).toThrow(/must not be positive/);
    expect(() => legacyEntries(logprobs({ token_logprobs: [null, -1] }), 1, 'x')).toThrow(ReplyShapeError);
    expect(() => legacyEntries(logprobs({ token_logprobs: ['-Infinity', -1] }), 1, 'x')).toThrow(/finite/);
    expect(() => legacyEntries(logprobs({ tokens: ['a'] }), 1, 'x')).toThrow(/equal length/);
    expect(() => legacyEntries(logprobs({ top_logprobs: [{}, { lo: -0.25 }] }), 1, 'x')).toThrow(/got none/);
    expect(() => legacyEntries(logprobs({ top_logprobs: [{ a: 1 }, { lo: -0.25 }] }), 1, 'x')).toThrow(/must not be positive/);
    // A hair above zero is float rounding, clamped.
    expect(legacyEntries(logprobs({ token_logprobs: [1e-7, -1] }), 1, 'x')[0]!.logprob).toBe(0);
  });

  it("turns vLLM's bytes: tokens back into bytes", () => {
    expect(tokenBytes('bytes:\\xe2\\x80')).toEqual([0xe2, 0x80]);
    expect(tokenBytes('é')).toEqual([0xc3, 0xa9]);
  });
});

describe('readChoice', () => {
  it('reads text, entries and finish_reason; a usage event has no choice', () => {
    const piece = readChoice({ choices: [{ text: 'Hello', logprobs: logprobs(), finish_reason: 'length' }] }, 1, 'event 1');
    expect(piece).toMatchObject({ text: 'Hello', finishReason: 'length' });
    expect(readChoice({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }, 1, 'e')).toBeUndefined();
  });

  it('refuses unknown finish reasons and missing text, and surfaces error events', () => {
    expect(() => readChoice({ choices: [{ text: 'a', logprobs: null, finish_reason: 'abort' }] }, null, 'e')).toThrow(/finish_reason/);
    expect(() => readChoice({ choices: [{ logprobs: null }] }, null, 'e')).toThrow(/text: expected a string/);
    expect(() => readChoice({ error: { message: 'boom', code: 500 } }, 1, 'e')).toThrow(ServerErrorEvent);
  });

  it('reads every engine error shape without control characters', () => {
    expect(errorMessage({ object: 'error', message: 'bad\u001b[31m' })).toBe('bad [31m');
    expect(errorMessage({ error: { message: 'x', code: 400 } })).toBe('x');
    expect(errorMessage({ error: 'plain' })).toBe('plain');
  });
});
