import { packColumns, unpackColumns, type ColumnToken } from './completion-codec.ts';

/**
 * How a result row's trace is stored: beside the row, not inside its JSON. A trace with
 * alternatives is most of a row's bytes (thousands of tokens x (1 + top-k) texts and logprobs), and
 * as JSON text it was the largest record written on the event loop and the largest parsed back.
 * Here every generated token of every segment goes into one set of columns (completion-codec.ts's
 * layout, magic "TPT1"); the header keeps the segments without their tokens, each generated
 * segment's token count, and whether its tokens carry alternatives.
 *
 * Only a trace of the shape the engine writes is encoded (segments that are objects; a generated
 * segment's tokens are {text, logprob} or {text, logprob, top: [{text, logprob}]}, with nothing
 * else and the same choice for all of a segment's tokens). Anything else stays in the row's JSON,
 * so the store never changes what it is given.
 */
const MAGIC = 'TPT1';

interface TraceHeader {
  /** The segments, generated ones without `tokens`. */
  segments: Record<string, unknown>[];
  /** Per segment: how many tokens of the columns are its own, -1 when it has no `tokens` field. */
  counts: number[];
  /** Per segment: whether its tokens carry `top`. */
  top: boolean[];
}

function isChoice(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  if (typeof c['text'] !== 'string' || typeof c['logprob'] !== 'number') return false;
  for (const key in c) if (key !== 'text' && key !== 'logprob') return false;
  return true;
}

/** Whether every token is a plain {text, logprob} (withTop false) or {text, logprob, top} (withTop true). */
function plainTokens(tokens: readonly unknown[], withTop: boolean): boolean {
  for (const token of tokens) {
    if (typeof token !== 'object' || token === null) return false;
    const t = token as Record<string, unknown>;
    if (typeof t['text'] !== 'string' || typeof t['logprob'] !== 'number') return false;
    for (const key in t) if (key !== 'text' && key !== 'logprob' && !(withTop && key === 'top')) return false;
    if (!withTop) continue;
    const top = t['top'];
    if (!Array.isArray(top)) return false;
    for (const choice of top) if (!isChoice(choice)) return false;
  }
  return true;
}

/**
 * A segment as the stored layouts keep it: its fields without a token list (an injected segment's
 * token count is a number and stays among them), and the list when it has one. Undefined when the
 * segment is not an object or its `tokens` is neither a list nor a count.
 */
export function splitSegment(segment: unknown): { rest: Record<string, unknown>; tokens: unknown[] | undefined } | undefined {
  if (typeof segment !== 'object' || segment === null || Array.isArray(segment)) return undefined;
  const { tokens, ...rest } = segment as Record<string, unknown>;
  if (Array.isArray(tokens)) return { rest, tokens };
  if ('tokens' in segment && typeof tokens !== 'number') return undefined;
  if (typeof tokens === 'number') rest['tokens'] = tokens;
  return { rest, tokens: undefined };
}

/** The trace as columns, or undefined when it is not of the shape this codec keeps exactly. */
export function encodeTrace(trace: unknown): Buffer | undefined {
  if (!Array.isArray(trace)) return undefined;
  const header: TraceHeader = { segments: [], counts: [], top: [] };
  const all: ColumnToken[] = [];
  for (const segment of trace) {
    const split = splitSegment(segment);
    if (split === undefined) return undefined;
    const { rest, tokens } = split;
    header.segments.push(rest);
    if (tokens === undefined) {
      header.counts.push(-1);
      header.top.push(false);
      continue;
    }
    const withTop = tokens.length > 0 && (tokens[0] as Record<string, unknown>)['top'] !== undefined;
    if (!plainTokens(tokens, withTop)) return undefined;
    header.counts.push(tokens.length);
    header.top.push(withTop);
    // A plain token (no `top`) packs as one without alternatives: no copy needed.
    for (const token of tokens as ColumnToken[]) all.push(token);
  }
  return packColumns(MAGIC, header, all);
}

/** The inverse of encodeTrace; a damaged entry is an InputError naming `where`. */
export function decodeTrace(stored: Buffer, where: string): Record<string, unknown>[] {
  const { header, tokens } = unpackColumns<TraceHeader>(stored, MAGIC, where, 'a stored trace');
  const segments: Record<string, unknown>[] = [];
  let at = 0;
  for (let i = 0; i < header.segments.length; i++) {
    const n = header.counts[i]!;
    const segment = header.segments[i]!;
    if (n < 0) {
      segments.push(segment);
      continue;
    }
    const own = tokens.slice(at, (at += n));
    segments.push({ ...segment, tokens: header.top[i] ? own : own.map((t) => ({ text: t.text, logprob: t.logprob })) });
  }
  return segments;
}
