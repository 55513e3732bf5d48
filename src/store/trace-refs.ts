import type { CompletionToken } from '../backends/backend.ts';
import { InputError } from '../core/errors.ts';
import type { TokenRun, TokenSources } from './token-sources.ts';
import { splitSegment } from './trace-codec.ts';

/**
 * A result row's trace as references to the completions its tokens came from (schema v4): the
 * header of trace-codec.ts's layout, with each generated segment's tokens replaced by runs
 * ("the first n tokens of completion K"). The completions are in the same file, written before the
 * row (a row's completions commit in its batch or an earlier one), so the trace's tokens are not
 * encoded and written a second time. That copy was about half the bytes a run wrote.
 *
 * Each generated segment also keeps the sum of its tokens' logprobs and text lengths: reading back
 * checks them, so a reference that no longer reads what it was written from is a clear error
 * instead of a wrong trace. Anything the references cannot keep exactly (a token from no stored
 * completion, a non-finite logprob) is left to trace-codec.ts.
 *
 * Layout: "TPR1" | header JSON (UTF-8).
 */
const MAGIC = 'TPR1';

interface RefsHeader {
  /** The segments, generated ones without `tokens`. */
  segments: Record<string, unknown>[];
  /** The completions referred to, by index in `runs`. */
  keys: string[];
  /** Per segment: [key index, count] pairs, or null when it has no token list. */
  runs: ([number, number][] | null)[];
  /** Per segment: [logprob sum, text length sum] of its tokens, or null. */
  sums: ([number, number] | null)[];
}

/** [logprob sum, text length sum], or undefined when a token is not {text, logprob finite} or the sum overflows. */
function sumsOf(tokens: readonly unknown[]): [number, number] | undefined {
  let logprobs = 0;
  let chars = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as { text?: unknown; logprob?: unknown };
    if (typeof t.text !== 'string' || typeof t.logprob !== 'number' || !Number.isFinite(t.logprob)) return undefined;
    logprobs += t.logprob;
    chars += t.text.length;
  }
  // Huge logprobs can sum past the largest double: -Infinity would not survive JSON.
  return Number.isFinite(logprobs) ? [logprobs, chars] : undefined;
}

/** The trace as references, or undefined when some generated token is not a stored completion's. */
export function encodeTraceRefs(trace: unknown, sources: TokenSources): Buffer | undefined {
  if (!Array.isArray(trace)) return undefined;
  const header: RefsHeader = { segments: [], keys: [], runs: [], sums: [] };
  const keyIndex = new Map<string, number>();
  const indexOf = (run: TokenRun): [number, number] => {
    let index = keyIndex.get(run.key);
    if (index === undefined) keyIndex.set(run.key, (index = header.keys.push(run.key) - 1));
    return [index, run.count];
  };
  for (const segment of trace) {
    const split = splitSegment(segment);
    if (split === undefined) return undefined;
    const { rest, tokens } = split;
    header.segments.push(rest);
    if (tokens === undefined) {
      header.runs.push(null);
      header.sums.push(null);
      continue;
    }
    const runs = sources.runsOf(tokens);
    const sums = runs && sumsOf(tokens);
    if (runs === undefined || sums === undefined) return undefined;
    header.runs.push(runs.map(indexOf));
    header.sums.push(sums);
  }
  return Buffer.from(MAGIC + JSON.stringify(header));
}

export function isTraceRefs(stored: Buffer): boolean {
  return stored.length >= 4 && stored.toString('latin1', 0, 4) === MAGIC;
}

/**
 * The inverse of encodeTraceRefs: `tokensOf` reads a completion's tokens by key. A damaged entry,
 * a missing completion or one that no longer matches is an InputError naming `where`.
 */
export function decodeTraceRefs(stored: Buffer, where: string, tokensOf: (key: string) => readonly CompletionToken[] | undefined): Record<string, unknown>[] {
  const header = parseHeader(stored, where);
  return header.segments.map((segment, i) => {
    const runs = header.runs[i];
    if (runs === null || runs === undefined) return segment;
    const tokens: CompletionToken[] = [];
    for (const [index, count] of runs) {
      const key = header.keys[index];
      const own = key === undefined ? undefined : tokensOf(key);
      if (own === undefined || own.length < count) throw new InputError(where, `expected the stored completion ${key ?? `#${index}`} its trace refers to; the store is damaged`);
      for (let k = 0; k < count; k++) tokens.push(own[k]!);
    }
    const sums = sumsOf(tokens);
    const expected = header.sums[i];
    if (sums === undefined || expected == null || sums[0] !== expected[0] || sums[1] !== expected[1]) {
      throw new InputError(where, `expected segment ${i} of its trace to read what was written; the completions it refers to changed`);
    }
    return { ...segment, tokens };
  });
}

function parseHeader(stored: Buffer, where: string): RefsHeader {
  try {
    if (!isTraceRefs(stored)) throw new Error('unknown format');
    const header = JSON.parse(stored.toString('utf8', 4)) as RefsHeader;
    const n = header.segments.length;
    if (!Array.isArray(header.keys) || header.runs.length !== n || header.sums.length !== n) throw new Error('segment count mismatch');
    return header;
  } catch {
    throw new InputError(where, 'expected a stored trace; the store entry is damaged');
  }
}
