import { describe, expect, it } from 'vitest';
import { ErrorLine, parseGenerateLine, UnusableReplyError } from './wire.ts';

const entry = (logprob: unknown, top: unknown[] = []) => ({ token: 'a', logprob, bytes: [97], top_logprobs: top });
const alt = (logprob: number) => ({ token: 'b', logprob, bytes: [98] });
const line = (fields: Record<string, unknown>) => JSON.stringify({ model: 'm', created_at: 'x', response: 'a', done: false, ...fields });

function reason(text: string, asked = 0): string {
  try {
    parseGenerateLine(text, 0, asked);
  } catch (error) {
    if (error instanceof UnusableReplyError) return error.message;
    throw error;
  }
  throw new Error('expected an unusable reply');
}

describe('parseGenerateLine', () => {
  it('reads a token line and a final line with counts', () => {
    const token = parseGenerateLine(line({ logprobs: [entry(-0.5, [alt(-0.5), alt(-1)])] }), 0, 2);
    expect(token).toMatchObject({ response: 'a', done: false });
    expect(token.logprobs).toHaveLength(1);
    const final = parseGenerateLine(line({ response: '', done: true, done_reason: 'stop', prompt_eval_count: 7, eval_count: 3, eval_duration: 1e6 }), 5, 0);
    expect(final).toMatchObject({ done: true, doneReason: 'stop', promptEvalCount: 7, evalCount: 3, evalDuration: 1e6 });
  });

  it('refuses what is not one JSON object, quoting it with escapes visible', () => {
    expect(reason('{"response": "a", "done": fal')).toMatch(/^expected one JSON object per line, got "\{"response/);
    expect(reason('[1,2]')).toMatch(/expected one JSON object per line/);
    expect(reason('<html>\u001b[2J</html>')).toBe('expected one JSON object per line, got "<html>\\u001b[2J</html>"');
  });

  it('refuses NaN, infinite and positive logprobs, on the token or any alternative, naming the entry', () => {
    expect(reason(line({ logprobs: [entry('NaN')] }))).toBe('logprobs entry 0 logprob is "NaN"; expected a finite number <= 0');
    expect(reason(line({ logprobs: [entry(null)] }))).toMatch(/logprobs entry 0 logprob is null/);
    expect(reason(line({ logprobs: [entry(-1), entry(2)] }))).toBe('logprobs entry 1 logprob is 2; expected a finite number <= 0');
    expect(reason(line({ logprobs: [entry(-1, [alt(-1), alt(0.5)])] }), 2)).toMatch(/^logprobs entry 0 alternative 1 logprob is 0.5/);
    expect(reason('{"response":"a","done":false,"logprobs":[{"token":"a","logprob":1e999}]}')).toMatch(/logprob is Infinity/);
    expect(parseGenerateLine(line({ logprobs: [entry(0)] }), 0, 0).logprobs).toHaveLength(1); // log(1) is fine
  });

  it('refuses fewer alternatives than asked unless they already hold all the probability', () => {
    const short = [alt(-0.5), alt(-1.5), alt(-2.5)];
    expect(reason(line({ logprobs: [entry(-0.5, short)] }), 20)).toMatch(/^logprobs entry 0 lists 3 alternatives, 20 were asked \(they hold \d+\.\d% of the probability/);
    expect(reason(line({ logprobs: [entry(-0.5)] }), 3)).toMatch(/lists 0 alternatives, 3 were asked/);
    // A distribution with two possible tokens has only two alternatives to give.
    expect(parseGenerateLine(line({ logprobs: [entry(Math.log(0.75), [alt(Math.log(0.75)), alt(Math.log(0.25))])] }), 0, 20).logprobs).toHaveLength(1);
    expect(parseGenerateLine(line({ logprobs: [entry(-0.5, short)] }), 0, 3).logprobs).toHaveLength(1);
  });

  it('refuses wrong types for response, done, bytes and counts', () => {
    expect(reason(line({ response: 5 }))).toMatch(/^response is 5; expected a string/);
    expect(reason(line({ done: 'yes' }))).toMatch(/^done is "\\"yes\\""|^done is/);
    expect(reason(line({ logprobs: [{ token: 'a', logprob: -1, bytes: [300] }] }))).toMatch(/bytes is not a list of byte values/);
    expect(reason(line({ logprobs: [{ logprob: -1 }] }))).toMatch(/logprobs entry 0 is not \{token: string/);
    expect(reason(line({ done: true, done_reason: 'stop', eval_count: -1 }))).toMatch(/eval_count is -1/);
  });

  it('turns an error line into ErrorLine with the server words', () => {
    expect(() => parseGenerateLine('{"error":"model runner crashed"}', 0, 0)).toThrow(ErrorLine);
  });
});

describe('non-JSON numbers', () => {
  it('names NaN and Infinity written bare, as Python servers do', () => {
    expect(reason('{"response":"a","done":false,"logprobs":[{"token":"a","logprob":NaN}]}')).toMatch(/NaN and Infinity are not JSON numbers/);
    expect(reason('{"response":"a","logprobs":[{"token":"a","logprob":-Infinity}]}')).toMatch(/NaN and Infinity are not JSON numbers/);
    expect(reason('{"response":"NaN is a word"')).not.toMatch(/not JSON numbers/);
  });
});
