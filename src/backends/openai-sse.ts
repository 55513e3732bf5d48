/**
 * Reads a server-sent-events body strictly and boundedly: every `data:` payload is handed over
 * whole, lines are capped in size (checked as bytes arrive, so a line without end costs linear
 * time and bounded memory), `data: [DONE]` ends the stream, and a body that ends without it is a
 * cut stream. Comments (`:`), `event:`/`id:`/`retry:` fields and blank lines are skipped, as the
 * SSE format allows. Pure over an async iterable of byte chunks, so it is tested without a server.
 */

export class SseFormatError extends Error {
  override readonly name = 'SseFormatError';
}

export interface SseLimits {
  /** Longest line accepted, in bytes (a token event is well under 64 KiB). */
  maxLineBytes: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { maxLineBytes: 1 << 20 };

export type SseItem = { kind: 'data'; data: string } | { kind: 'done' };

/** Yields each `data:` payload and then `{kind: 'done'}` for `[DONE]`; throws SseFormatError on a line over the cap. */
export async function* readSse(body: AsyncIterable<Uint8Array>, limits: SseLimits = DEFAULT_SSE_LIMITS): AsyncGenerator<SseItem> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  let pendingBytes = 0;
  for await (const chunk of body) {
    let start = 0;
    // Scan only the new bytes for line ends: linear in the body's size.
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      const line = pending + decoder.decode(chunk.subarray(start, i), { stream: true });
      if (pendingBytes + (i - start) > limits.maxLineBytes) throw new SseFormatError(`an event line is longer than ${limits.maxLineBytes} bytes`);
      pending = '';
      pendingBytes = 0;
      start = i + 1;
      const item = parseLine(line);
      if (item) {
        yield item;
        if (item.kind === 'done') return;
      }
    }
    pendingBytes += chunk.length - start;
    if (pendingBytes > limits.maxLineBytes) throw new SseFormatError(`an event line is longer than ${limits.maxLineBytes} bytes`);
    pending += decoder.decode(chunk.subarray(start), { stream: true });
  }
  pending += decoder.decode();
  const last = parseLine(pending);
  if (last) yield last;
}

function parseLine(raw: string): SseItem | undefined {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (line === '' || line.startsWith(':')) return undefined;
  if (!line.startsWith('data:')) return undefined; // event:, id:, retry: carry nothing we use
  const data = line.slice(5).replace(/^ /, '');
  return data === '[DONE]' ? { kind: 'done' } : { kind: 'data', data };
}
