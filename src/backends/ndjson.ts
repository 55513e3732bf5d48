/**
 * Splits a byte stream into NDJSON lines in linear time with a cap on a line's size.
 *
 * A partial line is kept as a list of chunks and joined once, when its newline arrives, so a huge
 * line costs O(bytes) rather than O(bytes^2) string concatenation; it is refused as soon as its
 * pending bytes pass the cap, before the rest of it is even read.
 */

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(readonly maxBytes: number) {
    super(`a line longer than ${maxBytes} bytes`);
  }
}

const NEWLINE = 0x0a;

export interface LineReader {
  /** Feeds bytes; returns the complete lines they finish (without the newline, '\r' trimmed). */
  push(chunk: Uint8Array): string[];
  /** The bytes left after the last newline (a stream cut mid-line leaves some). */
  rest(): string;
}

export function createLineReader(maxLineBytes: number): LineReader {
  const decoder = new TextDecoder('utf-8');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const decode = (parts: Uint8Array[], bytes: number): string => {
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes);
    const text = decoder.decode(joined);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  return {
    push(chunk) {
      const lines: string[] = [];
      let start = 0;
      for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, start)) {
        const piece = chunk.subarray(start, at);
        if (pendingBytes + piece.length > maxLineBytes) throw new LineTooLongError(maxLineBytes);
        lines.push(decode([...pending, piece], pendingBytes + piece.length));
        pending = [];
        pendingBytes = 0;
        start = at + 1;
      }
      if (start < chunk.length) {
        const tail = chunk.subarray(start);
        pendingBytes += tail.length;
        if (pendingBytes > maxLineBytes) throw new LineTooLongError(maxLineBytes);
        // Copy: the stream may reuse the chunk's buffer.
        pending.push(Uint8Array.from(tail));
      }
      return lines;
    },
    rest() {
      return pendingBytes === 0 ? '' : decode(pending, pendingBytes);
    },
  };
}
