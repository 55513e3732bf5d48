import { escapeServerText, quoteServerText } from '../core/errors.ts';
import type { WireLogprob, WireTokenLogprob } from './tokens.ts';

/**
 * Validation of one streamed `/api/generate` line, by hand-written type guards: this runs once per
 * generated token, so it allocates nothing beyond the parsed JSON and checks each field once.
 *
 * What Ollama documents (DESIGN.md §2): `{model, created_at, response, done, logprobs?: [{token,
 * logprob, bytes?, top_logprobs?}]}` per token; the last line has `done: true`, `done_reason`,
 * counts and durations; an error is one `{"error": "..."}` line.
 */

/** A reply line that breaks the protocol: an error of this request, never skipped. Not transient. */
export class UnusableReplyError extends Error {
  override readonly name = 'UnusableReplyError';
}

/** A server error line (`{"error": ...}`); the backend decides whether it reads transient. */
export class ErrorLine extends Error {
  override readonly name = 'ErrorLine';
  constructor(readonly serverMessage: string) {
    super(serverMessage);
  }
}

export interface GenerateLine {
  response: string;
  logprobs: WireLogprob[];
  done: boolean;
  doneReason: unknown;
  promptEvalCount?: number;
  evalCount?: number;
  promptEvalDuration?: number;
  evalDuration?: number;
}

/**
 * A log-softmax is never positive; float32 rounding of log(1) may give a hair above 0, which is
 * all this allows.
 */
export const MAX_LOGPROB = 1e-6;
/**
 * A shorter alternatives list than asked is accepted only when it already holds (nearly) all the
 * probability (>= 99%; the simulator's short lists hold 99.9%): then there was nothing more worth
 * listing. Otherwise positions would silently become top-k bounds instead of exact values.
 */
export const COMPLETE_MASS = 0.99;

const EMPTY: WireLogprob[] = [];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Names the entry (and alternative) a message is about. Built only when a check fails: building
 * it eagerly was a string concatenation per alternative, 20 per token.
 */
function where(entry: number, alternative: number): string {
  return alternative < 0 ? `logprobs entry ${entry}` : `logprobs entry ${entry} alternative ${alternative}`;
}

function checkLogprob(value: unknown, entry: number, alternative: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value > MAX_LOGPROB) {
    throw new UnusableReplyError(`${where(entry, alternative)} logprob is ${describeNumber(value)}; expected a finite number <= 0`);
  }
  return value;
}

function describeNumber(value: unknown): string {
  if (typeof value === 'number') return String(value);
  // JSON has no NaN/Infinity: they arrive as strings or null if the line parsed at all.
  return escapeServerText(JSON.stringify(value) ?? String(value), 40);
}

function isByteList(value: unknown[]): boolean {
  for (let i = 0; i < value.length; i++) {
    const b = value[i];
    if (!Number.isInteger(b) || (b as number) < 0 || (b as number) > 255) return false;
  }
  return true;
}

function checkBytes(value: unknown, entry: number, alternative: number): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || !isByteList(value)) throw new UnusableReplyError(`${where(entry, alternative)} bytes is not a list of byte values`);
}

/** Returns the choice's logprob. */
function checkChoice(value: unknown, entry: number, alternative: number): number {
  if (!isRecord(value) || typeof value['token'] !== 'string') throw new UnusableReplyError(`${where(entry, alternative)} is not {token: string, logprob: number}`);
  const logprob = checkLogprob(value['logprob'], entry, alternative);
  checkBytes(value['bytes'], entry, alternative);
  return logprob;
}

function checkAlternatives(value: unknown, entry: number, asked: number): void {
  if (asked === 0) return;
  const list = value === undefined || value === null ? EMPTY : value;
  if (!Array.isArray(list)) throw new UnusableReplyError(`${where(entry, -1)} top_logprobs is not a list`);
  for (let i = 0; i < list.length; i++) checkChoice(list[i], entry, i);
  // The probability mass matters only for a short list (exp per alternative was the costliest check).
  if (list.length >= asked) return;
  let mass = 0;
  for (let i = 0; i < list.length; i++) mass += Math.exp((list[i] as WireTokenLogprob).logprob);
  if (mass < COMPLETE_MASS) {
    throw new UnusableReplyError(
      `${where(entry, -1)} lists ${list.length} alternatives, ${asked} were asked (they hold ${(mass * 100).toFixed(1)}% of the probability, so the server left some out)`,
    );
  }
}

function checkEntries(value: unknown, firstIndex: number, asked: number): WireLogprob[] {
  if (value === undefined || value === null) return EMPTY;
  if (!Array.isArray(value)) throw new UnusableReplyError('logprobs is not a list');
  for (let i = 0; i < value.length; i++) {
    checkChoice(value[i], firstIndex + i, -1);
    checkAlternatives((value[i] as WireLogprob).top_logprobs, firstIndex + i, asked);
  }
  return value as WireLogprob[];
}

function optionalCount(line: Record<string, unknown>, key: string): number | undefined {
  const value = line[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new UnusableReplyError(`${key} is ${describeNumber(value)}; expected a number >= 0`);
  return value;
}

function setCount(line: GenerateLine, key: 'promptEvalCount' | 'evalCount' | 'promptEvalDuration' | 'evalDuration', value: number | undefined): void {
  if (value !== undefined) line[key] = value;
}

/**
 * Parses and validates one line. `entriesSoFar` numbers the logprobs entries in messages;
 * `asked` is the request's top_logprobs.
 */
export function parseGenerateLine(text: string, entriesSoFar: number, asked: number): GenerateLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Python's json.dumps writes NaN and Infinity, which are not JSON: say so rather than "invalid".
    const why = /[:\[,]\s*-?(?:NaN|Infinity)\b/.test(text) ? ' (NaN and Infinity are not JSON numbers: a logprob must be finite)' : '';
    throw new UnusableReplyError(`expected one JSON object per line, got ${quoteServerText(text, 60)}${why}`);
  }
  if (!isRecord(parsed)) throw new UnusableReplyError(`expected one JSON object per line, got ${quoteServerText(text, 60)}`);
  const error = parsed['error'];
  if (error !== undefined) throw new ErrorLine(typeof error === 'string' ? error : JSON.stringify(error));
  const response = parsed['response'] ?? '';
  if (typeof response !== 'string') throw new UnusableReplyError(`response is ${describeNumber(response)}; expected a string`);
  const done = parsed['done'] ?? false;
  if (typeof done !== 'boolean') throw new UnusableReplyError(`done is ${describeNumber(done)}; expected true or false`);
  const line: GenerateLine = { response, logprobs: checkEntries(parsed['logprobs'], entriesSoFar, asked), done, doneReason: parsed['done_reason'] };
  if (done) {
    setCount(line, 'promptEvalCount', optionalCount(parsed, 'prompt_eval_count'));
    setCount(line, 'evalCount', optionalCount(parsed, 'eval_count'));
    setCount(line, 'promptEvalDuration', optionalCount(parsed, 'prompt_eval_duration'));
    setCount(line, 'evalDuration', optionalCount(parsed, 'eval_duration'));
  }
  return line;
}
