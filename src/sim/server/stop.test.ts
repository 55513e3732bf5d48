import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StopMatcher } from './stop.ts';

function run(pieces: string[], stops: string[]): { text: string; items: number[]; stopped: boolean; emittedBeforeEnd: string[] } {
  const matcher = new StopMatcher<number>(stops);
  let text = '';
  const items: number[] = [];
  const emittedBeforeEnd: string[] = [];
  for (const [index, piece] of pieces.entries()) {
    const result = matcher.push(piece, index);
    for (const out of result.emit) {
      text += out.text;
      items.push(out.item);
      emittedBeforeEnd.push(out.text);
    }
    if (result.stopped) return { text, items, stopped: true, emittedBeforeEnd };
  }
  for (const out of matcher.flush()) {
    text += out.text;
    items.push(out.item);
  }
  return { text, items, stopped: false, emittedBeforeEnd };
}

describe('StopMatcher', () => {
  it('removes a stop string that spans pieces and drops the pieces that formed it', () => {
    const result = run(['The answer', ' is', ' 4', '</th', 'ink>', ' more'], ['</think>']);
    expect(result).toMatchObject({ text: 'The answer is 4', items: [0, 1, 2], stopped: true });
  });

  it('keeps the entry of a piece cut in the middle, as Ollama does', () => {
    const result = run(['ab', 'cWai', 't!'], ['Wait']);
    expect(result.text).toBe('abc');
    expect(result.items).toEqual([0, 1]);
  });

  it('holds back a partial match and releases it when the match fails', () => {
    const matcher = new StopMatcher<number>(['STOP']);
    expect(matcher.push('xST', 0).emit).toEqual([]);
    const next = matcher.push('ray', 1);
    expect(next.emit.map((p) => p.text)).toEqual(['xST', 'ray']);
    expect(next.stopped).toBe(false);
  });

  it('releases held-back text at the end of the generation', () => {
    const result = run(['hello', ' </thi'], ['</think>']);
    expect(result).toMatchObject({ text: 'hello </thi', stopped: false, items: [0, 1] });
  });

  it('matches the returned text of Ollama for any pieces and stop strings', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '<', '>', ' ');
    const piece = fc.string({ unit: alphabet, minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 3 }), { maxLength: 3 }), (pieces, stops) => {
        const result = run(pieces, stops);
        let joined = '';
        let stoppedAt: string | undefined;
        for (const p of pieces) {
          joined += p;
          stoppedAt = stops.find((s) => joined.includes(s));
          if (stoppedAt !== undefined) break;
        }
        const cut = stoppedAt === undefined ? joined.length : joined.indexOf(stoppedAt);
        expect(result.text).toBe(joined.slice(0, cut));
        expect(result.stopped).toBe(stoppedAt !== undefined);
        // One entry per piece that keeps some text: the pieces starting before the cut.
        const expectedItems: number[] = [];
        let offset = 0;
        for (const [index, p] of pieces.entries()) {
          if (offset >= cut) break;
          if (stoppedAt === undefined || offset < cut) expectedItems.push(index);
          offset += p.length;
        }
        expect(result.items).toEqual(expectedItems);
      }),
      { numRuns: 300 },
    );
  });
});
