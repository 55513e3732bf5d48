/**
 * Validation of OpenAI-compatible completion replies (pure). Server bytes are untrusted: every
 * field we use is checked, and a reply that breaks the shape is refused with a reason that never
 * quotes more than a short, escaped excerpt.
 *
 * Legacy logprobs (`logprobs: k` on /v1/completions): parallel arrays `tokens`, `token_logprobs`,
 * `top_logprobs` (one token -> logprob map per position) and `text_offset`. A logprob must be
 * finite and not positive (a hair above 0 from float rounding is clamped); a position must carry
 * at least one alternative when alternatives were asked for. vLLM spells a token that is part of a
 * UTF-8 character as `bytes:\xe2\x80`; those are turned back into bytes so tokens.ts can rebuild
 * the characters.
 */
import type { WireLogprob } from './tokens.ts';

export class ReplyShapeError extends Error {
  override readonly name = 'ReplyShapeError';
}

export type FinishReason = 'stop' | 'length';

export interface ChoicePiece {
  text: string;
  entries: WireLogprob[];
  /** null until the last chunk. */
  finishReason: FinishReason | null;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Float rounding may give a logprob a hair above 0. */
const ROUNDING = 1e-4;

export function excerpt(text: string, max = 60): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkLogprob(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ReplyShapeError(`${where}: expected a finite logprob, got ${excerpt(String(value))}`);
  if (value > ROUNDING) throw new ReplyShapeError(`${where}: a logprob must not be positive, got ${value}`);
  return Math.min(0, value);
}

const BYTES_TOKEN = /^bytes:((?:\\x[0-9a-fA-F]{2})+)$/;

/** A token's raw bytes: vLLM's `bytes:\xNN...` spelling, else the text's UTF-8. */
export function tokenBytes(token: string): number[] {
  const match = BYTES_TOKEN.exec(token);
  if (!match) return [...Buffer.from(token, 'utf8')];
  return (match[1] ?? '').split('\\x').filter((h) => h !== '').map((h) => Number.parseInt(h, 16));
}

function alternatives(map: unknown, where: string, wanted: number): { token: string; logprob: number; bytes: number[] }[] {
  if (wanted === 0 && (map === null || map === undefined)) return [];
  if (!isRecord(map)) throw new ReplyShapeError(`${where}: expected a token -> logprob map`);
  const list = Object.entries(map).map(([token, logprob]) => ({ token, logprob: checkLogprob(logprob, `${where}[${excerpt(token, 20)}]`), bytes: tokenBytes(token) }));
  if (wanted > 0 && list.length === 0) throw new ReplyShapeError(`${where}: expected up to ${wanted} alternatives, got none`);
  return list.sort((a, b) => b.logprob - a.logprob);
}

/** Legacy logprobs of one choice as the entries tokens.ts reconciles; `first` skips echoed prompt entries. */
export function legacyEntries(value: unknown, wanted: number, where: string, first = 0): WireLogprob[] {
  if (!isRecord(value)) throw new ReplyShapeError(`${where}.logprobs: expected an object with tokens and token_logprobs`);
  const { tokens, token_logprobs: logprobs, top_logprobs: tops } = value;
  if (!Array.isArray(tokens) || !Array.isArray(logprobs) || tokens.length !== logprobs.length) {
    throw new ReplyShapeError(`${where}.logprobs: expected tokens and token_logprobs of equal length`);
  }
  if (tops !== undefined && tops !== null && (!Array.isArray(tops) || tops.length !== tokens.length)) {
    throw new ReplyShapeError(`${where}.logprobs.top_logprobs: expected one entry per token`);
  }
  const out: WireLogprob[] = [];
  for (let i = first; i < tokens.length; i++) {
    const token = tokens[i];
    if (typeof token !== 'string') throw new ReplyShapeError(`${where}.logprobs.tokens[${i}]: expected a string`);
    const logprob = checkLogprob(logprobs[i], `${where}.logprobs.token_logprobs[${i}]`);
    const top = alternatives(Array.isArray(tops) ? tops[i] : null, `${where}.logprobs.top_logprobs[${i}]`, wanted);
    out.push({ token, logprob, bytes: tokenBytes(token), top_logprobs: top });
  }
  return out;
}

function finishReason(value: unknown, where: string): FinishReason | null {
  if (value === null || value === undefined) return null;
  if (value === 'stop' || value === 'length') return value;
  throw new ReplyShapeError(`${where}.finish_reason: expected "stop" or "length", got ${excerpt(String(value))}`);
}

/** The first choice of a completion object (one SSE event, or the whole non-streamed reply). */
export function readChoice(event: unknown, wantedAlternatives: number | null, where: string): ChoicePiece | undefined {
  if (!isRecord(event)) throw new ReplyShapeError(`${where}: expected a JSON object`);
  if (event['error'] !== undefined || event['object'] === 'error') throw new ServerErrorEvent(errorMessage(event));
  const choices = event['choices'];
  if (!Array.isArray(choices)) throw new ReplyShapeError(`${where}: expected a choices array`);
  if (choices.length === 0) return undefined; // the usage event of a stream
  const choice: unknown = choices[0];
  if (!isRecord(choice)) throw new ReplyShapeError(`${where}.choices[0]: expected an object`);
  if (typeof choice['text'] !== 'string') throw new ReplyShapeError(`${where}.choices[0].text: expected a string`);
  const entries = wantedAlternatives === null ? [] : choice['logprobs'] === null && choice['text'] === '' ? [] : legacyEntries(choice['logprobs'], wantedAlternatives, `${where}.choices[0]`);
  return { text: choice['text'], entries, finishReason: finishReason(choice['finish_reason'], `${where}.choices[0]`) };
}

export function readUsage(event: unknown): Usage | undefined {
  if (!isRecord(event) || !isRecord(event['usage'])) return undefined;
  const { prompt_tokens: p, completion_tokens: c } = event['usage'];
  if (!Number.isInteger(p) || !Number.isInteger(c) || (p as number) < 0 || (c as number) < 0) return undefined;
  return { promptTokens: p as number, completionTokens: c as number };
}

/** An error the server reported inside a 200 stream or as an error body. */
export class ServerErrorEvent extends Error {
  override readonly name = 'ServerErrorEvent';
}

/** vLLM `{object: "error", message}`, OpenAI `{error: {message}}`, llama.cpp `{error: {message, code}}`, plain `{error: "..."}`. */
export function errorMessage(body: unknown): string {
  if (!isRecord(body)) return 'unknown error';
  const error = body['error'];
  const message = isRecord(error) ? error['message'] : typeof error === 'string' ? error : body['message'];
  const text = typeof message === 'string' ? message : 'unknown error';
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 300);
}
