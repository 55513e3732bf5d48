import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readGenerateStream } from './stream.ts';
import { reconcileTokens, type WireLogprob } from './tokens.ts';
import { parseGenerateLine, UnusableReplyError } from './wire.ts';

const encoder = new TextEncoder();
const token = (t: string) => JSON.stringify({ response: t, done: false, logprobs: [{ token: t, logprob: -0.5 }] });
const final = JSON.stringify({ response: '', done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: 2 });

/** A pull stream that counts what the reader took, so a test can see where reading stopped. */
function counted(next: (i: number) => string | undefined): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  let i = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = next(i++);
        if (chunk === undefined) return controller.close();
        const bytes = encoder.encode(chunk);
        pulled += bytes.length;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UnusableReplyError);
    return (error as Error).message;
  }
  throw new Error('expected an unusable reply');
}

const limits = { maxTokens: 10, topLogprobs: 0, maxLineBytes: 4096 };

describe('readGenerateStream', () => {
  it('assembles text, entries and the final line, one activity per line', async () => {
    const lines = [token('a'), token('b'), final];
    let activity = 0;
    const { body } = counted((i) => (i < lines.length ? `${lines[i]}\n` : undefined));
    const reply = await readGenerateStream(body, limits, () => activity++);
    expect(reply.text).toBe('ab');
    expect(reply.entries.map((e) => e.token)).toEqual(['a', 'b']);
    expect(reply.final).toMatchObject({ done: true, doneReason: 'stop', evalCount: 2 });
    expect(activity).toBe(3);
  });

  it('reports a stream without done, and the half line it was cut in', async () => {
    const whole = counted((i) => (i === 0 ? `${token('a')}\n` : undefined));
    expect(await readGenerateStream(whole.body, limits, () => undefined)).toMatchObject({ text: 'a', rest: '' });
    const cut = counted((i) => (i === 0 ? `${token('a')}\n{"respo` : undefined));
    const reply = await readGenerateStream(cut.body, limits, () => undefined);
    expect(reply.final).toBeUndefined();
    expect(reply.rest).toBe('{"respo');
  });

  it('stops reading a flood just past the token limit', async () => {
    const flood = counted(() => `${token('x')}\n`);
    expect(await failure(readGenerateStream(flood.body, limits, () => undefined))).toBe(
      'line 19: the server sent more than 18 tokens for num_predict 10 and had not finished (does it ignore num_predict?)',
    );
    expect(flood.pulled()).toBeLessThan(20 * (token('x').length + 1));
  });

  it('stops reading a huge line as soon as it passes the cap', async () => {
    const huge = counted((i) => (i === 0 ? `${token('a')}\n{"response":"` : 'y'.repeat(1000)));
    expect(await failure(readGenerateStream(huge.body, limits, () => undefined))).toBe('line 2: the server sent a line longer than 4096 bytes; expected one JSON object per token');
    expect(huge.pulled()).toBeLessThan(4096 + token('a').length + 2000);
  });

  it('numbers the line of a damaged reply', async () => {
    const lines = [token('a'), '{"response": "b", "done": nope}', final];
    const { body } = counted((i) => (i < lines.length ? `${lines[i]}\n` : undefined));
    expect(await failure(readGenerateStream(body, limits, () => undefined))).toMatch(/^line 2: expected one JSON object per line/);
  });

  it('ignores blank lines and whatever follows done', async () => {
    const lines = ['', token('a'), '  ', final, 'not json'];
    const { body } = counted((i) => (i < lines.length ? `${lines[i]}\n` : undefined));
    expect((await readGenerateStream(body, limits, () => undefined)).text).toBe('a');
  });

  it('builds the tokens line by line exactly as reconcileTokens would, and leaves split or trimmed tokens to it', async () => {
    const alt = (t: string, logprob: number) => ({ token: t, logprob });
    const line = (response: string, entries: object[]) => JSON.stringify({ response, done: false, logprobs: entries });
    const read = async (lines: string[], topLogprobs: number) =>
      readGenerateStream(counted((i) => (i < lines.length ? `${lines[i]}\n` : undefined)).body, { ...limits, topLogprobs }, () => undefined);

    const spelled = await read([line('Hi', [{ ...alt('Hi', -0.1), top_logprobs: [alt('Hi', -0.1), alt('Ho', -2.4)] }]), line(' there', [{ ...alt(' there', -0.3), top_logprobs: [alt(' there', -0.3), alt('!', -1.5)] }]), final], 2);
    expect(spelled.tokens).toEqual(reconcileTokens(spelled.text, spelled.entries));
    expect(spelled.tokens?.[1]).toEqual({ text: ' there', logprob: -0.3, top: [{ text: ' there', logprob: -0.3 }, { text: '!', logprob: -1.5 }] });

    // Two entries on one line that spell it are fine; a stop string trimmed inside a token is not.
    expect((await read([line('ab', [alt('a', -1), alt('b', -1)]), final], 0)).tokens).toEqual([
      { text: 'a', logprob: -1, top: [] },
      { text: 'b', logprob: -1, top: [] },
    ]);
    const trimmed = await read([line('so', [alt('so', -1)]), line(' 4', [alt(' 42</', -1)]), final], 0);
    expect(trimmed.tokens).toBeUndefined();
    expect(reconcileTokens(trimmed.text, trimmed.entries).map((t) => t.text)).toEqual(['so', ' 4']);
    // Alternatives nobody asked for are not validated by wire.ts: the whole-reply path checks them.
    expect((await read([line('a', [{ ...alt('a', -1), top_logprobs: [{ token: 'a' }] }]), final], 0)).tokens).toBeUndefined();
  });

  it('rebuilds the entries of lines it did not keep exactly as reconcileTokens reads them from the wire', async () => {
    // Lines in the servers' layout, so the fast path reads them; bytes absent, the token's UTF-8, or other bytes.
    const texts = fc.constantFrom('', 'a', ' the', '\n', '"', 'é', '😀', '\ud800', '42');
    const bytesOf = fc.constantFrom('none', 'utf8', 'utf8', 'other');
    const wire = (text: string, how: string): string => {
      const bytes = how === 'none' ? '' : `,"bytes":[${(how === 'utf8' ? [...Buffer.from(text, 'utf8')] : [1, 2]).join(',')}]`;
      return `{"token":${JSON.stringify(text)},"logprob":-0.5${bytes}`;
    };
    const entry = fc.tuple(texts, bytesOf, fc.array(fc.tuple(texts, bytesOf), { maxLength: 3 }));
    const simLine = fc.array(entry, { minLength: 1, maxLength: 3 }).map((entries) => ({
      at: (asked: number) => {
        const json = entries.map(([t, how, top]) => `${wire(t, how)}${asked > 0 ? `,"top_logprobs":[${[[t, how] as const, ...top].map(([a, h]) => `${wire(a, h)}}`).join(',')}]` : ''}}`);
        return `{"model":"sim-qwq","created_at":"2026-12-02T10:38:32.478Z","response":${JSON.stringify(entries.map(([t]) => t).join(''))},"done":false,"logprobs":[${json.join(',')}]}`;
      },
    }));
    const outcome = (text: string, entries: WireLogprob[]): unknown => {
      try {
        return reconcileTokens(text, entries);
      } catch (error) {
        return (error as Error).message;
      }
    };
    const seen = (e: WireLogprob) => ({ token: e.token, logprob: e.logprob, bytes: Array.isArray(e.bytes) ? e.bytes : undefined, top: e.top_logprobs?.map((a) => ({ token: a.token, logprob: a.logprob })) });
    // A stop string trimmed inside a token: the reply is then reconciled whole, from that line on.
    const trimmedLine = (asked: number): string =>
      JSON.stringify({ response: 'x', done: false, logprobs: [{ token: 'xy', logprob: -1, bytes: [120, 121], ...(asked > 0 ? { top_logprobs: [{ token: 'xy', logprob: -1 }] } : {}) }] });
    await fc.assert(
      fc.asyncProperty(fc.array(simLine, { minLength: 1, maxLength: 5 }), fc.constantFrom(0, 1), fc.boolean(), async (generated, asked, trim) => {
        const lines = [...generated.map((l) => l.at(asked)), ...(trim ? [trimmedLine(asked)] : []), final];
        const reply = await readGenerateStream(counted((i) => (i < lines.length ? `${lines[i]}\n` : undefined)).body, { ...limits, topLogprobs: asked }, () => undefined);
        const expected = lines.slice(0, -1).flatMap((l, i) => parseGenerateLine(l, i, asked).logprobs);
        expect(reply.entries.map(seen)).toEqual(expected.map(seen));
        expect(outcome(reply.text, reply.entries)).toEqual(outcome(reply.text, expected));
      }),
      { numRuns: 300 },
    );
  });
});
