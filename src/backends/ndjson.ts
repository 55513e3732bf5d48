/**
 * Splits a byte stream into NDJSON lines in linear time with a cap on a line's size.
 *
 * A partial line is kept as a list of chunks and joined once, when its newline arrives, so a huge
 * line costs O(bytes) rather than O(bytes^2) string concatenation; it is refused as soon as its
 * pending bytes pass the cap, before the rest of it is even read. A line that lies inside one chunk
 * (nearly all of them) is decoded straight from that chunk: no copy, no intermediate array.
 */

export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
  constructor(readonly maxBytes: number) {
    super(`a line longer than ${maxBytes} bytes`);
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = 0xfeff;

export interface LineReader {
  /** Feeds bytes; returns the complete lines they finish (without the newline, '\r' trimmed). */
  push(chunk: Uint8Array): string[];
  /** The bytes left after the last newline (a stream cut mid-line leaves some). */
  rest(): string;
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** UTF-8 text of bytes [start, end), without a trailing '\r' or a leading BOM (as TextDecoder drops it). */
function lineText(bytes: Buffer, start: number, end: number): string {
  if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
  const text = bytes.toString('utf8', start, end);
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

export function createLineReader(maxLineBytes: number): LineReader {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  return {
    push(chunk) {
      const bytes = asBuffer(chunk);
      const lines: string[] = [];
      let start = 0;
      for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, start)) {
        if (pendingBytes + (at - start) > maxLineBytes) throw new LineTooLongError(maxLineBytes);
        if (pendingBytes === 0) {
          lines.push(lineText(bytes, start, at));
        } else {
          pending.push(bytes.subarray(start, at));
          const joined = Buffer.concat(pending, pendingBytes + (at - start));
          lines.push(lineText(joined, 0, joined.length));
          pending = [];
          pendingBytes = 0;
        }
        start = at + 1;
      }
      if (start < bytes.length) {
        pendingBytes += bytes.length - start;
        if (pendingBytes > maxLineBytes) throw new LineTooLongError(maxLineBytes);
        // Copy: the stream may reuse the chunk's buffer.
        pending.push(Buffer.from(bytes.subarray(start)));
      }
      return lines;
    },
    rest() {
      if (pendingBytes === 0) return '';
      const joined = Buffer.concat(pending, pendingBytes);
      return lineText(joined, 0, joined.length);
    },
  };
}
