import { FastLineReader } from './fast-line.ts';
import { createLineReader, LineTooLongError, type LineReader } from './ndjson.ts';
import { tokenLimit } from './limits.ts';
import type { CompletionToken } from './backend.ts';
import type { WireLogprob, WireTokenLogprob } from './tokens.ts';
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
  /**
   * The tokens, built line by line, when every line's entries spell exactly that line's text (the
   * normal case): then they are what reconcileTokens(text, entries) returns. Undefined otherwise
   * (a split character, a trimmed stop string, a mismatch): the caller reconciles the whole reply.
   */
  tokens?: CompletionToken[];
}

function choiceOf(wire: WireTokenLogprob): { text: string; logprob: number } {
  return { text: wire.token, logprob: wire.logprob };
}

/**
 * Appends the line's entries to `out` as tokens when they spell its text exactly and their
 * alternatives were validated (wire.ts checks them only when some were asked); returns false,
 * appending nothing, otherwise.
 */
export function lineTokens(response: string, entries: readonly WireLogprob[], asked: number, out: CompletionToken[]): boolean {
  let spelled = 0;
  for (let i = 0; i < entries.length; i++) {
    const token = entries[i]!.token;
    if (!response.startsWith(token, spelled)) return false;
    if (asked === 0 && entries[i]!.top_logprobs != null) return false;
    spelled += token.length;
  }
  if (spelled !== response.length) return false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const tops = e.top_logprobs;
    out.push({ text: e.token, logprob: e.logprob, top: tops ? tops.map(choiceOf) : [] });
  }
  return true;
}

/**
 * The wire entry a fast-path token was read from: its bytes are its text's character codes (the
 * fast path kept none other), its alternatives were sent exactly when some were asked.
 */
export function wireEntryOf(token: CompletionToken, withBytes: boolean, asked: number): WireLogprob {
  const entry: WireLogprob = { token: token.text, logprob: token.logprob };
  if (withBytes) {
    const bytes: number[] = [];
    for (let i = 0; i < token.text.length; i++) bytes.push(token.text.charCodeAt(i));
    entry.bytes = bytes;
  }
  if (asked > 0) entry.top_logprobs = token.top.map((c) => ({ token: c.text, logprob: c.logprob }));
  return entry;
}

class Accumulator {
  readonly pieces: string[] = [];
  final: GenerateLine | undefined;
  /**
   * Tokens built as lines arrive, so a long reply is not converted in one pause at its end;
   * undefined once a line's entries do not spell its text.
   */
  tokens: CompletionToken[] | undefined = [];
  /**
   * While `tokens` is built, the wire entries are not kept (they would double what a reply holds
   * in memory): only what rebuilds them should a later line need the whole-reply reconciliation.
   * Once it does, `entries` holds them all and `lineTexts` is dropped. A line is kept as its text,
   * to parse again, or, when the fast path read it and its `bytes` follow from its tokens
   * (FastLineReader.lineBytes), as its token count (negative without bytes): a long reply's lines
   * outlived several scavenges and were much of what the reply left in the old generation.
   */
  private lineTexts: (string | number)[] | undefined = [];
  private entries: WireLogprob[] | undefined;
  entryCount = 0;
  lines = 0;
  private textLength = 0;
  private readonly tokenCap: number;
  private readonly fast = new FastLineReader();

  constructor(private readonly limits: StreamLimits) {
    this.tokenCap = tokenLimit(limits.maxTokens);
  }

  add(text: string): void {
    this.lines++;
    const tokens = this.tokens;
    const before = tokens === undefined ? 0 : tokens.length;
    const response = tokens === undefined ? undefined : this.fast.read(text, this.limits.topLogprobs, tokens);
    if (response === undefined) {
      this.addChecked(text);
    } else {
      // The fast path read a token line exactly as the reference path would have (fast-line.ts).
      const count = tokens!.length - before;
      this.entryCount += count;
      const bytes = this.fast.lineBytes;
      this.lineTexts!.push(bytes === 1 ? count : bytes === 0 ? -count : text);
      this.pieces.push(response);
      this.textLength += response.length;
      this.checkBounds();
    }
  }

  /** The reference path: any line, validated by wire.ts, every error worded there. */
  private addChecked(text: string): void {
    let line: GenerateLine;
    try {
      line = parseGenerateLine(text, this.entryCount, this.limits.topLogprobs);
    } catch (error) {
      if (error instanceof UnusableReplyError) throw new UnusableReplyError(`line ${this.lines}: ${error.message}`);
      throw error;
    }
    this.entryCount += line.logprobs.length;
    if (this.tokens !== undefined && !lineTokens(line.response, line.logprobs, this.limits.topLogprobs, this.tokens)) {
      this.entries = this.wireEntries();
      this.tokens = undefined;
      this.lineTexts = undefined;
    }
    if (this.entries !== undefined) for (const entry of line.logprobs) this.entries.push(entry);
    else if (line.logprobs.length > 0) this.lineTexts!.push(text);
    this.pieces.push(line.response);
    this.textLength += line.response.length;
    this.checkBounds();
    if (line.done) this.final = line;
  }

  private checkBounds(): void {
    // One line per token, plus the final line: more means the server ignores num_predict.
    if (this.entryCount > this.tokenCap || this.lines > this.tokenCap + 1) {
      throw new UnusableReplyError(
        `line ${this.lines}: the server sent more than ${this.tokenCap} tokens for num_predict ${this.limits.maxTokens} and had not finished (does it ignore num_predict?)`,
      );
    }
    if (this.textLength > this.tokenCap * 1024) {
      throw new UnusableReplyError(`line ${this.lines}: the response text passed ${this.tokenCap * 1024} characters for num_predict ${this.limits.maxTokens}`);
    }
  }

  /**
   * Every entry so far, as reconcileTokens reads it (lines kept as text are parsed again: they
   * passed validation once; the others are rebuilt from their tokens, without the alternatives'
   * bytes, which nothing reads).
   */
  wireEntries(): WireLogprob[] {
    if (this.entries !== undefined) return this.entries;
    const entries: WireLogprob[] = [];
    const tokens = this.tokens ?? [];
    const asked = this.limits.topLogprobs;
    for (const line of this.lineTexts ?? []) {
      if (typeof line === 'string') {
        for (const entry of parseGenerateLine(line, entries.length, asked).logprobs) entries.push(entry);
        continue;
      }
      for (let n = Math.abs(line); n > 0; n--) entries.push(wireEntryOf(tokens[entries.length]!, line > 0, asked));
    }
    return entries;
  }
}

/**
 * The reading state of one reply, fed chunk by chunk from any byte source (a node:http response
 * in the backend, a web ReadableStream in tests). `push` returns true once the final line arrived:
 * Ollama ends the stream there, and anything after it is ignored.
 */
export class GenerateStreamReader {
  private readonly lines: LineReader;
  private readonly acc: Accumulator;
  private readonly maxBodyBytes: number;
  private bodyBytes = 0;

  constructor(
    private readonly limits: StreamLimits,
    private readonly onLine: () => void,
  ) {
    this.lines = createLineReader(limits.maxLineBytes);
    this.acc = new Accumulator(limits);
    this.maxBodyBytes = limits.maxLineBytes + tokenLimit(limits.maxTokens) * BYTES_PER_TOKEN_ALLOWANCE;
  }

  get finished(): boolean {
    return this.acc.final !== undefined;
  }

  push(chunk: Uint8Array): boolean {
    const acc = this.acc;
    if (acc.final !== undefined) return true;
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.maxBodyBytes) {
      throw new UnusableReplyError(`line ${acc.lines + 1}: the reply passed ${this.maxBodyBytes} bytes for num_predict ${this.limits.maxTokens}`);
    }
    let lines: string[];
    try {
      lines = this.lines.push(chunk);
    } catch (error) {
      if (error instanceof LineTooLongError) throw new UnusableReplyError(`line ${acc.lines + 1}: the server sent ${error.message}; expected one JSON object per token`);
      throw error;
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (isBlank(line)) continue;
      this.onLine();
      acc.add(line);
      if (acc.final !== undefined) return true;
    }
    return false;
  }

  result(): StreamedReply {
    const acc = this.acc;
    return {
      text: acc.pieces.join(''),
      // A getter: the backend needs the wire entries only when the tokens could not be built line by line.
      get entries() {
        return acc.wireEntries();
      },
      ...(acc.final ? { final: acc.final } : {}),
      rest: acc.final ? '' : this.lines.rest(),
      ...(acc.tokens ? { tokens: acc.tokens } : {}),
    };
  }
}

/** A line of only whitespace, tested without trimming (which would copy every line). */
function isBlank(line: string): boolean {
  if (line === '') return true;
  const first = line.charCodeAt(0);
  // A JSON line starts with '{' (or a character that makes it invalid anyway): only whitespace-led lines need the full test.
  if (first === 0x7b) return false;
  return line.trim() === '';
}

export async function readGenerateStream(body: ReadableStream<Uint8Array>, limits: StreamLimits, onLine: () => void): Promise<StreamedReply> {
  const reader = new GenerateStreamReader(limits, onLine);
  const source = body.getReader();
  try {
    for (;;) {
      const { done, value } = await source.read();
      if (done || reader.push(value)) break;
    }
  } finally {
    source.releaseLock();
  }
  return reader.result();
}
