import { describe, expect, it } from 'vitest';
import { readSse, SseFormatError, type SseItem } from './openai-sse.ts';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : part;
}

async function collect(body: AsyncIterable<Uint8Array>, maxLineBytes = 1 << 20): Promise<SseItem[]> {
  const out: SseItem[] = [];
  for await (const item of readSse(body, { maxLineBytes })) out.push(item);
  return out;
}

describe('readSse', () => {
  it('hands over whole data payloads however the bytes are split, and stops at [DONE]', async () => {
    const text = 'data: {"a":1}\n\n: keep-alive\nevent: x\ndata:{"b":"é"}\r\n\ndata: [DONE]\n\ndata: {"late":1}\n\n';
    const bytes = new TextEncoder().encode(text);
    for (const cut of [1, 3, 7, 17, bytes.length]) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += cut) parts.push(bytes.subarray(i, i + cut));
      expect(await collect(chunks(...parts))).toEqual([
        { kind: 'data', data: '{"a":1}' },
        { kind: 'data', data: '{"b":"é"}' },
        { kind: 'done' },
      ]);
    }
  });

  it('yields no done for a stream cut before [DONE]', async () => {
    expect(await collect(chunks('data: {"a":1}\n\ndata: {"b"'))).toEqual([
      { kind: 'data', data: '{"a":1}' },
      { kind: 'data', data: '{"b"' },
    ]);
  });

  it('refuses a line over the cap, also when it never ends', async () => {
    await expect(collect(chunks(`data: ${'x'.repeat(100)}\n`), 50)).rejects.toBeInstanceOf(SseFormatError);
    async function* endless(): AsyncGenerator<Uint8Array> {
      const block = new TextEncoder().encode('y'.repeat(1000));
      for (let i = 0; i < 10_000; i++) yield block;
    }
    await expect(collect(endless(), 64 * 1024)).rejects.toThrow(/longer than 65536 bytes/);
  });
});
