import type { CompletionToken } from './backend.ts';

/**
 * The contract says a completion's text equals the concatenation of its tokens' texts. Servers
 * break that in two known, repairable ways, and we repair exactly those:
 *
 * 1. A character split across tokens (byte-fallback tokens of a multi-byte UTF-8 character): each
 *    entry's `token` is then a lossy piece (often U+FFFD), but Ollama also sends the raw `bytes`.
 *    Decoding the bytes incrementally gives each token the text it completes: the character is
 *    attributed to the token that finishes it, earlier pieces get ''.
 * 2. A stop string that begins inside a token: Ollama returns the text up to the stop string but
 *    keeps that last token's entry whole. We trim the trailing token text(s) to what was returned
 *    (the logprob stays that of the whole token: it was generated and counts towards budgets).
 *
 * Anything else (entries that do not spell the text, or no entries for a non-empty text) means
 * the server's logprobs cannot locate positions in the trace, so we refuse the completion rather
 * than guess: TokenMismatch, which the backend reports as one clear line.
 */

export interface WireTokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
}
export interface WireLogprob extends WireTokenLogprob {
  top_logprobs?: WireTokenLogprob[] | null;
}

export class TokenMismatch extends Error {
  override readonly name = 'TokenMismatch';
}

function isChoice(value: unknown): value is WireTokenLogprob {
  const v = value as WireTokenLogprob | null;
  return typeof v === 'object' && v !== null && typeof v.token === 'string' && typeof v.logprob === 'number' && Number.isFinite(v.logprob);
}

/** Server replies are untrusted: every entry must be a token string with a finite log-probability (not checked <= 0: float32 rounding can give a hair above). */
function checkEntry(entry: unknown, index: number): void {
  const e = entry as WireLogprob;
  const tops = e?.top_logprobs;
  if (!isChoice(entry) || (tops !== undefined && tops !== null && (!Array.isArray(tops) || !tops.every(isChoice)))) {
    throw new TokenMismatch(`logprobs entry ${index} is not {token: string, logprob: number, top_logprobs?: [...]}: ${JSON.stringify(entry)?.slice(0, 80)}`);
  }
}

function joined(pieces: readonly string[]): string {
  return pieces.join('');
}

/** Incremental UTF-8 decoding of each entry's bytes; undefined when some entry has no bytes. */
function decodedPieces(entries: readonly WireLogprob[]): string[] | undefined {
  if (!entries.every((e) => Array.isArray(e.bytes))) return undefined;
  const decoder = new TextDecoder('utf-8');
  const pieces = entries.map((e) => decoder.decode(Uint8Array.from(e.bytes ?? []), { stream: true }));
  const rest = decoder.decode();
  if (rest !== '' && pieces.length > 0) pieces[pieces.length - 1] += rest;
  return pieces;
}

/** Trims trailing pieces so they spell `text` exactly, when they spell it plus an overrun. */
function trimOverrun(pieces: string[], text: string): string[] | undefined {
  const all = joined(pieces);
  if (!all.startsWith(text)) return undefined;
  let excess = all.length - text.length;
  const out = pieces.slice();
  while (excess > 0 && out.length > 0) {
    const last = out[out.length - 1]!;
    if (last.length > excess) {
      out[out.length - 1] = last.slice(0, last.length - excess);
      excess = 0;
    } else {
      out.pop();
      excess -= last.length;
    }
  }
  return out;
}

export function reconcileTokens(text: string, entries: readonly WireLogprob[]): CompletionToken[] {
  const alternatives = (e: WireLogprob) => (e.top_logprobs ?? []).map((a) => ({ text: a.token, logprob: a.logprob }));
  const build = (pieces: readonly string[]): CompletionToken[] =>
    pieces.map((piece, i) => ({ text: piece, logprob: entries[i]!.logprob, top: alternatives(entries[i]!) }));

  entries.forEach(checkEntry);
  if (text === '' && entries.length === 0) return [];
  if (entries.length === 0) {
    throw new TokenMismatch(`the server returned ${text.length} characters of text but no logprobs entries (logprobs need Ollama >= 0.12.11)`);
  }
  const raw = entries.map((e) => e.token);
  if (joined(raw) === text) return build(raw);
  const decoded = decodedPieces(entries);
  if (decoded && joined(decoded) === text) return build(decoded);
  for (const pieces of decoded ? [decoded, raw] : [raw]) {
    const trimmed = trimOverrun(pieces, text);
    if (trimmed) return build(trimmed);
  }
  const spelled = joined(decoded ?? raw);
  let at = 0;
  while (at < text.length && at < spelled.length && text[at] === spelled[at]) at++;
  throw new TokenMismatch(
    `the logprobs entries do not spell the response text (${entries.length} entries, ${spelled.length} vs ${text.length} characters, first difference at character ${at}: ${JSON.stringify(spelled.slice(at, at + 12))} vs ${JSON.stringify(text.slice(at, at + 12))})`,
  );
}
