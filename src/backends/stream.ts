import { createLineReader, LineTooLongError } from './ndjson.ts';
import { tokenLimit } from './limits.ts';
import type { WireLogprob } from './tokens.ts';
import { parseGenerateLine, UnusableReplyError, type GenerateLine } from './wire.ts';

/**
 * Reads one `/api/generate` NDJSON stream into text + logprobs entries + the final line, within
 * bounds: a line's size, the number of tokens (num_predict plus a margin), and the total bytes.
 * Every line is validated (wire.ts); nothing is skipped.
 */

/** Beyond this per token, a reply is padding, not tokens (a real line with 20 alternatives is ~1.5 KB). */
export const BYTES_PER_TOKEN_ALLOWANCE = 16 << 10;

export interface StreamLimits {
  maxTokens: number;
  topLogprobs: number;
  maxLineBytes: number;
}

export interface StreamedReply {
  text: string;
  entries: WireLogprob[];
  /** The `done: true` line; undefined when the stream ended without it (cut). */
  final?: GenerateLine;
  /** Bytes after the last newline when the stream ended (a line cut in half). */
  rest: string;
}

class Accumulator {
  readonly pieces: string[] = [];
  readonly entries: WireLogprob[] = [];
  final: GenerateLine | undefined;
  lines = 0;
  private textLength = 0;
  private readonly tokenCap: number;

  constructor(private readonly limits: StreamLimits) {
    this.tokenCap = tokenLimit(limits.maxTokens);
  }

  add(text: string): void {
    this.lines++;
    let line: GenerateLine;
    try {
      line = parseGenerateLine(text, this.entries.length, this.limits.topLogprobs);
    } catch (error) {
      if (error instanceof UnusableReplyError) throw new UnusableReplyError(`line ${this.lines}: ${error.message}`);
      throw error;
    }
    for (const entry of line.logprobs) this.entries.push(entry);
    this.pieces.push(line.response);
    this.textLength += line.response.length;
    // One line per token, plus the final line: more means the server ignores num_predict.
    if (this.entries.length > this.tokenCap || this.lines > this.tokenCap + 1) {
      throw new UnusableReplyError(
        `line ${this.lines}: the server sent more than ${this.tokenCap} tokens for num_predict ${this.limits.maxTokens} and had not finished (does it ignore num_predict?)`,
      );
    }
    if (this.textLength > this.tokenCap * 1024) {
      throw new UnusableReplyError(`line ${this.lines}: the response text passed ${this.tokenCap * 1024} characters for num_predict ${this.limits.maxTokens}`);
    }
    if (line.done) this.final = line;
  }
}

export async function readGenerateStream(body: ReadableStream<Uint8Array>, limits: StreamLimits, onLine: () => void): Promise<StreamedReply> {
  const lines = createLineReader(limits.maxLineBytes);
  const acc = new Accumulator(limits);
  const maxBodyBytes = limits.maxLineBytes + tokenLimit(limits.maxTokens) * BYTES_PER_TOKEN_ALLOWANCE;
  let bodyBytes = 0;
  const reader = body.getReader();
  try {
    while (acc.final === undefined) {
      const { done, value } = await reader.read();
      if (done) break;
      bodyBytes += value.length;
      if (bodyBytes > maxBodyBytes) throw new UnusableReplyError(`line ${acc.lines + 1}: the reply passed ${maxBodyBytes} bytes for num_predict ${limits.maxTokens}`);
      for (const line of lines.push(value)) {
        if (line.trim() === '') continue;
        onLine();
        acc.add(line);
        if (acc.final !== undefined) break; // Ollama ends the stream here; anything after is ignored
      }
    }
  } catch (error) {
    if (error instanceof LineTooLongError) throw new UnusableReplyError(`line ${acc.lines + 1}: the server sent ${error.message}; expected one JSON object per token`);
    throw error;
  } finally {
    reader.releaseLock();
  }
  return { text: acc.pieces.join(''), entries: acc.entries, ...(acc.final ? { final: acc.final } : {}), rest: acc.final ? '' : lines.rest() };
}
