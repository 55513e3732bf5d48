import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startSimServer, type SimServer } from '../sim/server/index.ts';
import type { CompletionToken } from './backend.ts';
import { FastLineReader } from './fast-line.ts';
import { lineTokens } from './stream.ts';
import { parseGenerateLine } from './wire.ts';

/** What the reference path makes of a line: its response and tokens, or undefined when it throws or cannot build them line by line. */
function reference(line: string, asked: number): { response: string; tokens: CompletionToken[] } | undefined {
  try {
    const parsed = parseGenerateLine(line, 0, asked);
    const tokens: CompletionToken[] = [];
    if (parsed.done || !lineTokens(parsed.response, parsed.logprobs, asked, tokens)) return undefined;
    return { response: parsed.response, tokens };
  } catch {
    return undefined;
  }
}

function fast(line: string, asked: number): { response: string; tokens: CompletionToken[] } | undefined {
  const before: CompletionToken = { text: 'before', logprob: -1, top: [] };
  const tokens = [before];
  const response = new FastLineReader().read(line, asked, tokens);
  if (response === undefined) {
    expect(tokens).toEqual([before]); // a declined line appends nothing
    return undefined;
  }
  return { response, tokens: tokens.slice(1) };
}

/** The fast path declines, or gives exactly what the reference path gives (and then the reference accepted the line). */
function agrees(line: string, asked: number): void {
  const got = fast(line, asked);
  if (got !== undefined) expect(got).toEqual(reference(line, asked));
}

// Strings as the servers write them: JSON.stringify's escapes, Go's \u003c for <, > and &, a \/ now and then.
const unit = fc.oneof(fc.constantFrom('"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '<', '&', '\u2028', '\ud800', '\udc00', 'é', '😀', ' '), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }));
const text = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));
const style = fc.constantFrom('js', 'go', 'unicode');
function encode(value: string, how: string): string {
  const json = JSON.stringify(value);
  if (how === 'go') return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (how !== 'unicode') return json;
  const escaped = [...value].map((c) => (/[a-z]/.test(c) ? `\\u00${c.charCodeAt(0).toString(16).toUpperCase()}` : c === '/' ? '\\/' : JSON.stringify(c).slice(1, -1)));
  return `"${escaped.join('')}"`;
}
// Numbers in every form JSON allows (and a few it does not: leading zeros, a bare dot).
const number = fc.oneof(
  { arbitrary: fc.double({ noNaN: true, min: -50, max: 0 }).map((x) => JSON.stringify(x)), weight: 8 },
  { arbitrary: fc.constantFrom('-0', '0', '-0.0', '1e-7', '-1.5E-07', '-1e+2', '-0.000001', '0.000001', '0.0000011', '-1e400', '1e400', '-01', '-.5', '-1.', '-2e', 'NaN', '-Infinity', '1.0'), weight: 1 },
  { arbitrary: fc.tuple(fc.nat(99), fc.nat(), fc.integer({ min: -330, max: 330 })).map(([i, f, e]) => `-${i}.${f}e${e}`), weight: 1 },
);
const bytes = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  { arbitrary: fc.array(fc.nat(255), { maxLength: 4 }).map((b) => `,"bytes":[${b.join(',')}]`), weight: 3 },
  { arbitrary: fc.constantFrom(',"bytes":[256]', ',"bytes":null', ',"bytes":[1.0]', ',"bytes":[01]', ',"bytes":[-1]'), weight: 1 },
);
const choice = fc.tuple(text, style, number, bytes).map(([t, how, n, b]) => ({ token: t, json: `{"token":${encode(t, how)},"logprob":${n}${b}}` }));
const entry = fc.tuple(choice, fc.option(fc.array(choice, { maxLength: 4 }), { nil: undefined }), fc.boolean()).map(([c, top, reuse]) => {
  // Mostly the chosen token listed first among the alternatives, with its own raw text (what the reuse shortcut sees).
  const alternatives = top && reuse ? [c, ...top] : top;
  const json = alternatives === undefined ? c.json : `${c.json.slice(0, -1)},"top_logprobs":[${alternatives.map((a) => a.json).join(',')}]}`;
  return { token: c.token, json };
});
const tokenLine = fc.tuple(fc.array(entry, { minLength: 1, maxLength: 3 }), style, fc.boolean(), text).map(([entries, how, spelled, other]) => {
  const response = spelled ? entries.map((e) => e.token).join('') : other;
  return `{"model":"sim-qwq","created_at":"2026-12-02T10:38:32.478Z","response":${encode(response, how)},"done":false,"logprobs":[${entries.map((e) => e.json).join(',')}]}`;
});
const asked = fc.constantFrom(0, 0, 1, 2, 5, 20);

describe('FastLineReader', () => {
  let sim: SimServer;
  const simLines = new Map<number, string[]>();
  beforeAll(async () => {
    sim = await startSimServer({ port: 0 });
    for (const topLogprobs of [0, 5, 20]) {
      const reply = await fetch(`${sim.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({
          model: 'sim-qwq',
          prompt: '<|im_start|>user\nWhat is 17 * 23 + 4 < 400 & why? Answer "yes" or "no".<|im_end|>\n<|im_start|>assistant\n<think>\n',
          raw: true,
          think: false,
          stream: true,
          logprobs: true,
          top_logprobs: topLogprobs,
          options: { num_predict: 300, seed: 3, temperature: 1 },
        }),
      });
      simLines.set(topLogprobs, (await reply.text()).split('\n').filter((line) => line !== '' && !line.includes('"done":true')));
    }
  });
  afterAll(async () => {
    await sim?.close();
  });

  it("reads every token line of the simulator, exactly as the reference path does (it must not silently stop applying)", () => {
    for (const [topLogprobs, lines] of simLines) {
      expect(lines.length).toBeGreaterThan(100);
      for (const line of lines) {
        const got = fast(line, topLogprobs);
        expect(got, line).toBeDefined();
        expect(got).toEqual(reference(line, topLogprobs));
      }
    }
    expect(simLines.get(20)!.some((line) => line.includes('\\n'))).toBe(true);
  });

  it("says the simulator's lines carry their tokens' own bytes, so a reply need not keep their text", () => {
    const reader = new FastLineReader();
    for (const [topLogprobs, lines] of simLines) {
      let own = 0;
      for (const line of lines) if (reader.read(line, topLogprobs, []) !== undefined && reader.lineBytes === 1) own++;
      expect(own / lines.length).toBeGreaterThan(0.9);
    }
    expect(reader.read('{"model":"m","created_at":"t","response":"a","done":false,"logprobs":[{"token":"a","logprob":-1}]}', 0, [])).toBe('a');
    expect(reader.lineBytes).toBe(0);
    expect(reader.read('{"model":"m","created_at":"t","response":"a","done":false,"logprobs":[{"token":"a","logprob":-1,"bytes":[98]}]}', 0, [])).toBe('a');
    expect(reader.lineBytes).toBe(-1);
    expect(reader.read('{"model":"m","created_at":"t","response":"é","done":false,"logprobs":[{"token":"é","logprob":-1,"bytes":[195,169]}]}', 0, [])).toBe('é');
    expect(reader.lineBytes).toBe(-1);
  });

  it('declines or agrees with the reference path on generated lines, and reads every layout-conforming line the reference accepts', () => {
    let read = 0;
    fc.assert(
      fc.property(tokenLine, asked, (line, topLogprobs) => {
        agrees(line, topLogprobs);
        const expected = reference(line, topLogprobs);
        if (expected !== undefined) read++;
        // What it declines although the reference reads it: only the forms it leaves to JSON.parse.
        if (expected !== undefined && fast(line, topLogprobs) === undefined) expect(line).toMatch(/"bytes":(null|\[[^\]]*1\.0)/);
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(200); // ~320 of 3000: the generator reaches the fast path, not only its refusals
  });

  it('declines or agrees on damaged simulator lines: a character dropped, added or replaced', () => {
    const lines = [...simLines.get(5)!.slice(0, 40), ...simLines.get(20)!.slice(0, 10)];
    const damage = fc.tuple(fc.constantFrom(...lines), fc.nat(), fc.constantFrom('drop', 'add', 'replace'), fc.constantFrom(' ', '"', '\\', ',', '}', ']', '{', '[', ':', '-', '.', 'e', '0', '9', 'x', '\r', '\u0000'));
    fc.assert(
      fc.property(damage, asked, ([line, at, how, char], topLogprobs) => {
        const i = at % line.length;
        const damaged = how === 'drop' ? line.slice(0, i) + line.slice(i + 1) : line.slice(0, i) + char + line.slice(how === 'add' ? i : i + 1);
        agrees(damaged, topLogprobs);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves other layouts, done lines, error lines and long lines to the reference path', () => {
    const line = simLines.get(5)![0]!;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(line) as object).reverse()));
    const spaced = JSON.stringify(JSON.parse(line), null, 1).replace(/\n/g, '');
    for (const other of [reordered, spaced, `${line} `, '{"error":"model runner crashed"}', line.replace('"done":false', '"done":true'), line.replace('"logprobs"', '"thinking":"","logprobs"')]) {
      expect(fast(other, 5)).toBeUndefined();
    }
    const long = line.replace('"created_at":"', `"created_at":"${'x'.repeat(20000)}`);
    expect(reference(long, 5)).toBeDefined();
    expect(fast(long, 5)).toBeUndefined();
  });
});
