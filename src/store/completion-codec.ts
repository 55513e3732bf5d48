import type { Completion, CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';

/**
 * How a completion is stored. Its tokens (one record per generated token, each with its top
 * alternatives) are most of its bytes, and as JSON most of its cost: every logprob printed as a
 * shortest-round-trip decimal. So tokens are stored in columns: logprobs as raw float64 (exact,
 * -0 and -Infinity included), alternative counts as uint32, and all token texts as one JSON array
 * of strings. Every other field stays JSON, so new top-level fields need no change here; a token
 * carrying any field besides text/logprob/top makes the whole completion fall back to JSON text.
 *
 * Layout: "TPC1" | u32 header bytes | header JSON (the completion without tokens) | u32 n |
 * u32 top count x n | u32 m (total alternatives) | f64 logprob x n | f64 alternative logprob x m |
 * texts JSON (n token texts, then m alternative texts). Little-endian.
 */
const MAGIC = 'TPC1';

export function columnar(tokens: readonly CompletionToken[]): boolean {
  for (const token of tokens) {
    if (typeof token.text !== 'string' || typeof token.logprob !== 'number' || !Array.isArray(token.top)) return false;
    for (const key in token) if (key !== 'text' && key !== 'logprob' && key !== 'top') return false;
    for (const choice of token.top) {
      if (typeof choice.text !== 'string' || typeof choice.logprob !== 'number') return false;
      for (const key in choice) if (key !== 'text' && key !== 'logprob') return false;
    }
  }
  return true;
}

export function encodeCompletion(completion: Completion): Buffer | string {
  const { tokens, ...header } = completion;
  if (!Array.isArray(tokens) || !columnar(tokens)) return JSON.stringify(completion);
  return packColumns(MAGIC, header, tokens);
}

export function decodeCompletion(stored: string | Buffer, where: string): Completion {
  if (typeof stored === 'string') return parseJsonRecord<Completion>(stored, where);
  const { header, tokens } = unpackColumns<Omit<Completion, 'tokens'>>(stored, MAGIC, where);
  // Field order as written: the header's fields with tokens after text, as the backend builds it.
  const { text, ...rest } = header as Omit<Completion, 'tokens'> & { text: string };
  return { text, tokens, ...rest } as Completion;
}

/**
 * Tokens in columns after a JSON header, behind a 4-character magic (layout in the comment at the
 * top). Shared by completions and result traces (trace-codec.ts).
 */
/** A token as packColumns reads it: one without `top` has no alternatives (a trace's plain tokens). */
export interface ColumnToken {
  text: string;
  logprob: number;
  top?: readonly { text: string; logprob: number }[];
}

const NO_CHOICES: readonly { text: string; logprob: number }[] = [];

export function packColumns(magic: string, header: unknown, tokens: readonly ColumnToken[]): Buffer {
  const n = tokens.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += (tokens[i]!.top ?? NO_CHOICES).length;
  const texts: string[] = new Array<string>(n + m);
  let alt = n;
  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    texts[i] = token.text;
    for (const choice of token.top ?? NO_CHOICES) texts[alt++] = choice.text;
  }
  const head = JSON.stringify(header);
  const tail = JSON.stringify(texts);
  const headBytes = Buffer.byteLength(head);
  // One buffer written in place: separate typed arrays, Buffer.from copies and a concat cost more
  // than the columns themselves on a completion of a few dozen tokens.
  const countsAt = 12 + headBytes;
  const floatsAt = countsAt + 4 * n + 4;
  const textsAt = floatsAt + 8 * (n + m);
  const out = Buffer.allocUnsafe(textsAt + Buffer.byteLength(tail));
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.write(magic, 0, 'latin1');
  view.setUint32(4, headBytes, true);
  out.write(head, 8, 'utf8');
  view.setUint32(countsAt - 4, n, true);
  view.setUint32(floatsAt - 4, m, true);
  alt = floatsAt + 8 * n;
  for (let i = 0; i < n; i++) {
    const token = tokens[i]!;
    const top = token.top ?? NO_CHOICES;
    view.setUint32(countsAt + 4 * i, top.length, true);
    view.setFloat64(floatsAt + 8 * i, token.logprob, true);
    for (const choice of top) {
      view.setFloat64(alt, choice.logprob, true);
      alt += 8;
    }
  }
  out.write(tail, textsAt, 'utf8');
  return out;
}

/** The inverse of packColumns; a damaged or foreign entry is an InputError naming `where`. */
export function unpackColumns<H>(stored: Buffer, magic: string, where: string, what = 'a stored completion'): { header: H; tokens: CompletionToken[] } {
  try {
    if (stored.toString('latin1', 0, 4) !== magic) throw new Error('unknown format');
    let at = 4;
    const headLength = stored.readUInt32LE(at);
    const header = JSON.parse(stored.toString('utf8', (at += 4), (at += headLength))) as H;
    const n = stored.readUInt32LE(at);
    const counts = new Uint32Array(stored.buffer.slice(stored.byteOffset + (at += 4), stored.byteOffset + (at += 4 * n)));
    const m = stored.readUInt32LE(at);
    const logprobs = new Float64Array(stored.buffer.slice(stored.byteOffset + (at += 4), stored.byteOffset + (at += 8 * (n + m))));
    const texts = JSON.parse(stored.toString('utf8', at)) as string[];
    if (texts.length !== n + m) throw new Error('token count mismatch');
    const tokens: CompletionToken[] = new Array<CompletionToken>(n);
    let alt = n;
    for (let i = 0; i < n; i++) {
      const top = new Array<{ text: string; logprob: number }>(counts[i]!);
      for (let k = 0; k < top.length; k++, alt++) top[k] = { text: texts[alt]!, logprob: logprobs[alt]! };
      tokens[i] = { text: texts[i]!, logprob: logprobs[i]!, top };
    }
    return { header, tokens };
  } catch {
    throw new InputError(where, `expected ${what}; the store entry is damaged`);
  }
}

export function parseJsonRecord<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new InputError(where, 'expected a JSON record; the store entry is damaged');
  }
}
