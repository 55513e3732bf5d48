import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLineReader, LineTooLongError } from './ndjson.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('createLineReader', () => {
  it('gives back the same lines however the bytes are split, multi-byte characters included', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/[\n\r]/g, '')), { maxLength: 8 }), fc.array(fc.nat(64), { maxLength: 10 }), (lines, cuts) => {
        const all = bytes(lines.map((l) => `${l}\n`).join(''));
        const reader = createLineReader(1 << 16);
        const got: string[] = [];
        let at = 0;
        for (const cut of [...cuts, all.length]) {
          const end = Math.min(all.length, at + cut);
          got.push(...reader.push(all.subarray(at, end)));
          at = end;
        }
        expect(got).toEqual(lines);
        expect(reader.rest()).toBe('');
      }),
    );
  });

  it('keeps a line cut before its newline as the rest, and trims \\r', () => {
    const reader = createLineReader(100);
    expect(reader.push(bytes('{"a":1}\r\n{"b"'))).toEqual(['{"a":1}']);
    expect(reader.rest()).toBe('{"b"');
  });

  it('refuses a line as soon as it passes the cap, before its newline arrives', () => {
    const reader = createLineReader(10);
    expect(reader.push(bytes('0123456789\n'))).toEqual(['0123456789']);
    reader.push(bytes('01234'));
    expect(() => reader.push(bytes('567890'))).toThrow(LineTooLongError);
    expect(() => createLineReader(10).push(bytes('01234567890\n'))).toThrow('a line longer than 10 bytes');
  });
});
