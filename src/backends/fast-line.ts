import type { CompletionToken, TokenChoice } from './backend.ts';
import { COMPLETE_MASS, MAX_LOGPROB } from './wire.ts';

/**
 * A fast path for the token lines of `/api/generate`, in the one layout that Ollama (Go's
 * encoder) and the simulator (JSON.stringify) write:
 *
 *   {"model":S,"created_at":S,"response":S,"done":false,"logprobs":[{"token":S,"logprob":N,
 *    "bytes":[...],"top_logprobs":[{"token":S,"logprob":N,"bytes":[...]},...]},...]}
 *
 * (`bytes` and `top_logprobs` optional). JSON.parse of such a line, its validation and its
 * conversion into tokens were the harness's largest self time, mostly spent building objects that
 * are thrown away at once (the `bytes` arrays, the wire entries). Here one regular expression checks
 * the line's whole grammar (irregexp runs it as native code: ~15x faster than JSON.parse, where a
 * hand-written character scanner was barely faster), then a walker that relies on that grammar
 * reads the values and appends the tokens straight to the reply's list.
 *
 * It accepts a line only when the reference path (wire.ts `parseGenerateLine`, then stream.ts
 * `lineTokens`) would accept it and build the same tokens. Anything else declines (returns
 * undefined, having appended nothing): whitespace, another key order, another key, a number or
 * byte outside the plain forms it reads, a done or error line, a failed check, entries that do not
 * spell the response. The reference path then reads the line and words any error.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const LOWER_U = 0x75;
const LOWER_B = 0x62;
const ZERO = 0x30;

/** JSON's own grammar for what the layout holds (strings with any escape, numbers), and only plain bytes 0..255. */
const STRING = String.raw`"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"`;
const NUMBER = String.raw`-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?`;
const BYTE = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)`;
const BYTES = String.raw`(?:,"bytes":\[(?:${BYTE}(?:,${BYTE})*)?\])?`;
const CHOICE = String.raw`\{"token":${STRING},"logprob":${NUMBER}${BYTES}\}`;
const ENTRY = String.raw`\{"token":${STRING},"logprob":${NUMBER}${BYTES}(?:,"top_logprobs":\[(?:${CHOICE}(?:,${CHOICE})*)?\])?\}`;
/**
 * Each repetition and option here starts with a character that the text after it cannot, so a
 * failed match backtracks in linear time.
 */
const TOKEN_LINE = new RegExp(String.raw`^\{"model":${STRING},"created_at":${STRING},"response":${STRING},"done":false,"logprobs":\[${ENTRY}(?:,${ENTRY})*\]\}$`);
/** Longer lines (a real one with 20 alternatives is ~1.5 KB) take the reference path: the expression's backtracking stack stays small. */
export const FAST_LINE_MAX_LENGTH = 16 << 10;

const MODEL_KEY = '{"model":'.length;
const CREATED_AT_KEY = ',"created_at":'.length;
const RESPONSE_KEY = ',"response":'.length;
const LOGPROBS_KEY = ',"done":false,"logprobs":['.length;
const TOKEN_KEY = '{"token":'.length;
const LOGPROB_KEY = ',"logprob":'.length;
const TOP_LOGPROBS_KEY = ',"top_logprobs":['.length;

/** The character a one-letter JSON escape stands for (the grammar allows only these). */
function simpleEscape(code: number): string {
  switch (code) {
    case 0x62:
      return '\b';
    case 0x66:
      return '\f';
    case 0x6e:
      return '\n';
    case 0x72:
      return '\r';
    case 0x74:
      return '\t';
    default:
      return String.fromCharCode(code); // " \ /
  }
}

/** `text.startsWith(prefix, at)`, without the builtin's call overhead (it dominated this reader's profile). */
function startsWithAt(text: string, prefix: string, at: number): boolean {
  const length = prefix.length;
  if (at + length > text.length) return false;
  for (let i = 0; i < length; i++) if (text.charCodeAt(at + i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/** A short list of alternatives is complete when it holds the probability: wire.ts's test, summed in the same order. */
function holdsAll(top: readonly TokenChoice[], count: number): boolean {
  let mass = 0;
  for (let i = 0; i < count; i++) mass += Math.exp(top[i]!.logprob);
  return !(mass < COMPLETE_MASS);
}

/** A logprob wire.ts accepts: finite and <= MAX_LOGPROB. */
function isLogprob(value: number): boolean {
  return value <= MAX_LOGPROB && value !== -Infinity;
}

/**
 * Reads lines that TOKEN_LINE matched: the walker steps over keys by their length and finds the
 * ends of strings, numbers and byte lists without checking them again.
 */
export class FastLineReader {
  private s = '';
  private at = 0;
  private readonly scratch: TokenChoice[] = [];
  /** Entries of the last line read whose `bytes` were their token's UTF-8, that had none, that had others. */
  private utf8Bytes = 0;
  private noBytes = 0;
  private otherBytes = 0;

  /**
   * How the `bytes` of the last line read relate to its tokens: 1 when every entry's are its
   * token's UTF-8, 0 when no entry has any, -1 otherwise. With 1 or 0 the line's wire entries (as
   * reconcileTokens reads them) follow from its tokens, so its text need not be kept.
   */
  get lineBytes(): number {
    if (this.otherBytes > 0 || (this.utf8Bytes > 0 && this.noBytes > 0)) return -1;
    return this.utf8Bytes > 0 ? 1 : 0;
  }

  /**
   * Appends the line's tokens to `out` and returns its response text; undefined when the line
   * must go through the reference path (then `out` is as it was).
   */
  read(line: string, asked: number, out: CompletionToken[]): string | undefined {
    if (line.length > FAST_LINE_MAX_LENGTH || !TOKEN_LINE.test(line)) return undefined;
    const mark = out.length;
    this.s = line;
    this.utf8Bytes = this.noBytes = this.otherBytes = 0;
    const response = this.tokenLine(asked, out);
    this.s = '';
    if (response === undefined) out.length = mark;
    return response;
  }

  private tokenLine(asked: number, out: CompletionToken[]): string | undefined {
    this.at = MODEL_KEY;
    this.skipString();
    this.at += CREATED_AT_KEY;
    this.skipString();
    this.at += RESPONSE_KEY;
    const responseAt = this.at;
    const response = this.string();
    const responseEnd = this.at;
    this.at += LOGPROBS_KEY;
    let spelled = 0;
    for (;;) {
      this.at += TOKEN_KEY;
      const tokenAt = this.at;
      // The first token usually spells the whole response: the same raw text, so the same string.
      const token = spelled === 0 && this.reuse(responseAt, responseEnd) ? response : this.string();
      if (!startsWithAt(response, token, spelled) || !this.entry(token, tokenAt, asked, out)) return undefined;
      spelled += token.length;
      if (this.s.charCodeAt(this.at) !== COMMA) break;
      this.at++;
    }
    return spelled === response.length ? response : undefined;
  }

  /** The rest of an entry after `{"token":S`, appended to `out` as a token. */
  private entry(token: string, tokenAt: number, asked: number, out: CompletionToken[]): boolean {
    const tokenEnd = this.at;
    this.at += LOGPROB_KEY;
    const logprobAt = this.at;
    const logprob = this.number();
    const logprobEnd = this.at;
    if (!isLogprob(logprob)) return false;
    const bytes = this.tokenBytes(token);
    if (bytes === 1) this.utf8Bytes++;
    else if (bytes === 0) this.noBytes++;
    else this.otherBytes++;
    let top: TokenChoice[] | undefined = [];
    if (this.s.charCodeAt(this.at) === COMMA) {
      this.at += TOP_LOGPROBS_KEY;
      // Alternatives nobody asked for are not validated by wire.ts: the reference path handles them.
      top = asked > 0 ? this.alternatives(asked, token, tokenAt, tokenEnd, logprob, logprobAt, logprobEnd) : undefined;
    } else if (asked > 0) top = undefined;
    if (top === undefined) return false;
    this.at++; // }
    out.push({ text: token, logprob, top });
    return true;
  }

  /**
   * The list after `"top_logprobs":[`, through its `]`. An alternative's token and logprob are
   * usually the entry's own (the chosen token listed first): the same raw text reuses the value.
   */
  private alternatives(asked: number, token: string, tokenAt: number, tokenEnd: number, logprob: number, logprobAt: number, logprobEnd: number): TokenChoice[] | undefined {
    const top = this.scratch;
    let count = 0;
    const s = this.s;
    while (s.charCodeAt(this.at) !== CLOSE_BRACKET) {
      this.at += TOKEN_KEY;
      const text = this.reuse(tokenAt, tokenEnd) ? token : this.string();
      this.at += LOGPROB_KEY;
      const value = this.reuseNumber(logprobAt, logprobEnd) ? logprob : this.number();
      if (!isLogprob(value)) return undefined;
      this.skipBytes();
      this.at++; // }
      top[count++] = { text, logprob: value };
      if (s.charCodeAt(this.at) === COMMA) this.at++;
    }
    this.at++; // ]
    // A copy of the exact length: a list grown by push keeps room for 17, and every token keeps its list.
    return count < asked && !holdsAll(top, count) ? undefined : top.slice(0, count);
  }

  /** Whether the raw text [from, to) comes again at the cursor; if so, steps over it. */
  private reuse(from: number, to: number): boolean {
    const s = this.s;
    const at = this.at;
    const length = to - from;
    if (at + length > s.length) return false;
    for (let i = 0; i < length; i++) if (s.charCodeAt(at + i) !== s.charCodeAt(from + i)) return false;
    this.at = at + length;
    return true;
  }

  /** As `reuse`, for a number: the text that follows must end it. */
  private reuseNumber(from: number, to: number): boolean {
    const at = this.at;
    if (!this.reuse(from, to)) return false;
    const next = this.s.charCodeAt(this.at);
    if (next === COMMA || next === CLOSE_BRACE) return true;
    this.at = at;
    return false;
  }

  /** A number as JSON.parse reads it: Number() of the same text rounds correctly just as it does. */
  private number(): number {
    const s = this.s;
    const start = this.at;
    let i = start + 1;
    for (let c = s.charCodeAt(i); c !== COMMA && c !== CLOSE_BRACE; c = s.charCodeAt(++i));
    this.at = i;
    return Number(s.slice(start, i));
  }

  private skipBytes(): void {
    const s = this.s;
    // `,"bytes"` rather than `,"top_logprobs"`: the grammar allows only these two after a logprob.
    if (s.charCodeAt(this.at) !== COMMA || s.charCodeAt(this.at + 2) !== LOWER_B) return;
    let i = this.at + 10;
    while (s.charCodeAt(i) !== CLOSE_BRACKET) i++;
    this.at = i + 1;
  }

  /**
   * Steps over an entry's `bytes` as skipBytes does; 0 when it has none, 1 when they are the UTF-8
   * of an ASCII token (its character codes), -1 otherwise (other tokens are not worth encoding).
   */
  private tokenBytes(token: string): number {
    const s = this.s;
    if (s.charCodeAt(this.at) !== COMMA || s.charCodeAt(this.at + 2) !== LOWER_B) return 0;
    let i = this.at + 10; // after `,"bytes":[`
    let same = true;
    for (let k = 0; ; k++) {
      let c = s.charCodeAt(i);
      if (c === CLOSE_BRACKET) {
        same &&= k === token.length;
        break;
      }
      // The grammar allows only plain bytes here: digits without a leading zero, 0..255.
      let n = 0;
      for (; c !== COMMA && c !== CLOSE_BRACKET; c = s.charCodeAt(++i)) n = n * 10 + c - ZERO;
      if (n >= 0x80 || n !== token.charCodeAt(k)) same = false;
      if (c === COMMA) i++;
    }
    this.at = i + 1;
    return same ? 1 : -1;
  }

  /** The string at the cursor, decoded as JSON.parse does. */
  private string(): string {
    const s = this.s;
    const start = this.at + 1;
    for (let i = start; ; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        this.at = i + 1;
        return s.slice(start, i);
      }
      if (c === BACKSLASH) return this.escapedString(start, i);
    }
  }

  private escapedString(start: number, firstEscape: number): string {
    const s = this.s;
    let text = s.slice(start, firstEscape);
    let from = firstEscape;
    for (let i = firstEscape; ; ) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        this.at = i + 1;
        return text + s.slice(from, i);
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      text += s.slice(from, i);
      const kind = s.charCodeAt(i + 1);
      if (kind === LOWER_U) {
        text += String.fromCharCode(Number.parseInt(s.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        text += simpleEscape(kind);
        i += 2;
      }
      from = i;
    }
  }

  /** Steps over a string without decoding it (the model name, the timestamp). */
  private skipString(): void {
    const s = this.s;
    // indexOf finds the end of a string without escapes (the usual case) faster than a loop of charCodeAt.
    const quote = s.indexOf('"', this.at + 1);
    if (s.charCodeAt(quote - 1) !== BACKSLASH) {
      this.at = quote + 1;
      return;
    }
    let i = this.at + 1;
    for (let c = s.charCodeAt(i); c !== QUOTE; c = s.charCodeAt(i)) i += c === BACKSLASH ? 2 : 1;
    this.at = i + 1;
  }
}
